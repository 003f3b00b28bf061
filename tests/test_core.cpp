// core: statistics, composites, gaps, tables, tasks, atomic writes — against hand-computed values.
#include "TestPaths.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/ColourMap.h"
#include "jezero/core/Composite.h"
#include "jezero/core/DetectionMask.h"
#include "jezero/core/Error.h"
#include "jezero/core/Harmonisation.h"
#include "jezero/core/MapFigure.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/FilterResponse.h"
#include "jezero/core/SpectralLibrary.h"
#include "jezero/core/SpectralCube.h"
#include "jezero/core/SpectrumGaps.h"
#include "jezero/core/Statistics.h"
#include "jezero/core/Task.h"
#include "jezero/core/TiledPrediction.h"
#include "jezero/core/WavelengthTable.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>

using namespace jezero;


// An equirectangular (IAU sphere, standard parallel 0) grid of `metres` pixels centred on
// (lat0, lon0), its pixel axes turned by `turnDeg` about the image centre: lat and lon are linear in
// the pixel position, so every quantity below has a closed form.
class TurnedEquirectangular : public PixelGeolocator {
public:
    TurnedEquirectangular(double lat0, double lon0, double metres, double turnDeg, int size)
        : mLat0(lat0), mLon0(lon0), mMetres(metres), mTurn(turnDeg * M_PI / 180), mCentre(size / 2.0) {}
    std::optional<LatLon> latLon(double column, double row) const override {
        const double dx = column - mCentre, dy = row - mCentre;
        const double u = std::cos(mTurn) * dx - std::sin(mTurn) * dy, v = std::sin(mTurn) * dx + std::cos(mTurn) * dy;
        const double lon = mLon0 + u * mMetres / kMarsRadiusM * 180 / M_PI, lat = mLat0 - v * mMetres / kMarsRadiusM * 180 / M_PI;
        return LatLon{lat, std::remainder(lon, 360.0)};
    }

private:
    double mLat0, mLon0, mMetres, mTurn, mCentre;
};

class TestCore : public QObject {
    Q_OBJECT
private slots:
    void percentilesMatchNumpyLinearInterpolation() {
        // numpy.percentile([1, 2, 3, 4, 10], [0, 25, 50, 90, 100]) = [1, 2, 3, 7.6, 10]
        const float nan = std::nanf("");
        const auto p = finitePercentiles({10, nan, 2, 1, INFINITY, 4, 3}, {0, 25, 50, 90, 100});
        QCOMPARE(p.size(), std::size_t(5));
        QCOMPARE(p[0], 1.0);
        QCOMPARE(p[1], 2.0);
        QCOMPARE(p[2], 3.0);
        QVERIFY(std::abs(p[3] - 7.6) < 1e-6);
        QCOMPARE(p[4], 10.0);
        QVERIFY(std::isnan(finitePercentiles({nan, nan}, {50})[0]));
    }

    void scalarMapsUseTheirColourTableAndLimits() {
        // Ends and middle of each table (viridis: matplotlib's, tests/reference/colour_tables.py).
        using C = std::array<std::uint8_t, 3>;
        QCOMPARE(colourAt(ColourTable::Grey, 0.5), (C{128, 128, 128}));
        QCOMPARE(colourAt(ColourTable::Viridis, 0.0), (C{68, 1, 84}));
        QCOMPARE(colourAt(ColourTable::Viridis, 0.5), (C{33, 145, 140}));
        QCOMPARE(colourAt(ColourTable::Viridis, 1.0), (C{253, 231, 37}));
        QCOMPARE(colourAt(ColourTable::Viridis, 1.0 / 16), (C{70, 23, 104})); // halfway between the first two points
        QCOMPARE(colourAt(ColourTable::Rainbow, 0.0), (C{0, 0, 200}));
        QCOMPARE(colourAt(ColourTable::Rainbow, 2.0), (C{220, 0, 0})); // clamped
        // A 4-pixel map between fixed limits 0 and 2: below clamps to the first colour, above to the
        // last, NaN is transparent, the limits travel with the image.
        ImageStack image(4, 1, {"BD2500_2"});
        image.values = {-1.0f, 1.0f, 5.0f, std::nanf("")};
        const CompositeImage map = renderScalarMap(image, 0, MapScale{0.0, 2.0, ColourTable::Grey}, "BD2500_2");
        QCOMPARE(map.rgba[0], std::uint8_t(0));
        QCOMPARE(map.rgba[4], std::uint8_t(128));
        QCOMPARE(map.rgba[8], std::uint8_t(255));
        QCOMPARE(map.rgba[15], std::uint8_t(0));
        QCOMPARE(map.rgba[3], std::uint8_t(255));
        QCOMPARE(map.channels[0].low, 0.0);
        QCOMPARE(map.channels[0].high, 2.0);
        // Percentile limits are those of the finite values.
        const MapScale p = percentileScale(image, 0, 0, 100, ColourTable::Viridis);
        QCOMPARE(p.low, -1.0);
        QCOMPARE(p.high, 5.0);
        QCOMPARE(parseColourTable(colourTableName(ColourTable::Rainbow)), ColourTable::Rainbow);
        QVERIFY_THROWS_EXCEPTION(Error, parseColourTable("jet"));
        // The stretch histogram of {-1, 1, 5, NaN} between 0 and 2 in two bins: 1 lands in the upper
        // bin ([1, 2]), −1 is clipped below, 5 above; shares of the three finite values.
        const ValueHistogram h = channelHistogram(image, 0, 0.0, 2.0, 2);
        QCOMPARE(h.shares, (std::vector<double>{0.0, 1.0 / 3}));
        QCOMPARE(h.below, 1.0 / 3);
        QCOMPARE(h.above, 1.0 / 3);
        ImageStack ramp(10, 1, {"R"});
        for (int x = 0; x < 10; ++x) ramp.values[x] = static_cast<float>(x); // 0 … 9 into three bins of width 3
        QCOMPARE(channelHistogram(ramp, 0, 0.0, 9.0, 3).shares, (std::vector<double>{0.3, 0.3, 0.4})); // 9 = high is in the last
        QVERIFY_THROWS_EXCEPTION(Error, channelHistogram(ramp, 0, 1.0, 1.0, 5));
    }

