// CRISM clean-up: the bad-band list against the real MTRDR wavelength table, spike removal and column
// destriping on cubes with known spikes and known detector-column gains.
#include "TestPaths.h"
#include "jezero/core/BadBands.h"
#include "jezero/core/CubeCleanup.h"
#include "jezero/core/Error.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SceneMetadata.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/Task.h"
#include "jezero/core/WavelengthTable.h"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

using namespace jezero;

namespace {

std::vector<double> mtrdrGrid() { return readMtrdrAxisTable(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString()).wavelengthsNm; }

// detector (1 = S, 0 = L) → the detector rows the real MTRDR product keeps.
std::set<int> mtrdrRows(int detector) {
    std::ifstream in(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString());
    std::set<int> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::replace(line.begin(), line.end(), ',', ' ');
        std::istringstream fields(line);
        int d = -1, row = -1;
        if (fields >> d >> row && d == detector) rows.insert(row);
    }
    return rows;
}

// A Mars-like TRR3 spectrum: a red slope, a broad 1 µm band, a carbonate-like 2.3 µm band and the
// atmosphere's narrow, deep CO₂ absorptions at 1.96 and 2.01 µm (a few channels wide).
double marsLike(double nm, double albedo) {
    const double um = nm / 1000.0;
    return albedo * (1.0 + 0.08 * um) * (1.0 - 0.06 * std::exp(-std::pow((um - 1.05) / 0.12, 2))) *
           (1.0 - 0.05 * std::exp(-std::pow((um - 2.31) / 0.04, 2))) * (1.0 - 0.2 * std::exp(-std::pow((um - 1.962) / 0.012, 2))) *
           (1.0 - 0.3 * std::exp(-std::pow((um - 2.009) / 0.012, 2)));
}

SpectralCube marsLikeCube(int width, int height, double noise, unsigned seed) {
    SpectralCube cube(width, height, mtrdrGrid());
    std::mt19937 rng(seed);
    std::normal_distribution<double> n(0.0, noise);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            // Scene structure across the track: a bright unit on the left third, a slow gradient.
            const double albedo = (x < width / 3 ? 0.32 : 0.22) + 0.02 * y / height;
            float* s = cube.spectrum(x, y);
            for (int b = 0; b < cube.bands(); ++b) s[b] = static_cast<float>(marsLike(cube.wavelengthsNm()[b], albedo) + n(rng));
        }
    return cube;
}

} // namespace

class TestCleanup : public QObject {
    Q_OBJECT

private slots:
    void badBandsAreTheChannelsTheMtrdrProductLeavesOut() {
        // The real MTRDR table keeps some detector rows of each detector; on the TRR3 grids (every row), a
        // channel is good exactly when MTRDR keeps its row.
        const struct {
            const char* table;
            const char* sensor;
            int detector;
        } detectors[] = {{"crism/wavelengths/trr3_S_band_wavelengths_107.csv", "S", 1}, {"crism/wavelengths/trr3_L_band_wavelengths_438.csv", "L", 0}};
        for (const auto& d : detectors) {
            const auto rows = readDetectorRowWavelengths(test::resource(d.table).toStdString());
            const auto kept = mtrdrRows(d.detector);
            const BadBands bad = BadBands::forCrism(d.sensor, "TRR3");
            int good = 0;
            for (const auto& [row, nm] : rows) {
                QVERIFY2(bad.isBad(nm) == !kept.count(row), qPrintable(QString("%1 row %2 (%3 nm)").arg(d.sensor).arg(row).arg(nm)));
                good += !bad.isBad(nm);
            }
            QCOMPARE(good, static_cast<int>(kept.size()));
        }
        // Every MTRDR channel is good in the joined set, which is also the parameters' pipeline set.
        for (double nm : mtrdrGrid()) QVERIFY(!BadBands::crismPipeline().isBad(nm));
        QVERIFY(BadBands::crismPipeline().isBad(1030) && BadBands::crismPipeline().isBad(2700) && BadBands::crismPipeline().isBad(3920));
        QVERIFY(BadBands::forCrism("S").isBad(1030)); // S: beyond 1015 nm is the detector's end
        QCOMPARE(crismProductType("FRT0001458F_01_IF156L_TRR3"), std::string("TRR3"));
        QCOMPARE(crismProductType("frt0000932c_07_if164j_mtr3_subsampled"), std::string("MTR3"));
        QCOMPARE(crismProductType("syn0001_jezero"), std::string());
        SceneMetadata cassis;
        cassis.filterNames = {"BLU", "PAN", "RED", "NIR"};
        QVERIFY(BadBands::forScene(cassis).ranges().empty());
        const auto masked = BadBands::crismPipeline().masked({420, 500, 700, 1500}, {1, 2, 3, 4});
        QVERIFY(std::isnan(masked[0]) && masked[1] == 2 && std::isnan(masked[2]) && masked[3] == 4);
    }

