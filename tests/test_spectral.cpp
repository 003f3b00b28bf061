// Spectral engine: CaSSIS simulation, model inputs, PCA and the summary parameters, against
// closed-form answers, the parameter table's own numbers and the MICA type spectra.
#include "TestPaths.h"
#include "../core/src/SmallMedian.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SpectralLibrary.h"
#include "jezero/core/SpectralMatching.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/WavelengthTable.h"

#include <Eigen/Dense>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

using namespace jezero;

namespace {

std::vector<double> mtrdrGrid() {
    return readMtrdrAxisTable(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString()).wavelengthsNm;
}

double continuum(double nm) { return 0.30 + 0.02 * nm / 1000.0; } // a sloped, linear "Mars" continuum

double nearestChannel(const std::vector<double>& grid, double nm) {
    return *std::min_element(grid.begin(), grid.end(), [&](double a, double b) { return std::abs(a - nm) < std::abs(b - nm); });
}

// One row of the shipped parameter table.
struct TableRow {
    std::string name, formula;
    std::vector<double> centre, shortAnchor, longAnchor;
    std::vector<int> kernels; // centre, short, long (empty fields skipped)
};

std::vector<std::string> splitCsvLine(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) fields.push_back(std::exchange(field, {}));
        else field += c;
    }
    fields.push_back(field);
    return fields;
}

std::vector<double> numbers(const std::string& field) {
    std::vector<double> out;
    std::stringstream ss(field);
    std::string item;
    while (std::getline(ss, item, ';'))
        if (!item.empty()) out.push_back(std::stod(item));
    return out;
}

std::map<std::string, TableRow> parameterTable() {
    std::ifstream in(test::resource("crism/parameters/crism_summary_parameters_vb2014.csv").toStdString());
    std::string line;
    std::getline(in, line);
    std::map<std::string, TableRow> rows;
    while (std::getline(in, line)) {
        const auto f = splitCsvLine(line);
        TableRow row{f[0], f[1], numbers(f[2]), numbers(f[3]), numbers(f[4]), {}};
        for (int i = 5; i <= 7; ++i) row.kernels.push_back(f[i].empty() ? 0 : std::stoi(f[i]));
        rows[row.name] = row;
    }
    return rows;
}

std::vector<float> spectrumWith(const std::vector<double>& grid, double lo, double hi, double factor, bool sloped = true) {
    std::vector<float> s;
    for (double w : grid) s.push_back(static_cast<float>((sloped ? continuum(w) : 0.3) * ((w >= lo && w <= hi) ? factor : 1.0)));
    return s;
}

float parameter(const std::vector<double>& grid, const std::vector<float>& spectrum, const std::string& name) {
    return SummaryParameters(grid, {name}).compute(spectrum.data())[0];
}

// A MICA type spectrum (ratioed I/F, column 2) on its own grid.
std::pair<std::vector<double>, std::vector<float>> mica(const std::string& mineral) {
    std::ifstream in(test::resource(QString::fromStdString("spectra/mica_crism_type_spectra/crism_spec_" + mineral + ".txt")).toStdString());
    std::pair<std::vector<double>, std::vector<float>> s;
    double w, ratio, rest;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        if (!(row >> w >> ratio >> rest)) continue;
        s.first.push_back(w * 1000.0);
        s.second.push_back(static_cast<float>(ratio));
    }
    return s;
}

} // namespace

class TestSpectral : public QObject {
    Q_OBJECT
private slots:
    // ---- CaSSIS simulation ------------------------------------------------------------------------
    void cassisOfAFlatSpectrumIsThatValue() {
        SpectralCube cube(2, 1, mtrdrGrid());
        std::fill(cube.data(), cube.data() + cube.bands(), 0.25f);
        for (int b = 0; b < cube.bands(); ++b) cube.spectrum(1, 0)[b] = std::nanf("");
        const auto bands = simulateCassis(cube, cassisFilters());
        QCOMPARE(bands.channelNames, (std::vector<std::string>{"BLU", "PAN", "RED", "NIR"}));
        for (int f = 0; f < 4; ++f) {
            QVERIFY(std::abs(bands.at(0, 0, f) - 0.25f) < 1e-6);
            QVERIFY(std::isnan(bands.at(1, 0, f))); // no valid channel → NaN
        }
    }

    void cassisIsTheResponseWeightedMeanComputedByHand() {
        // Two-channel filter table and a three-channel cube: weights R·Δλ by hand.
        FilterSet filters{{500, 600}, {{"F", {1.0, 3.0}}}};
        SpectralCube cube(1, 1, {500, 550, 600});
        cube.setFwhmNm({10, 10, 20});
        float* s = cube.spectrum(0, 0);
        s[0] = 1;
        s[1] = 2;
        s[2] = 4;
        // R at 500, 550, 600 = 1, 2, 3; weights 10, 20, 60; mean = (10·1 + 20·2 + 60·4) / 90
        QVERIFY(std::abs(simulateCassis(cube, filters).at(0, 0, 0) - 290.0f / 90.0f) < 1e-6);
        s[1] = std::nanf(""); // invalid channel drops out of both sums: (10 + 240) / 70
        QVERIFY(std::abs(simulateCassis(cube, filters).at(0, 0, 0) - 250.0f / 70.0f) < 1e-6);
    }