    void finiteMeanSkipsNoData() {
        const float nan = std::nanf("");
        QCOMPARE(finiteMean({1, nan, 2, INFINITY, 6}), 3.0);
        QVERIFY(std::isnan(finiteMean({nan, -INFINITY})));
        QVERIFY(std::isnan(finiteMean({})));
    }

    void nearestBandPicksClosestChannel() {
        SpectralCube cube(1, 1, {400, 500, 600});
        QCOMPARE(cube.nearestBand(100), 0);
        QCOMPARE(cube.nearestBand(449), 0);
        QCOMPARE(cube.nearestBand(451), 1);
        QCOMPARE(cube.nearestBand(5000), 2);
        QVERIFY_THROWS_EXCEPTION(Error, SpectralCube(1, 1, {500, 400}));
    }

    void noDataCountsPixelsWithoutAnyValidValue() {
        SpectralCube cube(2, 1, {400, 500});
        *cube.spectrum(0, 0) = 0.2f; // pixel 0 has one valid value, pixel 1 none
        QCOMPARE(cube.noDataPixelCount(), std::size_t(1));
        QCOMPARE(cube.noDataValueCount(), std::size_t(3));
    }

    void defaultChannelsAreTrueColourThenFalColour() {
        const auto vnirIr = readMtrdrAxisTable(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString());
        QCOMPARE(defaultRgbChannels(vnirIr.wavelengthsNm).name, std::string("true colour"));
        std::vector<double> irOnly;
        for (double w : vnirIr.wavelengthsNm)
            if (w > 1040) irOnly.push_back(w);
        const auto fal = defaultRgbChannels(irOnly);
        QCOMPARE(fal.wavelengthsNm[0], 2529.0);
        QCOMPARE(fal.wavelengthsNm[2], 1080.0);
    }

    void compositeStretchesLinearlyAndMasksNaN() {
        // Band values 0..9 over ten pixels: the 0/100 % stretch maps 0 → 0 and 9 → 255, 3 → 85.
        SpectralCube cube(10, 1, {440, 530, 600});
        for (int x = 0; x < 10; ++x)
            for (int b = 0; b < 3; ++b) cube.spectrum(x, 0)[b] = static_cast<float>(x);
        cube.spectrum(5, 0)[1] = std::nanf("");
        const auto image = renderComposite(cube, defaultRgbChannels(cube.wavelengthsNm()), {0, 100});
        QCOMPARE(image.rgba[0 * 4 + 0], std::uint8_t(0));
        QCOMPARE(image.rgba[3 * 4 + 0], std::uint8_t(85));
        QCOMPARE(image.rgba[9 * 4 + 2], std::uint8_t(255));
        QCOMPARE(image.rgba[3 * 4 + 3], std::uint8_t(255));
        QCOMPARE(image.rgba[5 * 4 + 3], std::uint8_t(0)); // NaN in green → transparent
        QCOMPARE(image.channels[0].band, 2);              // red = 600 nm = band 2
        // 10–90 % clip: limits are the 10th/90th percentiles 0.9 and 8.1 (of the 9 valid greens: 0.8, 8.2)
        const auto clipped = renderComposite(cube, defaultRgbChannels(cube.wavelengthsNm()), {10, 90});
        QVERIFY(std::abs(clipped.channels[0].low - 0.9) < 1e-9);
        QVERIFY(std::abs(clipped.channels[0].high - 8.1) < 1e-9);
    }

    void gapsFoundAtMtrdrCoverageHoles() {
        const auto axis = readMtrdrAxisTable(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString());
        QCOMPARE(axis.wavelengthsNm.size(), std::size_t(489));
        QVERIFY(std::is_sorted(axis.wavelengthsNm.begin(), axis.wavelengthsNm.end()));
        const auto gaps = spectralGapStarts(axis.wavelengthsNm);
        // MTRDR has no channels in 631–710, 1010–1047 and 2655–2800 nm.
        QCOMPARE(gaps.size(), std::size_t(3));
        QVERIFY(axis.wavelengthsNm[gaps[0] - 1] < 640 && axis.wavelengthsNm[gaps[0]] > 700);
        QVERIFY(axis.wavelengthsNm[gaps[1] - 1] < 1015 && axis.wavelengthsNm[gaps[1]] > 1045);
        QVERIFY(axis.wavelengthsNm[gaps[2] - 1] < 2660 && axis.wavelengthsNm[gaps[2]] > 2790);
    }