    void spikesAreReplacedAndBandsKept() {
        SpectralCube cube = marsLikeCube(40, 30, 0.001, 1);
        const SpectralCube clean = cube;
        const BadBands bad = BadBands::crismPipeline();
        // 60 spikes (some in adjacent pairs, positive and negative, 10–200 % of the level), and one in a
        // channel the list calls bad, which must stay.
        std::mt19937 rng(5);
        std::uniform_int_distribution<int> px(0, 39), py(0, 29), pb(5, cube.bands() - 6);
        std::uniform_real_distribution<double> size(0.1, 2.0);
        std::set<std::tuple<int, int, int>> spikes;
        while (spikes.size() < 60) {
            const int x = px(rng), y = py(rng), b = pb(rng);
            const double sign = spikes.size() % 3 ? 1.0 : -1.0;
            const auto factor = static_cast<float>(1.0 + sign * std::min(size(rng), 0.9));
            cube.spectrum(x, y)[b] *= factor;
            spikes.insert({x, y, b});
            if (spikes.size() % 10 == 0) { // a two-channel spike (a cosmic ray across two detector rows)
                cube.spectrum(x, y)[b + 1] *= factor;
                spikes.insert({x, y, b + 1});
            }
        }
        // A short VNIR scene of one spectrum everywhere: in its centre pixel a spike at 670 nm (inside 635–706,
        // a bad channel) stays, one at 600 nm goes.
        std::vector<double> vnir;
        for (double nm = 560; nm <= 760; nm += 10) vnir.push_back(nm);
        SpectralCube wide(5, 5, vnir);
        std::normal_distribution<float> small(0.0f, 0.001f);
        for (int y = 0; y < 5; ++y)
            for (int x = 0; x < 5; ++x)
                for (int b = 0; b < wide.bands(); ++b) wide.spectrum(x, y)[b] = 0.2f + small(rng);
        wide.spectrum(2, 2)[11] = 5.0f; // 670 nm
        wide.spectrum(2, 2)[4] = 5.0f;  // 600 nm
        const auto report = removeSpikes(cube, bad);
        // Each put back on the line between its neighbours: within 3 % of the clean value (the curvature of the
        // spectrum over three channels; most sharply between the two CO₂ bands).
        for (const auto& [x, y, b] : spikes)
            QVERIFY2(std::abs(cube.spectrum(x, y)[b] / clean.spectrum(x, y)[b] - 1) < 0.03, qPrintable(QString("spike at %1,%2 band %3").arg(x).arg(y).arg(b)));
        QVERIFY2(report.valuesReplaced == spikes.size(), qPrintable(QString::fromStdString(report.summary())));
        // The bands survive: 2.3 µm band depth of every pixel within noise of the clean cube's.
        const SummaryParameters depth(cube.wavelengthsNm(), {"BD2290"});
        for (int y = 0; y < 30; y += 7)
            for (int x = 0; x < 40; x += 9)
                QVERIFY(std::abs(depth.compute(cube.spectrum(x, y))[0] - depth.compute(clean.spectrum(x, y))[0]) < 0.01);
        QCOMPARE(removeSpikes(wide, bad).valuesReplaced, std::size_t(1));
        QCOMPARE(wide.spectrum(2, 2)[11], 5.0f);
        QVERIFY(std::abs(wide.spectrum(2, 2)[4] - 0.2f) < 0.005f);
        // Noise and narrow bands are left alone: a clean cube keeps every value, the CO₂ band minima included.
        SpectralCube quiet = marsLikeCube(40, 30, 0.001, 2);
        const SpectralCube quietBefore = quiet;
        QCOMPARE(removeSpikes(quiet, bad).valuesReplaced, std::size_t(0));
        QVERIFY(std::equal(quiet.data(), quiet.data() + quiet.pixelCount() * quiet.bands(), quietBefore.data()));
        QVERIFY_THROWS_EXCEPTION(Error, removeSpikes(quiet, bad, {0.0, 0.02}));
    }