    // ---- model inputs -----------------------------------------------------------------------------
    void pnrAndFourBandPickTheCassisBands() {
        SpectralCube cube(3, 2, mtrdrGrid());
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x)
                for (int b = 0; b < cube.bands(); ++b)
                    cube.spectrum(x, y)[b] = static_cast<float>(0.1 + 0.01 * x + 0.0001 * cube.wavelengthsNm()[b]);
        const auto filters = cassisFilters();
        const auto bands = simulateCassis(cube, filters);
        const auto pnr = makeModelInput(cube, InputKind::Pnr, filters);
        QCOMPARE(pnr.channelNames, (std::vector<std::string>{"PAN", "NIR", "RED"}));
        QCOMPARE(pnr.at(2, 1, 1), bands.at(2, 1, 3));
        const auto four = makeModelInput(cube, InputKind::FourBand, filters);
        QCOMPARE(four.at(1, 0, 0), bands.at(1, 0, 0));
        QVERIFY_THROWS_EXCEPTION(Error, parseInputKind("rgb"));
    }

    void pcaMatchesAHandComputedTwoChannelCase() {
        // Points on the line y = x (plus a symmetric spread on y = -x): covariance [[a, b], [b, a]]
        // has eigenvectors (1, 1)/√2 and (−1, 1)/√2 (sign: largest |entry| positive).
        ImageStack image(4, 1, {"u", "v"});
        const float pts[4][2] = {{1, 1}, {3, 3}, {2.5f, 1.5f}, {1.5f, 2.5f}};
        for (int i = 0; i < 4; ++i) {
            image.at(i, 0, 0) = pts[i][0];
            image.at(i, 0, 1) = pts[i][1];
        }
        const auto pca = principalComponents(image, 2);
        // Centred: (−1,−1), (1,1), (.5,−.5), (−.5,.5); var along (1,1)/√2 = (2+2)/3, along (1,−1)/√2 = (.5+.5)/3.
        QVERIFY(std::abs(pca.explainedVariance[0] - 0.8) < 1e-9);
        QVERIFY(std::abs(pca.axes[0][0] - M_SQRT1_2) < 1e-9 && std::abs(pca.axes[0][1] - M_SQRT1_2) < 1e-9);
        QVERIFY(std::abs(pca.components.at(1, 0, 0) - std::sqrt(2.0f)) < 1e-6); // (1,1)·(1,1)/√2
        QVERIFY(std::abs(pca.components.at(0, 0, 1)) < 1e-6);
    }

    void rectangularFiltersAverageTheChannelsInRange() {
        SpectralCube cube(1, 1, {800, 850, 900, 1600, 1700});
        float* s = cube.spectrum(0, 0);
        const float v[] = {1, 2, std::nanf(""), 5, 7};
        std::copy(v, v + 5, s);
        auto ranges = parseRanges("780-900, 1550-1990");
        const auto mean = rectangularFilters(cube, ranges);
        QCOMPARE(mean.at(0, 0, 0), 1.5f); // 800 and 850; 900 is NaN
        QCOMPARE(mean.at(0, 0, 1), 6.0f);
        ranges.nearestToCentre = true;
        QCOMPARE(rectangularFilters(cube, ranges).at(0, 0, 1), 7.0f); // centre 1770 → 1700 nm channel
        QVERIFY_THROWS_EXCEPTION(Error, parseRanges("900-800"));
        QVERIFY_THROWS_EXCEPTION(Error, rectangularFilters(cube, parseRanges("2000-2100")));
    }

    void normalisationMapsToUnitRangeOrStandardScores() {
        ImageStack image(3, 1, {"a"});
        image.values = {2, 4, 6};
        ImageStack copy = image;
        normaliseImageWise(image);
        QCOMPARE(image.values, (std::vector<float>{0, 0.5f, 1}));
        const auto stats = channelStatistics({&copy});
        QCOMPARE(stats.mean[0], 4.0);
        QCOMPARE(stats.stddev[0], 2.0);
        normaliseWith(copy, stats);
        QCOMPARE(copy.values, (std::vector<float>{-1, 0, 1}));
    }

    // ---- summary parameters -----------------------------------------------------------------------
    void everyTableParameterIsImplementedWithTheTablesWavelengthsAndKernels() {
        const auto table = parameterTable();
        QCOMPARE(summaryParameterNames().size(), table.size());
        // The table is the paper's; the pipeline convention differs in BD1900_2 only (checked below).
        SummaryParameters all(mtrdrGrid(), {}, ParameterConvention::Paper);
        for (const auto& [name, row] : table) {
            const auto used = all.kernelsOf(name);
            const auto uses = [&](double nm, int k) {
                return std::find(used.begin(), used.end(), std::make_pair(nm, k)) != used.end();
            };
            for (double c : row.centre)
                if (row.kernels[0]) QVERIFY2(uses(c, row.kernels[0]), qPrintable(QString::fromStdString(name) + " centre"));
            for (double s : row.shortAnchor)
                if (row.kernels[1]) QVERIFY2(uses(s, row.kernels[1]), qPrintable(QString::fromStdString(name) + " short"));
            for (double l : row.longAnchor)
                if (row.kernels[2]) QVERIFY2(uses(l, row.kernels[2]), qPrintable(QString::fromStdString(name) + " long"));
        }
    }

    void everyParameterHasADescription() {
        for (const auto& name : summaryParameterNames()) {
            const ParameterDescription d = describeParameter(name);
            QVERIFY2(!d.formula.empty() && !d.rationale.empty(), name.c_str());
        }
        QVERIFY(describeParameter("BD2500_2").rationale.find("carbonate") != std::string::npos);
        QVERIFY(describeParameter("NOPE").formula.empty() && describeParameter("NOPE").unit.empty());
        // Units read off the formulas, one of each kind checked by hand against Viviano-Beck et al. 2014.
        const std::pair<const char*, const char*> units[] = {{"R770", "I/F"},         {"R2529", "I/F"},     {"RBR", "ratio"},
                                                             {"IRR2", "ratio"},       {"RPEAK1", "µm"},     {"BDI1000VIS", "µm"},
                                                             {"ISLOPE1", "I/F per µm"}, {"BD2500_2", "unitless"}, {"D2300", "unitless"},
                                                             {"OLINDEX3", "unitless"}, {"SINDEX2", "unitless"}, {"MIN2295_2480", "unitless"}};
        for (const auto& [name, unit] : units) QCOMPARE(QString::fromStdString(describeParameter(name).unit), QString::fromUtf8(unit));
        for (const auto& name : summaryParameterNames()) QVERIFY2(!describeParameter(name).unit.empty(), name.c_str());
    }

    void pipelineParametersMatchASecondImplementation() {
        // tests/reference/crism_pipeline.py transcribes the CRISM team's IDL with numpy and prints these
        // for the same spectrum (a sloped, rippled continuum with 1.93 and 3.42 µm absorptions).
        const auto grid = mtrdrGrid();
        std::vector<float> s;
        for (double w : grid) {
            double v = 0.25 + 0.02 * w / 1000.0 + 0.01 * std::sin(w / 97.0);
            v *= 1 - 0.05 * std::exp(-0.5 * std::pow((w - 1930) / 30.0, 2));
            v *= 1 - 0.06 * std::exp(-0.5 * std::pow((w - 3420) / 70.0, 2));
            s.push_back(static_cast<float>(v));
        }
        const std::vector<std::pair<std::string, double>> expected{{"BD1900_2", 0.0310934}, {"BD3400_2", 0.0846415}, {"R1330", 0.2856572},
                                                                   {"R3920", 0.3345207},    {"BD2500_2", -0.0056929}, {"R1080", 0.2616943}};
        for (const auto& [name, value] : expected) {
            const float v = parameter(grid, s, name);
            QVERIFY2(std::abs(v - value) < 2e-6, qPrintable(QString::fromStdString(name) + QString(": %1 vs %2").arg(v, 0, 'g', 8).arg(value)));
        }
    }

    void conventionsDifferWhereTheTeamsCodeDiffersFromThePaper() {
        const auto grid = mtrdrGrid();
        const auto with = [&](const std::vector<float>& s, const std::string& name, ParameterConvention c) {
            return SummaryParameters(grid, {name}, c).compute(s.data())[0];
        };
        // BD1900_2: a box only at 1930 nm (±2 channels) of depth 0.1 is 0.1 for the team's single
        // term, half that in the paper's average with the untouched 1985 nm term.
        const auto box = spectrumWith(grid, 1930 - 14, 1930 + 14, 0.9, /*sloped=*/false);
        QVERIFY(std::abs(with(box, "BD1900_2", ParameterConvention::CrismPipeline) - 0.1) < 2e-5);
        QVERIFY(std::abs(with(box, "BD1900_2", ParameterConvention::Paper) - 0.05) < 2e-5);
        // BD3400_2's even kernels (10): ±5 channels, symmetric, in the pipeline — on a straight line the
        // medians sit on the selected channels and the depth is 0; the paper's 10 lopsided channels
        // shift both anchors half a channel down, which a steep line shows.
        std::vector<float> line;
        for (double w : grid) line.push_back(static_cast<float>(0.05 + 0.2 * w / 1000.0));
        QVERIFY(std::abs(with(line, "BD3400_2", ParameterConvention::CrismPipeline)) < 1e-6);
        QVERIFY(std::abs(with(line, "BD3400_2", ParameterConvention::Paper)) > 1e-4);
        // R3920: the MTRDR grid ends at 3896.8 nm. The pipeline takes the nearest channel anyway, its
        // 5-channel kernel clamped to the last three (their median: the last but one); the paper finds
        // no channel within 20 nm.
        const std::size_t n = grid.size();
        QCOMPARE(with(line, "R3920", ParameterConvention::CrismPipeline), line[n - 2]);
        QVERIFY(std::isnan(with(line, "R3920", ParameterConvention::Paper)));
        // Channels the team's code drops (above 3900 nm here, on a grid that goes on to 3936 nm) are
        // never read: R3920 is the same whatever they hold.
        std::vector<double> longer = grid;
        for (double w = grid.back() + 6.55; w < 3940; w += 6.55) longer.push_back(w);
        std::vector<float> a(longer.size()), b(longer.size());
        for (std::size_t i = 0; i < longer.size(); ++i) a[i] = b[i] = static_cast<float>(0.05 + 0.2 * longer[i] / 1000.0);
        for (std::size_t i = n; i < longer.size(); ++i) b[i] = 5.0f;
        QCOMPARE(SummaryParameters(longer, {"R3920"}).compute(a.data())[0], SummaryParameters(longer, {"R3920"}).compute(b.data())[0]);
        QVERIFY(SummaryParameters(longer, {"R3920"}, ParameterConvention::Paper).compute(b.data())[0] > 1.0f); // the paper reads them
        // What the models learn (FAL, the carbonate parameters) is the same in both: odd kernels inside the kept ranges.
        std::vector<float> rough;
        for (std::size_t i = 0; i < n; ++i) rough.push_back(static_cast<float>(0.25 + 0.05 * std::sin(0.37 * i) + 0.02 * std::cos(1.3 * i)));
        for (const char* name : {"R2529", "R1506", "R1080", "MIN2295_2480", "MIN2345_2537", "BD2500_2", "BD3400_2"}) {
            const float a = with(rough, name, ParameterConvention::CrismPipeline), p = with(rough, name, ParameterConvention::Paper);
            if (std::string(name) == "BD3400_2") QVERIFY(a != p); // even kernels: the one carbonate parameter that differs
            else QVERIFY2(a == p, name);
        }
        QCOMPARE(parseParameterConvention("paper"), ParameterConvention::Paper);
        QVERIFY_THROWS_EXCEPTION(Error, parseParameterConvention("team"));
    }

    void bandDepthsRecoverAKnownBoxAbsorption() {
        // For every simple band depth in the table (1 - R/(a·Rs + b·Rl)): a linear continuum with a box
        // of depth d around the centre gives exactly d, since kernel medians of a linear function are
        // its value at the central channel and a·C(Ws) + b·C(Wl) = C(Wc). An even kernel's median is the
        // mean of its two middle channels (half a channel off on a slope), so those rows get a flat one.
        const auto grid = mtrdrGrid();
        int checked = 0;
        for (const auto& [name, row] : parameterTable()) {
            if (row.formula.rfind("1 - R", 0) != 0 || row.centre.size() != 1 || row.formula.find('(') == std::string::npos ||
                row.formula.find("R2530*") != std::string::npos)
                continue;
            const double c = row.centre[0], s = row.shortAnchor[0], l = row.longAnchor[0];
            const double halfCentre = (row.kernels[0] / 2 + 0.5) * 6.6;
            const double halfBox = std::min(c - s - (row.kernels[1] / 2 + 1) * 6.6, l - c - (row.kernels[2] / 2 + 1) * 6.6);
            if (halfBox < halfCentre) continue; // anchors too close for a clean box on this grid
            // Sloped only where every kernel is odd and lies whole inside the grid (a kernel at the grid's
            // edge is cut short, which also moves its median off the central channel on a slope).
            const auto whole = [&](double nm, int k) {
                const auto i = std::min_element(grid.begin(), grid.end(), [&](double a, double b) {
                    return std::abs(a - nm) < std::abs(b - nm); }) - grid.begin();
                return k % 2 == 1 && i - k / 2 >= 0 && i + k / 2 < static_cast<long>(grid.size());
            };
            const bool sloped = whole(c, row.kernels[0]) && whole(s, row.kernels[1]) && whole(l, row.kernels[2]);
            for (const double d : {0.05, 0.2}) {
                const float v = parameter(grid, spectrumWith(grid, c - halfBox, c + halfBox, 1 - d, sloped), name);
                QVERIFY2(std::abs(v - d) < 2e-5, qPrintable(QString("%1 = %2, expected %3").arg(name.c_str()).arg(v).arg(d)));
            }
            ++checked;
        }
        QVERIFY2(checked >= 20, qPrintable(QString::number(checked)));
    }

    void shoulderIndicesRecoverAKnownPeak() {
        // 1 - (a·Rs + b·Rl)/Rc with Rc raised by (1 + h): 1 - 1/(1 + h).
        const auto grid = mtrdrGrid();
        const float v = parameter(grid, spectrumWith(grid, 2290 - 25, 2290 + 25, 1.25), "SINDEX2");
        QVERIFY(std::abs(v - (1 - 1 / 1.25)) < 2e-5);
    }

    void continuumRatioParametersRecoverKnownDepths() {
        const auto grid = mtrdrGrid();
        // D2300: the 2290/2320/2330 channels lowered by d, the 2120–2210 ones untouched → d.
        QVERIFY(std::abs(parameter(grid, spectrumWith(grid, 2275, 2345, 0.9), "D2300") - 0.1) < 2e-5);
        // OLINDEX3: all five RB channels lowered by d, weights sum to 1 → d.
        QVERIFY(std::abs(parameter(grid, spectrumWith(grid, 1180, 1360, 0.85), "OLINDEX3") - 0.15) < 2e-5);
        // LCPINDEX2: 1690–1870 lowered by d → d.
        QVERIFY(std::abs(parameter(grid, spectrumWith(grid, 1665, 1895, 0.92), "LCPINDEX2") - 0.08) < 2e-5);
        // MIN2295_2480: only the 2480 band present → min(0, d) = 0; both present → the smaller.
        QVERIFY(std::abs(parameter(grid, spectrumWith(grid, 2460, 2500, 0.9), "MIN2295_2480")) < 2e-5);
        auto both = spectrumWith(grid, 2460, 2500, 0.9);
        for (std::size_t i = 0; i < grid.size(); ++i)
            if (grid[i] >= 2275 && grid[i] <= 2315) both[i] = static_cast<float>(continuum(grid[i]) * 0.95);
        QVERIFY(std::abs(parameter(grid, both, "MIN2295_2480") - 0.05) < 2e-5);
        // ISLOPE1 of a linear continuum is minus its slope per µm; BD3000 and ICER1_2 of a flat one are 0.
        QVERIFY(std::abs(parameter(grid, spectrumWith(grid, 0, 0, 1), "ISLOPE1") + 0.02) < 1e-5);
        const std::vector<float> flat(grid.size(), 0.2f);
        QVERIFY(std::abs(parameter(grid, flat, "BD3000")) < 1e-6);
        QVERIFY(std::abs(parameter(grid, flat, "ICER1_2")) < 1e-6);
        // Reflectances: R1330 is the median of 11 channels of the line, i.e. its value at the nearest channel.
        QVERIFY(std::abs(parameter(grid, spectrumWith(grid, 0, 0, 1), "R1330") - continuum(nearestChannel(grid, 1330))) < 1e-6);
    }

    void rpeak1AndBdi1000visOfAParabola() {
        // R = 0.3 − 0.5(λ − 0.75)² (λ in µm): the peak is at 0.75 µm with R = 0.3, and
        // BDI1000VIS = ∫ (1 − R/0.3) dλ from W833 to W1010 = (0.5/0.3)·[(b − .75)³ − (a − .75)³]/3.
        const auto grid = mtrdrGrid();
        std::vector<float> s;
        for (double w : grid) s.push_back(static_cast<float>(0.3 - 0.5 * std::pow(w / 1000 - 0.75, 2)));
        SummaryParameters p(grid, {"RPEAK1", "BDI1000VIS"});
        const auto v = p.compute(s.data());
        QVERIFY2(std::abs(v[0] - 0.75) < 1e-3, qPrintable(QString::number(v[0])));
        const double a = nearestChannel(grid, 833) / 1000, b = nearestChannel(grid, 1010.18) / 1000;
        const double expected = (0.5 / 0.3) * (std::pow(b - 0.75, 3) - std::pow(a - 0.75, 3)) / 3;
        QVERIFY2(std::abs(v[1] - expected) < 2e-4, qPrintable(QString("%1 vs %2").arg(v[1]).arg(expected)));
    }

    void rpeak1MatchesABruteForceImplementationOnMarsLikeSpectra() {
        // A second, plain implementation of the CAT definition (QR fit in µm, all 2001 points scanned)
        // on random dusty-Mars-like VNIR spectra: red slope, ferric shoulder, a 1 µm band, noise.
        const auto grid = mtrdrGrid();
        std::vector<int> channels;
        for (int c = 0; c < static_cast<int>(grid.size()); ++c)
            if (grid[c] >= 430 && grid[c] <= 1015 && !(grid[c] >= 635 && grid[c] <= 706)) channels.push_back(c);
        std::mt19937 rng(11);
        std::uniform_real_distribution<double> uniform(0, 1);
        const SummaryParameters engine(grid, {"RPEAK1"});
        for (int trial = 0; trial < 200; ++trial) {
            const double peak = 0.62 + 0.35 * uniform(rng), width = 0.15 + 0.3 * uniform(rng), depth = 0.2 * uniform(rng);
            std::vector<float> s(grid.size(), 0.2f);
            for (std::size_t c = 0; c < grid.size(); ++c) {
                const double um = grid[c] / 1000;
                s[c] = static_cast<float>(0.25 * std::exp(-std::pow((um - peak) / width, 2)) + 0.05 -
                                          depth * 0.1 * std::exp(-std::pow((um - 1.0) / 0.08, 2)) + 0.002 * (uniform(rng) - 0.5));
            }
            // Every third spectrum has no-data channels (the engine then fits that pixel alone), the first
            // VNIR channel among them every sixth (the grid then starts at the next one).
            std::vector<int> valid = channels;
            if (trial % 3 == 2) {
                for (std::size_t i = trial % 6 == 5 ? 0 : 7; i < valid.size(); i += 11) s[valid[i]] = std::nanf("");
                valid.erase(std::remove_if(valid.begin(), valid.end(), [&](int c) { return std::isnan(s[c]); }), valid.end());
            }
            Eigen::MatrixXd A(valid.size(), 6);
            Eigen::VectorXd y(valid.size());
            for (std::size_t i = 0; i < valid.size(); ++i) {
                for (int k = 0; k < 6; ++k) A(i, k) = std::pow(grid[valid[i]] / 1000, k);
                y(i) = s[valid[i]];
            }
            const Eigen::VectorXd coef = A.colPivHouseholderQr().solve(y);
            const double x0 = grid[valid.front()] / 1000, x1 = grid[valid.back()] / 1000;
            std::vector<double> xs(2001), vs(2001);
            int best = 0;
            for (int i = 0; i < 2001; ++i) {
                xs[i] = x0 + (x1 - x0) * i / 2000;
                vs[i] = 0;
                for (int k = 0; k < 6; ++k) vs[i] += coef(k) * std::pow(xs[i], k);
                if (vs[i] > vs[best]) best = i;
            }
            if (best == 2000 || xs[best] >= 0.9)
                for (int i = 1; i < 2000; ++i)
                    if (vs[i] - vs[i - 1] > 0 && vs[i + 1] - vs[i] <= 0) {
                        best = i;
                        break;
                    }
            const float ours = engine.compute(s.data())[0];
            QVERIFY2(std::abs(ours - xs[best]) < 2e-3, qPrintable(QString("trial %1: %2 vs %3").arg(trial).arg(ours).arg(xs[best])));
        }
    }

    void smallMediansAreTheMiddleOfTheSortedValues() {
        // The min/max networks the kernels use (1–16 values, single floats and eight lanes at once) against a
        // sort, with many ties; an even count averages the middle pair.
        std::mt19937 rng(17);
        std::uniform_int_distribution<int> level(0, 5);
        for (int trial = 0; trial < 20000; ++trial) {
            const int n = 1 + trial % 16;
            std::vector<float> v(static_cast<std::size_t>(n));
            detail::Lanes lanes[16];
            for (int i = 0; i < n; ++i) {
                v[i] = static_cast<float>(level(rng)) * 0.25f;
                for (int l = 0; l < detail::kLaneCount; ++l) lanes[i](l) = l == 3 ? -v[i] : v[i] + l;
            }
            std::vector<float> sorted = v;
            std::sort(sorted.begin(), sorted.end());
            const double expected = n % 2 ? sorted[n / 2] : 0.5 * (static_cast<double>(sorted[n / 2 - 1]) + sorted[n / 2]);
            std::vector<float> copy = v;
            QCOMPARE(detail::medianOf(copy.data(), n), expected);
            const auto [below, at] = detail::placeMedian(lanes, n);
            QCOMPARE(0.5 * (static_cast<double>(lanes[below](0)) + lanes[at](0)), expected);
            QCOMPARE(0.5 * (static_cast<double>(lanes[below](5)) + lanes[at](5)), expected + 5);
            QCOMPARE(0.5 * (static_cast<double>(lanes[below](3)) + lanes[at](3)), -expected); // the median of −v is −(median of v)
        }
        std::vector<float> many(41);
        std::iota(many.begin(), many.end(), 0.0f);
        std::shuffle(many.begin(), many.end(), rng);
        QCOMPARE(detail::medianOf(many.data(), 41), 20.0); // beyond the networks: nth_element
    }

    void aWholeCubeGivesWhatEachOfItsSpectraGives() {
        // The cube path takes eight pixels at a time through shared min/max networks and falls back to
        // one pixel at a time for a kernel with no-data: every pixel must come out exactly as compute(spectrum)
        // gives it, whatever the no-data (NaN, ±∞, whole kernels missing) and a width that is no multiple of 8.
        const auto grid = mtrdrGrid();
        SpectralCube cube(13, 5, grid);
        std::mt19937 rng(3);
        std::uniform_real_distribution<double> uniform(0, 1);
        for (int y = 0; y < cube.height(); ++y)
            for (int x = 0; x < cube.width(); ++x) {
                float* s = cube.spectrum(x, y);
                for (int b = 0; b < cube.bands(); ++b) s[b] = static_cast<float>(0.2 + 0.05 * std::sin(0.1 * b + x) + 0.01 * uniform(rng));
                if ((x + y) % 4 == 1) s[static_cast<int>(uniform(rng) * cube.bands())] = std::nanf("");
                if ((x + y) % 5 == 2) s[static_cast<int>(uniform(rng) * cube.bands())] = std::numeric_limits<float>::infinity();
                if (x == 3 && y == 1) std::fill(s + 200, s + 260, std::nanf(""));
                if (x == 12 && y == 4) std::fill(s, s + cube.bands(), std::nanf(""));
            }
        const SummaryParameters parameters(grid);
        const ImageStack image = parameters.compute(cube);
        int compared = 0;
        for (int y = 0; y < cube.height(); ++y)
            for (int x = 0; x < cube.width(); ++x) {
                const auto one = parameters.compute(cube.spectrum(x, y));
                for (int c = 0; c < image.channels(); ++c, ++compared) {
                    const float whole = image.at(x, y, c);
                    QVERIFY2(whole == one[c] || (std::isnan(whole) && std::isnan(one[c])),
                             qPrintable(QString("%1 at %2,%3: %4 vs %5").arg(QString::fromStdString(parameters.names()[c])).arg(x).arg(y).arg(whole).arg(one[c])));
                }
            }
        QCOMPARE(compared, 13 * 5 * 56);
        QVERIFY(std::isnan(image.at(12, 4, 0)));
    }

    void missingChannelsGiveNaN() {
        // A VNIR-only grid has no 2.3 µm channel: D2300 is NaN, R600 is not.
        std::vector<double> vnir;
        for (double w : mtrdrGrid())
            if (w < 1020) vnir.push_back(w);
        const std::vector<float> s(vnir.size(), 0.2f);
        SummaryParameters p(vnir, {"D2300", "R600"});
        const auto v = p.compute(s.data());
        QVERIFY(std::isnan(v[0]));
        QCOMPARE(v[1], 0.2f);
        QVERIFY_THROWS_EXCEPTION(Error, SummaryParameters(vnir, {"NOPE"}));
    }

    // ---- ROIs ---------------------------------------------------------------------------------------
    void roiPixelsAreThoseWhoseCentresLieInside() {
        QCOMPARE(roiPixels(rectangleRoi("r", 1, 1, 3, 3), 5, 5), (std::vector<std::pair<int, int>>{{1, 1}, {2, 1}, {1, 2}, {2, 2}}));
        // Right triangle (0,0)-(4,0)-(0,4): centres inside when (x+.5)+(y+.5) < 4, i.e. x+y < 3: 6 pixels.
        Roi triangle;
        triangle.vertices = {{0, 0}, {4, 0}, {0, 4}};
        QCOMPARE(roiPixels(triangle, 10, 10).size(), std::size_t(6));
        QCOMPARE(roiPixels(rectangleRoi("edge", -5, -5, 2, 1), 3, 3).size(), std::size_t(2)); // clipped to the scene
    }

    void roiSpectrumIsNanAwareMeanStdMedian() {
        SpectralCube cube(3, 1, {500, 600});
        const float values[3][2] = {{1, 10}, {2, std::nanf("")}, {6, 30}};
        for (int x = 0; x < 3; ++x) std::copy(values[x], values[x] + 2, cube.spectrum(x, 0));
        const auto s = roiSpectrum(cube, rectangleRoi("all", 0, 0, 3, 1));
        QCOMPARE(s.pixelCount, std::size_t(3));
        QCOMPARE(s.mean[0], 3.0);
        QCOMPARE(s.median[0], 2.0);
        QVERIFY(std::abs(s.stddev[0] - std::sqrt(7.0)) < 1e-12); // ((−2)² + (−1)² + 3²)/2 = 7
        QCOMPARE(s.validCount[1], 2);
        QCOMPARE(s.mean[1], 20.0);
        QCOMPARE(s.median[1], 20.0);
        const auto other = roiSpectrum(cube, rectangleRoi("first", 0, 0, 1, 1));
        const auto ratio = ratioSpectrum(s, other);
        QCOMPARE(ratio[0], 3.0);
        QCOMPARE(ratio[1], 2.0);
    }

    void continuumRemovalDividesByTheUpperHull() {
        // A line 1 + λ/1000 with one channel lowered to 80 % and one raised above the line: the hull
        // runs through the raised point, so the removed spectrum is 1 there and at the ends.
        const std::vector<double> w{1000, 1100, 1200, 1300, 1400};
        const std::vector<double> v{2.0, 2.1 * 0.8, 2.2, 2.3, 2.4};
        const auto r = continuumRemoved(w, v);
        QVERIFY(std::abs(r[0] - 1) < 1e-12 && std::abs(r[4] - 1) < 1e-12);
        QVERIFY(std::abs(r[1] - 0.8) < 1e-12);
        const std::vector<double> bump{2.0, 2.1, 2.5, 2.3, 2.4};
        const auto rb = continuumRemoved(w, bump);
        QVERIFY(std::abs(rb[2] - 1) < 1e-12);
        QVERIFY(std::abs(rb[1] - 2.1 / 2.25) < 1e-12); // hull from (1000, 2.0) to (1200, 2.5) is 2.25 at 1100
        std::vector<double> gap = v;
        gap[3] = std::nan("");
        QVERIFY(std::isnan(continuumRemoved(w, gap)[3]));
        // Over a range: a thermal rise at the long end (here 1400 nm) no longer lifts the hull over the
        // band; outside the range nothing is returned.
        const std::vector<double> rising{2.0, 2.1 * 0.8, 2.2, 2.3, 4.0};
        QVERIFY(continuumRemoved(w, rising)[3] < 0.8); // the whole range: the hull rides the rise
        const auto ranged = continuumRemoved(w, rising, 1000, 1300);
        QVERIFY(std::abs(ranged[1] - 0.8) < 1e-12 && std::abs(ranged[3] - 1) < 1e-12);
        QVERIFY(std::isnan(ranged[4]));
    }

    void roisRoundTripThroughGeoJsonWithMapCoordinates() {
        Roi free;
        free.name = "olivine unit";
        free.shape = Roi::Shape::Freehand;
        free.vertices = {{1, 2}, {5, 2.5}, {4, 7}};
        free.colour = {10, 200, 30};
        const std::vector<Roi> rois{rectangleRoi("dust", 0, 0, 3, 4), free};
        const std::array<double, 6> gt{1000, 18, 0, 5000, 0, -18};
        const std::string text = roisToGeoJson(rois, &gt);
        const auto json = QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
        const auto first = json["features"].toArray()[0].toObject();
        // Map coordinates: x = 1000 + 18·col, y = 5000 − 18·row; the ring is closed.
        const auto ring = first["geometry"].toObject()["coordinates"].toArray()[0].toArray();
        QCOMPARE(ring.size(), 5);
        QCOMPARE(ring[2].toArray()[0].toDouble(), 1000 + 18 * 3.0);
        QCOMPARE(ring[2].toArray()[1].toDouble(), 5000 - 18 * 4.0);
        const auto back = roisFromGeoJson(text);
        QCOMPARE(back.size(), std::size_t(2));
        QCOMPARE(back[1].name, std::string("olivine unit"));
        QVERIFY(back[1].shape == Roi::Shape::Freehand);
        QCOMPARE(back[1].vertices, free.vertices);
        QVERIFY(back[1].colour == free.colour);
        QVERIFY_THROWS_EXCEPTION(Error, roisFromGeoJson("{\"type\": \"Feature\"}"));
        QVERIFY_THROWS_EXCEPTION(Error, roisFromGeoJson("not json"));
    }

    // ---- spectral library -------------------------------------------------------------------------
    void gaussianResamplingMatchesTheClosedForm() {
        // A Gaussian absorption of depth d and width s0 seen through a Gaussian channel of width σ:
        // the depth at the centre becomes d·s0/√(s0² + σ²). Linear parts pass unchanged.
        LibrarySpectrum line{"line", "test", {}, {}};
        const double d = 0.3, s0 = 6.0, centre = 2300.0;
        for (double w = 2000; w <= 2600; w += 0.5) {
            line.wavelengthsNm.push_back(w);
            line.values.push_back(0.5 + 0.0001 * (w - 2000) - d * std::exp(-0.5 * std::pow((w - centre) / s0, 2)));
        }
        const double fwhm = 10.0, sigma = fwhm / 2.3548;
        const auto r = resampleToChannels(line, {2100, centre, 2700}, {fwhm, fwhm, fwhm});
        QVERIFY(std::abs(r[0] - (0.5 + 0.01)) < 1e-6);
        const double expected = 0.5 + 0.0001 * (centre - 2000) - d * s0 / std::sqrt(s0 * s0 + sigma * sigma);
        QVERIFY2(std::abs(r[1] - expected) < 1e-4, qPrintable(QString("%1 vs %2").arg(r[1]).arg(expected)));
        QVERIFY(std::isnan(r[2])); // outside the source
    }

    void bundledLibraryResamplesOntoAScene() {
        const auto library = bundledSpectralLibrary();
        QCOMPARE(library.size(), std::size_t(31 + 21 + 24));
        QVERIFY(std::any_of(library.begin(), library.end(), [](const LibrarySpectrum& s) { return s.name == "USGS Siderite HS271.3B" && s.kind == "USGS"; }));
        QCOMPARE(library.front().kind, std::string("MICA"));
        const auto magnesite = std::find_if(library.begin(), library.end(), [](const LibrarySpectrum& s) { return s.name == "MICA Mg carbonate"; });
        QVERIFY(magnesite != library.end());
        // MICA spectra sit on the MTRDR grid already: resampling onto it changes them only by the
        // channel response's smoothing (a few per cent at most on ratioed I/F near 1).
        const auto axis = readMtrdrAxisTable(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString());
        const auto resampled = resampleToChannels(*magnesite, axis.wavelengthsNm, axis.fwhmNm);
        int compared = 0;
        for (std::size_t c = 0; c < axis.wavelengthsNm.size(); ++c) {
            const auto it = std::find_if(magnesite->wavelengthsNm.begin(), magnesite->wavelengthsNm.end(),
                                         [&](double w) { return std::abs(w - axis.wavelengthsNm[c]) < 0.05; });
            if (it == magnesite->wavelengthsNm.end() || !std::isfinite(resampled[c])) continue;
            const double original = magnesite->values[it - magnesite->wavelengthsNm.begin()];
            QVERIFY2(std::abs(resampled[c] - original) < 0.03 * std::abs(original), qPrintable(QString::number(axis.wavelengthsNm[c])));
            ++compared;
        }
        QVERIFY(compared > 400);
        // The resampled magnesite still shows its 2.3 and 2.5 µm carbonate bands.
        QVERIFY(SummaryParameters(axis.wavelengthsNm, {"MIN2295_2480"}).compute(std::vector<float>(resampled.begin(), resampled.end()).data())[0] > 0);
    }

    void libraryMatchingFindsTheSpectrumAPixelWasMadeOf() {
        // Pixels made of a library spectrum (resampled onto the MTRDR grid — MTRDR widths, unlike the
        // matcher's default ones — times a brightness and a linear slope, plus 0.3 % noise) rank that
        // spectrum first by continuum-removed correlation over 1.0–2.6 µm.
        const auto library = bundledSpectralLibrary();
        const auto axis = readMtrdrAxisTable(test::resource("crism/wavelengths/mtrdr_axis.tab").toStdString());
        std::mt19937 rng(3);
        std::normal_distribution<double> noise(0.0, 0.003);
        int tried = 0;
        for (const char* name : {"MICA Mg carbonate", "MICA Ca fe carbonate", "MICA Fe olivine", "MICA Kaolinite", "USGS Siderite HS271.3B"}) {
            const auto it = std::find_if(library.begin(), library.end(), [&](const LibrarySpectrum& l) { return l.name == name; });
            if (it == library.end()) continue;
            ++tried;
            const auto resampled = resampleToChannels(*it, axis.wavelengthsNm, axis.fwhmNm);
            std::vector<double> pixel;
            for (std::size_t c = 0; c < resampled.size(); ++c)
                pixel.push_back(resampled[c] * 0.7 * (1.0 + 0.05 * (axis.wavelengthsNm[c] / 1000.0 - 1.0)) * (1.0 + noise(rng)));
            const auto matches = rankLibraryMatches(axis.wavelengthsNm, pixel, library, 1000, 2600);
            QVERIFY(matches.size() > 40);
            QVERIFY2(matches.front().name == name, qPrintable(QString("%1 ranked %2 first").arg(name, QString::fromStdString(matches.front().name))));
            QVERIFY2(matches.front().correlation > 0.75 && matches.front().channels > 200, qPrintable(QString("%1: r %2, %3 channels").arg(name).arg(matches.front().correlation).arg(matches.front().channels)));
            for (std::size_t i = 1; i < matches.size(); ++i) QVERIFY(matches[i - 1].correlation >= matches[i].correlation);
        }
        QCOMPARE(tried, 5);
        // The same spectrum scaled has angle 0 and correlation 1; a flat line has no bands to correlate.
        const auto self = resampleToChannels(library.front(), axis.wavelengthsNm);
        const auto exact = rankLibraryMatches(axis.wavelengthsNm, self, {library.front()}, 1000, 2600);
        QVERIFY(std::abs(exact.front().correlation - 1) < 1e-12 && exact.front().angleDeg < 1e-5);
        QVERIFY_THROWS_EXCEPTION(Error, rankLibraryMatches(axis.wavelengthsNm, self, library, 2600, 1000));
        QVERIFY_THROWS_EXCEPTION(Error, rankLibraryMatches(axis.wavelengthsNm, self, library, 100, 300)); // no channel there
    }

    void micaTypeSpectraLightUpTheirParameters() {
        // The expected sign on real CRISM type spectra (ratioed I/F).
        const auto value = [](const std::string& mineral, const std::string& name) {
            const auto [grid, s] = mica(mineral);
            return parameter(grid, s, name);
        };
        for (const char* carbonate : {"mg_carbonate", "ca_fe_carbonate"}) {
            QVERIFY2(value(carbonate, "MIN2295_2480") > 0, carbonate);
            QVERIFY2(value(carbonate, "BD2500_2") > 0, carbonate);
        }
        QVERIFY(value("mg_carbonate", "MIN2295_2480") > value("fe_smectite", "MIN2295_2480"));
        QVERIFY(value("fe_olivine", "OLINDEX3") > 0.05);
        QVERIFY(value("fe_olivine", "OLINDEX3") > value("kaolinite", "OLINDEX3"));
        QVERIFY(value("fe_smectite", "D2300") > 0);
        QVERIFY(value("mg_smectite", "D2300") > 0);
        QVERIFY(value("kaolinite", "BD2165") > 0);
        QVERIFY(value("kaolinite", "MIN2200") > 0);
        QVERIFY(value("gypsum", "BD1900_2") > 0);
        QVERIFY(value("h2o_ice", "BD1500_2") > 0.1);
        QVERIFY(value("low_ca_pyroxene", "LCPINDEX2") > 0);
        QVERIFY(value("high_ca_pyroxene", "HCPINDEX2") > 0);
        QVERIFY(value("hematite", "BD860_2") > 0);
        QVERIFY(value("mono_hyd_sulf", "SINDEX2") > 0);
    }
};

QTEST_GUILESS_MAIN(TestSpectral)
#include "test_spectral.moc"