    void cassisFilterTableHasFourFiltersPeakingWhereExpected() {
        const auto set = readFilterSet(test::resource("cassis/cassis_filter_response_on_crism_grid.csv").toStdString());
        QCOMPARE(set.filters.size(), std::size_t(4));
        const char* names[] = {"BLU", "PAN", "RED", "NIR"};
        // Response-weighted centres from the data's provenance: 511, 686, 836, 931 nm (±5).
        const double centres[] = {511, 686, 836, 931};
        for (int f = 0; f < 4; ++f) {
            QCOMPARE(set.filters[f].name, std::string(names[f]));
            double sum = 0, weighted = 0;
            for (std::size_t i = 0; i < set.wavelengthsNm.size(); ++i) {
                sum += set.filters[f].response[i];
                weighted += set.filters[f].response[i] * set.wavelengthsNm[i];
            }
            QVERIFY2(std::abs(weighted / sum - centres[f]) < 5, names[f]);
        }
    }

    void badTablesGiveOneLineErrors() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/bad.csv").toStdString();
        std::ofstream(path) << "wavelength_nm,A\n400,0.1\n500,oops\n";
        try {
            readFilterSet(path);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("line 3"));
            QVERIFY(!QString(e.what()).contains('\n'));
        }
        QVERIFY_THROWS_EXCEPTION(Error, readFilterSet((dir.path() + "/missing.csv").toStdString()));
        // A line of whitespace that trimming does not know (a vertical tab, a form feed) is a blank line,
        // not a row without fields (found by tests/fuzz: a library table then read out of range).
        std::ofstream(path) << "wavelength_um spectrum_A\n0.5 0.1\n\v\f\n0.6 0.2\n";
        const auto spectra = readLibraryTable(path, "test", "");
        QCOMPARE(spectra.size(), std::size_t(1));
        QCOMPARE(spectra[0].values, (std::vector<double>{0.1, 0.2}));
        std::ofstream(path) << "# only a comment\n";
        QVERIFY_THROWS_EXCEPTION(Error, readMtrdrAxisTable(path));
    }

    void taskRecordsResultErrorAndCancel() {
        Task<int> ok("ok", [](TaskControl& c) {
            c.setProgress(0.5);
            return 42;
        });
        double seen = -1;
        ok.control().setProgressCallback([&](double f, const std::string&) { seen = std::max(seen, f); });
        ok.run();
        QCOMPARE(ok.status(), TaskStatus::Succeeded);
        QCOMPARE(ok.result(), 42);
        QCOMPARE(seen, 1.0);

        Task<int> bad("bad", [](TaskControl&) -> int { throw Error("broken input"); });
        bad.run();
        QCOMPARE(bad.status(), TaskStatus::Failed);
        QCOMPARE(bad.error(), std::string("broken input"));

        Task<int> canceled("cancel", [](TaskControl& c) {
            c.throwIfCanceled();
            return 1;
        });
        canceled.control().cancel();
        canceled.run();
        QCOMPARE(canceled.status(), TaskStatus::Canceled);

        // A part of the work reports into its share of the whole, and stops when the whole is canceled.
        TaskControl whole;
        std::vector<double> reported;
        whole.setProgressCallback([&](double f, const std::string&) { reported.push_back(f); });
        {
            TaskControl second(&whole, 0.5, 0.75);
            second.setProgress(0.0);
            second.setProgress(0.5);
            second.setProgress(1.0);
            QVERIFY(!second.isCanceled());
            whole.cancel();
            QVERIFY(second.isCanceled());
            QVERIFY_THROWS_EXCEPTION(TaskCanceled, second.throwIfCanceled());
        }
        QCOMPARE(reported, (std::vector<double>{0.5, 0.625, 0.75}));
        TaskControl alone(nullptr, 0.2, 0.4); // no parent: a control of its own
        alone.setProgress(0.5);
        QCOMPARE(alone.progress(), 0.5);
    }

    void atomicWriteKeepsOldContentOnFailure() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/out.txt").toStdString();
        writeTextFileAtomically(path, "first");
        QVERIFY_THROWS_EXCEPTION(Error, writeFileAtomically(path, [](const std::string& temp) {
            std::ofstream(temp) << "half";
            throw Error("disk full");
        }));
        std::ifstream in(path);
        std::string content((std::istreambuf_iterator<char>(in)), {});
        QCOMPARE(content, std::string("first"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1); // no temporary left behind
    }

    void tiledPredictionOfTheIdentityReturnsTheInput() {
        QCOMPARE(tileOrigins(100, 32, 8), (std::vector<int>{0, 24, 48, 68}));
        QCOMPARE(tileOrigins(20, 32, 8), (std::vector<int>{0}));
        QCOMPARE(tileOrigins(64, 32, 0), (std::vector<int>{0, 32}));
        QVERIFY_THROWS_EXCEPTION(Error, tileOrigins(100, 32, 32));
        QCOMPARE(blendWeight(0, 32, 8), 1.0 / 9);
        QCOMPARE(blendWeight(8, 32, 8), 1.0);
        QCOMPARE(blendWeight(31, 32, 8), 1.0 / 9);
        ImageStack image(100, 70, {"A", "B"});
        for (int y = 0; y < 70; ++y)
            for (int x = 0; x < 100; ++x) {
                image.at(x, y, 0) = static_cast<float>(std::sin(0.1 * x) + y);
                image.at(x, y, 1) = static_cast<float>(x * 0.01 - y * 0.02);
            }
        image.at(40, 30, 1) = std::nanf(""); // no data in one channel: the output pixel is NaN
        int calls = 0;
        const TileFunction identity = [&](const std::vector<float>& tile, int, int) {
            ++calls;
            return tile;
        };
        const ImageStack out = predictTiled(image, 32, 8, {"A", "B"}, identity);
        QCOMPARE(calls, 4 * 3);
        double worst = 0;
        for (int y = 0; y < 70; ++y)
            for (int x = 0; x < 100; ++x)
                for (int c = 0; c < 2; ++c)
                    if (!(x == 40 && y == 30)) worst = std::max(worst, std::abs(static_cast<double>(out.at(x, y, c) - image.at(x, y, c))));
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        QVERIFY(std::isnan(out.at(40, 30, 0)) && std::isnan(out.at(40, 30, 1)));
        // A tile-constant model blends smoothly: the value lies between the tiles' constants, and a pixel
        // only one tile covers keeps that tile's value.
        const TileFunction constant = [](const std::vector<float>& tile, int x, int) { return std::vector<float>(tile.size() / 2, static_cast<float>(x)); };
        const ImageStack blended = predictTiled(image, 32, 8, {"X"}, constant);
        QCOMPARE(blended.at(5, 5, 0), 0.0f);
        QCOMPARE(blended.at(99, 5, 0), 68.0f);
        for (int x = 1; x < 100; ++x) QVERIFY(blended.at(x, 5, 0) >= blended.at(x - 1, 5, 0));
        // A scene smaller than the tile: padded, cropped back, values kept.
        ImageStack small(20, 10, {"A"});
        for (std::size_t i = 0; i < small.values.size(); ++i) small.values[i] = static_cast<float>(i);
        const ImageStack smallOut = predictTiled(small, 32, 8, {"A"}, identity);
        QCOMPARE(smallOut.width, 20);
        QCOMPARE(smallOut.values, small.values);
        QVERIFY_THROWS_EXCEPTION(Error, predictTiled(small, 32, 8, {"A", "B"}, identity)); // wrong output size
        // In batches of 5 the 12 tiles come as 5, 5 and 2, each at its origin, and blend to the same image.
        std::vector<std::size_t> batchSizes;
        const TileBatchFunction shifted = [&](const std::vector<TileRequest>& tiles) {
            batchSizes.push_back(tiles.size());
            std::vector<std::vector<float>> out;
            for (const auto& t : tiles) out.push_back(constant(t.inputChw, t.x, t.y));
            return out;
        };
        const ImageStack batched = predictTiledBatches(image, 32, 8, 5, {"X"}, shifted);
        QCOMPARE(batchSizes, (std::vector<std::size_t>{5, 5, 2}));
        QCOMPARE(batched.values.size(), blended.values.size());
        for (std::size_t i = 0; i < batched.values.size(); ++i)
            if (!(std::isnan(batched.values[i]) && std::isnan(blended.values[i]))) QCOMPARE(batched.values[i], blended.values[i]);
        QVERIFY_THROWS_EXCEPTION(Error, predictTiledBatches(image, 32, 8, 5, {"X"}, [](const std::vector<TileRequest>&) {
                                     return std::vector<std::vector<float>>{}; // fewer outputs than tiles
                                 }));
    }
    void detectionMaskKeepsBlobsOfTheMinimumSize() {
        // 7 × 5 map, threshold 0.5: a 3-pixel diagonal blob (8-connected), a single pixel, a 2-pixel
        // blob touching the border, a NaN and a value exactly at the threshold (not above).
        const float n = std::nanf("");
        ImageStack map(7, 5, {"p"});
        map.values = {0.9f, 0, 0, 0, 0, 0, 0.8f,  //
                      0, 0.7f, 0, 0, 0.5f, 0, 0.6f, //
                      0, 0, 0.9f, 0, 0, 0, 0,       //
                      0, 0, 0, 0, n, 0, 0,          //
                      0, 0, 0, 0, 0, 0.95f, 0};
        const DetectionMask all = detectionMask(map, 0, 0.5, 1);
        QCOMPARE(all.blobs, 3);
        QCOMPARE(all.pixels, std::size_t(6));
        QCOMPARE(int(all.mask[1 * 7 + 4]), 0); // 0.5 is not above 0.5
        const DetectionMask big = detectionMask(map, 0, 0.5, 2);
        QCOMPARE(big.blobs, 2);
        QCOMPARE(big.pixels, std::size_t(5));
        QCOMPARE(int(big.mask[4 * 7 + 5]), 0); // the lone pixel is dropped
        QCOMPARE(int(big.mask[2 * 7 + 2]), 1);
        QCOMPARE(int(big.mask[1 * 7 + 6]), 1);
        QCOMPARE(detectionMask(map, 0, 0.5, 4).blobs, 0);
        QVERIFY_THROWS_EXCEPTION(Error, detectionMask(map, 1, 0.5, 1));
        // A blob as large as a scene does not overflow anything.
        ImageStack wide(1000, 1000, {"p"});
        std::fill(wide.values.begin(), wide.values.end(), 1.0f);
        QCOMPARE(detectionMask(wide, 0, 0.5, 10).pixels, std::size_t(1000000));
    }

    void predictionBandsSplitIntoMeanStdAndProbability() {
        ImageStack bands(2, 1, {"D2300 mean", "BD2500_2 mean", "D2300 std", "BD2500_2 std", "P(BD2500_2 > 0.01)"});
        for (std::size_t i = 0; i < bands.values.size(); ++i) bands.values[i] = static_cast<float>(i);
        const PredictionLayers layers = splitPredictionBands(bands);
        QCOMPARE(layers.mean.channelNames, (std::vector<std::string>{"D2300", "BD2500_2"}));
        QCOMPARE(layers.mean.at(1, 0, 1), 6.0f); // pixel 1 starts at 5
        QVERIFY(layers.stddev && layers.stddev->at(1, 0, 0) == 7.0f);
        QVERIFY(layers.probability && layers.probability->at(0, 0, 0) == 4.0f);
        QCOMPARE(layers.probabilityName, std::string("P(BD2500_2 > 0.01)"));
        // A deterministic model's bands are the channel names themselves.
        const PredictionLayers plain = splitPredictionBands(ImageStack(2, 1, {"R2529", "R1506", "R1080"}));
        QCOMPARE(plain.mean.channels(), 3);
        QVERIFY(!plain.stddev && !plain.probability);
        QVERIFY_THROWS_EXCEPTION(Error, splitPredictionBands(ImageStack(2, 1, {"P(x > 1)"})));
        QVERIFY_THROWS_EXCEPTION(Error, splitPredictionBands(ImageStack(2, 1, {"A mean", "B std"})));
    }

    void comparisonSharesTheTruthStretchAndScalesErrors() {
        // Truth ramps 0..1 over 101 columns; prediction = truth + 0.1 everywhere; std 0.25 everywhere.
        ImageStack input(101, 1, {"PAN"}), truth(101, 1, {"A"}), prediction(101, 1, {"A"}), stddev(101, 1, {"A"});
        for (int x = 0; x < 101; ++x) {
            input.values[x] = static_cast<float>(x);
            truth.values[x] = x / 100.0f;
            prediction.values[x] = x / 100.0f + 0.1f;
            stddev.values[x] = 0.25f;
        }
        const ComparisonImages images = renderComparison(input, &truth, prediction, &stddev);
        // The 2–98 % stretch of the truth is 0.02..0.98: truth 0.6 → 0.6042 × 255 = 154; the prediction
        // there (0.7) is drawn on the same stretch → 0.7083 × 255 = 181.
        QCOMPARE(int(images.truth.rgba[60 * 4]), 154);
        QCOMPARE(int(images.prediction.rgba[60 * 4]), 181);
        // |error| 0.1 of a 0.96 range = 10.4 % of the way to white at 50 % → 53; std 0.25 → 26 % → 133.
        QCOMPARE(int(images.error.rgba[60 * 4]), 53);
        QCOMPARE(int(images.uncertainty.rgba[60 * 4]), 133);
        // Without truth: the prediction keeps its own stretch; truth and error are transparent.
        const ComparisonImages alone = renderComparison(input, nullptr, prediction, nullptr);
        QCOMPARE(int(alone.prediction.rgba[60 * 4]), 154);
        QCOMPARE(int(alone.truth.rgba[50 * 4 + 3]), 0);
        QCOMPARE(int(alone.uncertainty.rgba[50 * 4 + 3]), 0);
        QVERIFY_THROWS_EXCEPTION(Error, renderComparison(input, &truth, ImageStack(100, 1, {"A"}), nullptr));
        const CompositeImage row = sideBySide({&images.input, &images.truth}, 3);
        QCOMPARE(row.width, 205);
        QCOMPARE(int(row.rgba[102 * 4]), 255); // the gap is white
        QCOMPARE(int(row.rgba[(104 + 60) * 4]), 154);
        // A carbonate probability against its label: both on 0–1, not on the label's (all-zero) percentiles.
        ImageStack label(101, 1, {kCarbonateLabelChannel}), probability(101, 1, {kCarbonateLabelChannel});
        for (int x = 0; x < 101; ++x) probability.values[x] = x / 100.0f; // label: all 0
        const ComparisonImages p = renderComparison(input, &label, probability, nullptr);
        QCOMPARE(int(p.truth.rgba[60 * 4]), 0);
        QCOMPARE(p.prediction.channels[0].high, double(0.99f)); // the 99th percentile of 0, 0.01, …, 1
        QCOMPARE(int(p.prediction.rgba[60 * 4]), int(std::lround(0.6 / 0.99 * 255)));
        QCOMPARE(int(p.prediction.rgba[100 * 4]), 255);
        // A weak model's low probabilities (0–0.2) are drawn to their own 99th percentile, 0.198.
        for (int x = 0; x < 101; ++x) probability.values[x] = x / 500.0f;
        const ComparisonImages low = renderComparison(input, &label, probability, nullptr);
        QCOMPARE(low.prediction.channels[0].high, double(99 / 500.0f));
        QCOMPARE(int(low.prediction.rgba[50 * 4]), int(std::lround(double(50 / 500.0f) / double(99 / 500.0f) * 255)));
        QCOMPARE(low.truth.channels[0].high, 1.0); // the label stays on 0–1
        // …and never stretched beyond 0.05 when they are all tiny.
        for (int x = 0; x < 101; ++x) probability.values[x] = x / 10000.0f;
        QCOMPARE(renderComparison(input, &label, probability, nullptr).prediction.channels[0].high, kMinimumProbabilityScale);
        // A second prediction in the truth's place (a CaSSIS image's at the model's scale) shares the
        // prediction's range, and the difference panel is a share of it.
        const ComparisonImages two = renderComparison(input, &probability, probability, nullptr, {}, true);
        QCOMPARE(two.truth.channels[0].high, two.prediction.channels[0].high);
        QCOMPARE(two.truth.rgba, two.prediction.rgba);
        QVERIFY(renderComparison(input, &probability, probability, nullptr).truth.channels[0].high == 1.0); // a label: 0–1
    }

    void imagesOnOneStretchShowTheirDifferenceInBrightness() {
        // Values 0, 0.01, …, 1: the 2–98 % stretch is 0.02..0.98; with a gain of 0.5, 0.01..0.49; shared:
        // 0.01..0.98. The darker image is darker pixel by pixel; on its own percentiles it would look the same.
        ImageStack before(101, 1, {"PAN", "NIR", "RED"}), after = before;
        for (int x = 0; x < 101; ++x)
            for (int c = 0; c < 3; ++c) before.at(x, 0, c) = x / 100.0f, after.at(x, 0, c) = 0.5f * x / 100.0f;
        after.at(7, 0, 1) = NAN;
        const auto shown = renderOnOneStretch({&before, &after, nullptr}, {0, 1, 2}, Stretch{});
        QCOMPARE(shown.size(), std::size_t(3));
        QCOMPARE(shown[1].channels[0].low, shown[0].channels[0].low);
        QCOMPARE(shown[1].channels[2].high, shown[0].channels[2].high);
        QVERIFY(std::abs(shown[0].channels[0].low - 0.01) < 1e-6 && std::abs(shown[0].channels[0].high - 0.98) < 1e-6);
        // x = 60: before 0.6 → (0.6 − 0.01) / 0.97 × 255 = 155.1; after 0.3 → 0.29 / 0.97 × 255 = 76.2.
        QCOMPARE(int(shown[0].rgba[60 * 4]), 155);
        QCOMPARE(int(shown[1].rgba[60 * 4]), 76);
        QCOMPARE(int(renderChannels(after, {0, 1, 2}, Stretch{}, "").rgba[60 * 4]), 154); // its own stretch hides the gain
        QCOMPARE(int(shown[1].rgba[7 * 4 + 3]), 0);                                         // no-data stays transparent
        QCOMPARE(shown[2].width, 0);
        QVERIFY_THROWS_EXCEPTION(Error, renderOnOneStretch({&before, &after}, {0, 1, 3}, Stretch{}));
    }

    void psfSigmaPutsTheMtfAtNyquistWhereAsked() {
        // σ = f·√(−2 ln 0.3)/π; for f = 4: 4 · 1.55176 / π = 1.97575 (by hand), and the Gaussian's MTF
        // exp(−2π²σ²ν²) at the coarse Nyquist ν = 1/8 is 0.3 again.
        const double sigma = psfSigmaForReduction(4.0);
        QVERIFY(std::abs(sigma - 1.97575) < 1e-4);
        QVERIFY(std::abs(std::exp(-2 * M_PI * M_PI * sigma * sigma / 64.0) - 0.3) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(Error, psfSigmaForReduction(4.0, 1.0));
    }

    void blurKeepsConstantsAndNoDataInPlace() {
        ImageStack image(20, 10, {"a"});
        std::fill(image.values.begin(), image.values.end(), 0.25f);
        image.at(5, 5, 0) = NAN;
        const ImageStack blurred = gaussianBlur(image, 1.5);
        for (int y = 0; y < 10; ++y)
            for (int x = 0; x < 20; ++x)
                if (x == 5 && y == 5) QVERIFY(std::isnan(blurred.at(x, y, 0))); // stays no-data
                else QVERIFY(std::abs(blurred.at(x, y, 0) - 0.25f) < 1e-6);    // never spreads, edges renormalised
        // A coarse grid of pixels 4 wide over 20 × 10: 5 × 3, the last row half outside (clamped).
        const ImageStack coarse = resampleBilinear(blurred, 5, 3, 4.0);
        QCOMPARE(coarse.width, 5);
        QVERIFY(std::abs(coarse.at(4, 2, 0) - 0.25f) < 1e-6);
    }

    void fusionRecoversATargetThatIsLinearInTheGuide() {
        // Hand-built truth: T = 2·G + 1 on a textured guide G. Degraded by 4 through the PSF and brought
        // back, bicubic keeps only the blur; hpf and gs inject the guide's missing detail with gain 2
        // (exactly, since the upsampled coarse T is 2·G_low + 1), the guided filter fits T ≈ a·G + b per window.
        const int size = 96;
        ImageStack guide(size, size, {"PAN"}), truth(size, size, {"T"});
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const float g = 0.2f + 0.05f * std::sin(x * 0.9f) * std::cos(y * 0.7f) + ((x / 3 + y / 5) % 2 ? 0.03f : 0.0f) + 0.001f * x;
                guide.at(x, y, 0) = g;
                truth.at(x, y, 0) = 2 * g + 1;
            }
        const auto scores = scoreFusion(truth, guide, 4.0);
        QCOMPARE(scores.size(), std::size_t(4));
        QCOMPARE(scores[0].method, std::string("bicubic"));
        const double bicubic = scores[0].rmse;
        QVERIFY(bicubic > 0.01); // the texture is lost by the reduction
        for (std::size_t i = 2; i < scores.size(); ++i) {
            QVERIFY2(scores[i].rmse < 0.25 * bicubic, qPrintable(QString("%1: %2 vs bicubic %3").arg(scores[i].method.c_str()).arg(scores[i].rmse).arg(bicubic)));
            QVERIFY(scores[i].ssim > scores[0].ssim && scores[i].ergas < scores[0].ergas);
        }
        // The guided filter only re-shapes what the coarse input already holds (an edge-preserving fit of
        // P↑ to G per window): texture finer than the coarse pixels, gone from P↑, cannot come back — it
        // must not make things worse, though.
        QCOMPARE(scores[1].method, std::string("guided"));
        QVERIFY(scores[1].rmse <= bicubic);
        QVERIFY2(scores[2].rmse < 1e-3, "hpf is exact up to the borders' clamping"); // hpf
        // ERGAS by its definition for one channel: 100/f · RMSE / mean.
        double mean = 0;
        for (float v : truth.values) mean += v;
        mean /= truth.values.size();
        QVERIFY(std::abs(scores[0].ergas - 100.0 / 4.0 * scores[0].rmse / mean) < 1e-9);
    }

    void noiseEstimateIgnoresPlanarSignalAndFindsTheNoise() {
        // Immerkær's kernel cancels any plane, so a tilted image with Gaussian noise of σ = 0.01 gives
        // back ≈ 0.01; a noise-free plane gives 0.
        ImageStack image(200, 150, {"PAN", "RED"});
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0.0, 0.01);
        for (int y = 0; y < 150; ++y)
            for (int x = 0; x < 200; ++x) {
                const double plane = 0.2 + 0.001 * x - 0.0005 * y;
                image.at(x, y, 0) = static_cast<float>(plane + noise(rng));
                image.at(x, y, 1) = static_cast<float>(plane);
            }
        image.at(10, 10, 0) = NAN; // a no-data pixel only drops its neighbourhoods
        const auto sigma = estimateNoiseSigma(image);
        QVERIFY2(std::abs(sigma[0] - 0.01) < 0.0005, qPrintable(QString::number(sigma[0])));
        QVERIFY(sigma[1] < 1e-6);
    }

    void calibrationFitRecoversAPerturbedGainAndOffset() {
        // The image is the reference seen through gain 1.1 and offset 0.01: the fit undoes it exactly.
        ImageStack reference(40, 30, {"PAN"}), image(40, 30, {"PAN"});
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x) {
                reference.at(x, y, 0) = 0.1f + 0.003f * x + 0.002f * ((x * y) % 7);
                image.at(x, y, 0) = 1.1f * reference.at(x, y, 0) + 0.01f;
            }
        const auto fits = fitToReference(image, reference);
        QCOMPARE(fits.size(), std::size_t(1));
        QVERIFY(std::abs(fits[0].gain - 1 / 1.1) < 1e-5 && std::abs(fits[0].offset + 0.01 / 1.1) < 1e-5 && fits[0].r2 > 0.99999);
        QCOMPARE(fits[0].pixels, std::size_t(1200));
        applyBandFits(image, fits);
        for (std::size_t i = 0; i < image.values.size(); ++i) QVERIFY(std::abs(image.values[i] - reference.values[i]) < 1e-5);
        // Sampling through georeferences: a target grid shifted by one source pixel east and one south
        // (same CRS, pixels 10 m) reads the source one pixel further on; outside the source it is NaN.
        SceneMetadata source, target;
        source.geoTransform = std::array<double, 6>{1000, 10, 0, 5000, 0, -10};
        target.geoTransform = std::array<double, 6>{1010, 10, 0, 4990, 0, -10};
        const ImageStack sampled = sampleOnGrid(reference, source, 40, 30, target);
        QCOMPARE(sampled.at(0, 0, 0), reference.at(1, 1, 0));
        QCOMPARE(sampled.at(20, 10, 0), reference.at(21, 11, 0));
        QVERIFY(std::isnan(sampled.at(39, 29, 0)));
        QVERIFY_THROWS_EXCEPTION(Error, fitToReference(image, ImageStack(40, 30, {"RED"})));
    }

    // Scale bar, north arrow and graticule against closed forms on analytic grids.
    void colourBarTicksAreRoundValuesInsideTheRange() {
        // By hand: 0.02421…0.06883 spans 0.0446; a fifth is 0.0089 → step 0.01 → 0.03, 0.04, 0.05, 0.06.
        const auto near = [](const std::vector<double>& got, const std::vector<double>& want) {
            if (got.size() != want.size()) return false;
            for (std::size_t i = 0; i < got.size(); ++i)
                if (std::abs(got[i] - want[i]) > 1e-12) return false;
            return true;
        };
        const auto a = niceTicks(0.02421, 0.06883, 5);
        QVERIFY(near(a, {0.03, 0.04, 0.05, 0.06}));
        QCOMPARE(tickDecimals(a), 2);
        // −0.008875…0.002575: step 0.005 gives only 2 ticks, so 0.002: −0.008 … 0.002, zero exactly 0.
        const auto b = niceTicks(-0.008875, 0.002575, 5);
        QVERIFY(near(b, {-0.008, -0.006, -0.004, -0.002, 0.0, 0.002}));
        QCOMPARE(tickDecimals(b), 3);
        QVERIFY(near(niceTicks(0, 1, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0}));
        QCOMPARE(tickDecimals(niceTicks(0, 400, 5)), 0);
        QVERIFY(niceTicks(1, 1).empty() && niceTicks(2, 1).empty() && niceTicks(0, NAN).empty());
    }

    void mapFiguresMeasureOnTheMarsSphere() {
        // 18 m pixels at the equator: 64 px (a quarter of 256) = 1152 m → a 1 km bar of 1000/18 px.
        const auto equator = chooseScaleBar(TurnedEquirectangular(0, 77, 18, 0, 256), 256, 256);
        QVERIFY(equator);
        QCOMPARE(equator->lengthM, 1000.0);
        QVERIFY(std::abs(equator->lengthPx - 1000.0 / 18) < 1e-6);
        QCOMPARE(QString::fromStdString(equator->label), QString("1 km"));
        // At 60° N a pixel of this grid spans 18 cos 60° = 9 m east-west: 576 m → 500 m over 500/9 px.
        const auto north = chooseScaleBar(TurnedEquirectangular(60, 77, 18, 0, 256), 256, 256);
        QVERIFY(north);
        QCOMPARE(north->lengthM, 500.0);
        QVERIFY2(std::abs(north->lengthPx - 500.0 / 9) < 1e-4, qPrintable(QString::number(north->lengthPx)));
        QCOMPARE(QString::fromStdString(north->label), QString("500 m"));
        // One degree of latitude on the IAU sphere: R π / 180.
        QVERIFY(std::abs(marsSurfaceDistanceM({0, 10}, {1, 10}) - kMarsRadiusM * M_PI / 180) < 1e-6);
        QVERIFY(std::abs(marsSurfaceDistanceM({0, 179.5}, {0, -179.5}) - kMarsRadiusM * M_PI / 180) < 1e-6); // across the antimeridian

        // North: up on a north-up grid; a grid turned by θ has north at −θ (derived in the geolocator's frame).
        const auto up = northBearingDeg(TurnedEquirectangular(18, 77, 18, 0, 256), 128, 128);
        const auto turned = northBearingDeg(TurnedEquirectangular(18, 77, 18, 30, 256), 40, 200);
        const auto across = northBearingDeg(TurnedEquirectangular(-40, 179.99, 18, -120, 256), 128, 128);
        QVERIFY(up && turned && across);
        QVERIFY(std::abs(*up) < 1e-9);
        QVERIFY(std::abs(*turned + 30) < 1e-6);
        QVERIFY(std::abs(*across - 120) < 1e-6);

        // Graticule: every segment end lies on its line (the fields are linear, so exactly), the
        // step is 1-2-5 and gives about four lines, parallels are labelled at the left edge.
        for (const double turn : {0.0, 25.0}) {
            const TurnedEquirectangular geo(18.4, 77.4, 18, turn, 256);
            const auto lines = graticule(geo, 256, 256);
            int parallels = 0, meridians = 0;
            for (const GraticuleLine& line : lines) {
                (line.latitude ? parallels : meridians)++;
                QVERIFY(!line.segments.empty());
                for (const auto& s : line.segments)
                    for (int e = 0; e < 2; ++e) {
                        const LatLon p = *geo.latLon(s[2 * e], s[2 * e + 1]);
                        QVERIFY(s[2 * e] >= -1e-9 && s[2 * e] <= 256 + 1e-9 && s[2 * e + 1] >= -1e-9 && s[2 * e + 1] <= 256 + 1e-9);
                        QVERIFY2(std::abs((line.latitude ? p.latitudeDeg : p.longitudeDeg) - line.valueDeg) < 1e-9, line.label.c_str());
                    }
            }
            // 256 × 18 m = 0.0777° of latitude (more over the turned diagonal): a 0.02° step, 3–6 lines.
            QVERIFY2(parallels >= 3 && parallels <= 6, qPrintable(QString::number(parallels)));
            QVERIFY2(meridians >= 3 && meridians <= 6, qPrintable(QString::number(meridians)));
            if (turn == 0) {
                // latitudes 18.4 ± 0.0389°: the first multiple of 0.02° in view is 18.38°
                QCOMPARE(QString::fromStdString(lines.front().label), QString("18.38°N"));
                QVERIFY(std::abs(lines.front().labelX) < 1e-9);
            }
        }
        // Across the antimeridian the meridians stay continuous: 180° is one line, not a seam.
        const TurnedEquirectangular dateline(0, 180, 100, 0, 256);
        int at180 = 0;
        for (const GraticuleLine& line : graticule(dateline, 256, 256))
            if (!line.latitude && std::abs(std::abs(line.valueDeg) - 180) < 1e-9) ++at180;
        QCOMPARE(at180, 1);

        QCOMPARE(QString::fromStdString(formatLatitude(-3.25, 0.05)), QString("3.25°S"));
        QCOMPARE(QString::fromStdString(formatLongitude(77.4, 0.2)), QString("77.4°E"));
        QCOMPARE(QString::fromStdString(formatLongitude(240, 10)), QString("120°W"));
        QCOMPARE(QString::fromStdString(formatLatitude(-0.001, 0.5)), QString("0.0°N"));
    }
};

QTEST_GUILESS_MAIN(TestCore)
#include "test_core.moc"