    void destripingRecoversDetectorColumnGains() {
        // Each detector column has a gain per band (±3 %, and one dead-ish column at −15 %) on a scene with a
        // bright unit and a gradient; destriping must find the gains and keep the scene.
        const int width = 120, height = 60;
        SpectralCube scene = marsLikeCube(width, height, 0.0005, 3);
        SpectralCube striped = scene;
        std::mt19937 rng(9);
        std::uniform_real_distribution<double> gain(0.97, 1.03);
        std::vector<std::vector<double>> truth(static_cast<std::size_t>(scene.bands()), std::vector<double>(width));
        for (int b = 0; b < scene.bands(); ++b)
            for (int x = 0; x < width; ++x) truth[b][x] = x == 77 ? 0.85 : gain(rng);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                for (int b = 0; b < scene.bands(); ++b) striped.spectrum(x, y)[b] = static_cast<float>(striped.spectrum(x, y)[b] * truth[b][x]);
        // TRR3 masks its edge columns: no data there, gain 1.
        for (int y = 0; y < height; ++y)
            for (int x : {0, 1, width - 1}) std::fill(striped.spectrum(x, y), striped.spectrum(x, y) + scene.bands(), std::nanf(""));
        TaskControl control;
        double lastProgress = 0;
        control.setProgressCallback([&](double p, const std::string&) { lastProgress = p; });
        const auto report = destripeColumns(striped, BadBands::crismPipeline(), {}, &control);
        QCOMPARE(report.bandsCorrected, scene.bands());
        QCOMPARE(lastProgress, 1.0);
        // What is left of the stripes: after division, striped / scene = true gain / found gain, which must be
        // smooth across columns (the running median's level); column-to-column jumps were ±3 %.
        // The stripe left: the column-to-column jump (second difference) of that ratio, beside the true gains' own.
        double worst = 0, before = 0, squares = 0, squaresBefore = 0;
        int count = 0;
        for (int b = 0; b < scene.bands(); b += 17) {
            std::vector<double> r(width);
            for (int x = 0; x < width; ++x) r[x] = striped.spectrum(x, height / 2)[b] / scene.spectrum(x, height / 2)[b];
            for (int x = 3; x + 2 < width; ++x) {
                const double after = r[x] - 0.5 * (r[x - 1] + r[x + 1]), was = truth[b][x] - 0.5 * (truth[b][x - 1] + truth[b][x + 1]);
                worst = std::max(worst, std::abs(after));
                before = std::max(before, std::abs(was));
                squares += after * after, squaresBefore += was * was, ++count;
            }
        }
        const double rms = std::sqrt(squares / count), rmsBefore = std::sqrt(squaresBefore / count);
        qInfo("column-to-column stripe: rms %.4f before, %.4f after; largest %.4f before, %.4f after", rmsBefore, rms, before, worst);
        QVERIFY(rms < 0.15 * rmsBefore);
        QVERIFY(worst < 0.25 * before);
        QVERIFY(std::abs(report.gains[100][77] - 0.85) < 0.02);
        QCOMPARE(report.gains[100][0], 1.0f);
        QVERIFY(report.largestCorrection > 0.13 && report.meanAbsoluteCorrection > 0.01 && report.meanAbsoluteCorrection < 0.03);
        // The bright unit's edge (x = 40) stays sharp: the left/right contrast is the scene's.
        const int b = 200;
        const double contrast = striped.spectrum(35, 30)[b] / striped.spectrum(45, 30)[b];
        const double sceneContrast = scene.spectrum(35, 30)[b] / scene.spectrum(45, 30)[b];
        QVERIFY2(std::abs(contrast / sceneContrast - 1.0) < 0.01, qPrintable(QString("%1 vs %2").arg(contrast).arg(sceneContrast)));
        // A cube without stripes is changed by less than its noise (0.23 % a pixel here; the column medians
        // over 60 rows of a sloping scene scatter by about half that).
        SpectralCube calm = marsLikeCube(width, height, 0.0005, 4);
        const auto calmReport = destripeColumns(calm, BadBands::crismPipeline());
        QVERIFY2(calmReport.meanAbsoluteCorrection < 0.0015 && calmReport.largestCorrection < 0.01, qPrintable(QString::fromStdString(calmReport.summary())));
        // Canceling stops it.
        TaskControl cancel;
        cancel.cancel();
        QVERIFY_THROWS_EXCEPTION(TaskCanceled, destripeColumns(calm, BadBands::crismPipeline(), {}, &cancel));
        QVERIFY_THROWS_EXCEPTION(Error, destripeColumns(calm, BadBands::crismPipeline(), {4}));
    }

    void continuumRemovalSkipsBadBands() {
        // A spike in a bad channel would lift the hull; with the channel masked the continuum is the line.
        const std::vector<double> w{1000, 1010, 1020, 1030, 1050, 1100, 1200};
        std::vector<double> v{0.20, 0.20, 0.20, 0.90, 0.20, 0.18, 0.20};
        const auto removed = continuumRemoved(w, BadBands::crismPipeline().masked(w, v));
        QVERIFY(std::isnan(removed[2]) && std::isnan(removed[3])); // 1020 and 1030 nm: the detector overlap
        QVERIFY(std::abs(removed[5] - 0.9) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(TestCleanup)
#include "test_cleanup.moc"
