// The scene synthesizer: determinism, the real MTRDR grid, no-data like a real product, carbonate
// scenes that really carry the 2.3 and 2.5 µm carbonate absorptions where their abundance says, whole
// spectra (VNIR colour), the regional geology table, the exact carbonate fraction, the instrument
// noise model against the noise-free cube, and datasets synthesised straight from scenes.
#include "TestPaths.h"
#include "jezero/core/Error.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/SyntheticDataset.h"
#include "jezero/core/SyntheticPairs.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/FusionDataset.h"
#include "jezero/core/Dataset.h"

#include <QtTest>

#include <QTemporaryDir>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

using namespace jezero;

namespace {

const SynthesisInputs& inputs() {
    static const SynthesisInputs in = [] {
        qputenv("JEZERO_RESOURCES", JEZERO_TEST_RESOURCES);
        return defaultSynthesisInputs({}); // procedural structure only: no browse products needed here
    }();
    return in;
}

const GeologicRegion& regionNamed(const std::string& slug) {
    for (const auto& r : inputs().regions)
        if (r.slug == slug) return r;
    throw Error("no region " + slug);
}

const SignatureVariant& variantFrom(const std::string& mineral, const std::string& source) {
    for (const auto& m : inputs().minerals)
        if (m.name == mineral)
            for (const auto& v : m.variants)
                if (v.source == source) return v;
    throw Error("no " + mineral + " variant " + source);
}

// Mean over the channels within [fromNm, toNm].
double meanBetween(const std::vector<double>& values, double fromNm, double toNm) {
    double sum = 0;
    int n = 0;
    for (std::size_t b = 0; b < values.size(); ++b)
        if (inputs().wavelengthsNm[b] >= fromNm && inputs().wavelengthsNm[b] <= toNm) sum += values[b], ++n;
    return sum / n;
}

bool sameValues(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

class TestSynth : public QObject {
    Q_OBJECT
private slots:
    void sameSeedSameSceneOtherSeedOtherScene() {
        const SynthesisOptions options{48, 7, 0.5};
        const auto a = synthesizeScene(inputs(), options, 3);
        const auto b = synthesizeScene(inputs(), options, 3);
        QVERIFY(sameValues(std::vector<float>(a.cube.data(), a.cube.data() + a.cube.pixelCount() * a.cube.bands()),
                           std::vector<float>(b.cube.data(), b.cube.data() + b.cube.pixelCount() * b.cube.bands())));
        QVERIFY(sameValues(a.abundances.values, b.abundances.values));
        QCOMPARE(a.name, b.name);
        const auto c = synthesizeScene(inputs(), SynthesisOptions{48, 8, 0.5}, 3);
        const std::size_t n = a.cube.pixelCount() * a.cube.bands();
        QVERIFY(!sameValues(std::vector<float>(a.cube.data(), a.cube.data() + n), std::vector<float>(c.cube.data(), c.cube.data() + n)));
    }

    void scenesLookLikeMtrdrProducts() {
        const auto s = synthesizeScene(inputs(), SynthesisOptions{64, 1, 0.3}, 0);
        QCOMPARE(s.cube.bands(), 489);
        QCOMPARE(s.cube.wavelengthsNm().front(), 436.13);
        QCOMPARE(s.cube.wavelengthsNm().back(), 3896.76);
        QCOMPARE(s.cube.fwhmNm().size(), std::size_t(489));
        // A no-data border (the rotated footprint) but mostly valid data, with plausible I/F.
        const std::size_t nodata = s.cube.noDataPixelCount();
        QVERIFY(nodata > 0 && nodata < s.cube.pixelCount() / 3);
        double sum = 0;
        std::size_t n = 0;
        for (std::size_t i = 0; i < s.cube.pixelCount() * s.cube.bands(); ++i)
            if (!std::isnan(s.cube.data()[i])) {
                sum += s.cube.data()[i];
                ++n;
            }
        QVERIFY(sum / n > 0.08 && sum / n < 0.5);
        QVERIFY(!s.cube.metadata().crsWkt.empty() && s.cube.metadata().geoTransform);
        QVERIFY(std::abs(s.latitudeDeg) <= 90 && s.cube.metadata().centre);
        for (float a : s.abundances.values) QVERIFY(std::isnan(a) || (a >= 0 && a <= 1));
    }

    void carbonateScenesShowCarbonateAbsorptions() {
        // Every scene carbonate-bearing: where the carbonate abundance is high, the species' carbonate
        // minimum (MIN2295_2480 for Mg-rich, MIN2345_2537 for Ca/Fe carbonates; both need the 2.3 and the
        // 2.5 µm band) is clearly positive and far above the carbonate-free pixels of the same scene.
        const SummaryParameters parameters(inputs().wavelengthsNm, {"MIN2295_2480", "MIN2345_2537"});
        int scenesChecked = 0;
        for (int index = 0; index < 4; ++index) {
            const auto s = synthesizeScene(inputs(), SynthesisOptions{96, 11, 1.0}, index);
            QVERIFY(s.hasCarbonate && !s.carbonateSpecies.empty());
            QVERIFY(s.carbonatePixelFraction > 0 && s.carbonatePixelFraction < 0.5); // rare and clustered
            const bool magnesian = s.carbonateSpecies.find("mg_") != std::string::npos || s.carbonateSpecies.find("magnesite") != std::string::npos ||
                                   s.carbonateSpecies.find("dolomite") != std::string::npos;
            const int carbonate = s.abundances.channelIndex("carbonate");
            double rich = 0, poor = 0;
            int richCount = 0, poorCount = 0;
            for (int y = 0; y < 96; ++y)
                for (int x = 0; x < 96; ++x) {
                    const float a = s.abundances.at(x, y, carbonate);
                    if (std::isnan(a) || (a > 0.05f && a < 0.6f)) continue;
                    const auto v = parameters.compute(s.cube.spectrum(x, y));
                    const float own = magnesian ? v[0] : v[1];
                    if (std::isnan(own)) continue;
                    (a >= 0.6f ? rich : poor) += own;
                    (a >= 0.6f ? richCount : poorCount)++;
                }
            if (richCount < 10) continue; // too few rich pixels in this scene to average
            ++scenesChecked;
            rich /= richCount;
            poor /= poorCount;
            QVERIFY2(rich > 0.005 && rich > poor + 0.005,
                     qPrintable(QString("%1 (%2): %3 vs %4").arg(s.name.c_str(), s.carbonateSpecies.c_str()).arg(rich).arg(poor)));
        }
        QVERIFY(scenesChecked >= 2);
    }

    void everyCarbonateSignatureCarriesBothCarbonateBands() {
        // Background × signature at full strength: the carbonate minimum of the species is positive —
        // MIN2295_2480 for Mg-rich carbonates (magnesite, and dolomite with bands at 2.31/2.50 µm),
        // MIN2345_2537 for Ca/Fe carbonates (calcite, siderite: 2.33–2.34/2.53 µm) — above the other one.
        const auto& in = inputs();
        const auto it = std::find_if(in.minerals.begin(), in.minerals.end(), [](const MineralSignature& m) { return m.name == "carbonate"; });
        QVERIFY(it != in.minerals.end());
        QCOMPARE(it->variants.size(), std::size_t(6));
        const SummaryParameters parameters(in.wavelengthsNm, {"MIN2295_2480", "MIN2345_2537"});
        for (const SignatureVariant& v : it->variants) {
            std::vector<float> spectrum(in.wavelengthsNm.size());
            for (std::size_t b = 0; b < spectrum.size(); ++b) spectrum[b] = static_cast<float>(0.2 * in.backgrounds[0][b] * v.ratio[b]);
            const auto p = parameters.compute(spectrum.data());
            const bool magnesian = v.source.find("mg_carbonate") != std::string::npos || v.source.find("magnesite") != std::string::npos ||
                                   v.source.find("dolomite") != std::string::npos;
            const float own = magnesian ? p[0] : p[1], other = magnesian ? p[1] : p[0];
            QVERIFY2(own > 0.005 && own > other, qPrintable(QString("%1: MIN2295_2480 %2, MIN2345_2537 %3").arg(v.source.c_str()).arg(p[0]).arg(p[1])));
        }
    }

    void carbonateFreeRunsHaveNoCarbonate() {
        const auto s = synthesizeScene(inputs(), SynthesisOptions{48, 5, 0.0}, 2);
        QVERIFY(!s.hasCarbonate);
        QCOMPARE(s.carbonatePixelFraction, 0.0);
        const int carbonate = s.abundances.channelIndex("carbonate");
        for (std::size_t i = 0; i < s.abundances.pixelCount(); ++i) {
            const float a = s.abundances.values[i * s.abundances.channels() + carbonate];
            QVERIFY(std::isnan(a) || a == 0.0f);
        }
    }

    void theGeologyTableHoldsThePublishedAssemblages() {
        const auto& regions = inputs().regions;
        QCOMPARE(regions.size(), std::size_t(12));
        // Nili Fossae: olivine host, Mg carbonate common, in the fractured light-toned layer (Ehlmann et al. 2008).
        const auto& nili = regionNamed("nilifossae");
        QCOMPARE(nili.carbonate, std::string("common"));
        QCOMPARE(nili.carbonateWeight, 0.6);
        QCOMPARE(nili.carbonateChemistry, std::string("mg"));
        QCOMPARE(nili.carbonateHost, std::string("olivine"));
        QCOMPARE(nili.carbonateSetting, std::string("fractured"));
        QVERIFY(nili.sources.find("Ehlmann") != std::string::npos);
        // Huygens: Ca/Fe carbonate with kaolinite; Mawrth and the Syrtis plains: none reported.
        QCOMPARE(regionNamed("huygens").carbonateChemistry, std::string("ca_fe"));
        QCOMPARE(regionNamed("huygens").carbonateHost, std::string("kaolinite"));
        QCOMPARE(regionNamed("mawrth").carbonateWeight, 0.0);
        QCOMPARE(regionNamed("syrtis").carbonateWeight, 0.0);
        for (const auto& r : regions) QVERIFY2(!r.sources.empty() && !r.minerals.empty(), r.slug.c_str());
        // A malformed table is refused with its file and line.
        QTemporaryDir dir;
        const std::string bad = dir.path().toStdString() + "/regions.csv";
        std::ofstream(bad) << "slug,region,latitude_deg,longitude_deg,carbonate,carbonate_chemistry,carbonate_host,carbonate_setting,minerals,sources\n"
                           << "x,X,1,2,often,mg,olivine,fractured,olivine:0.5,a paper\n";
        try {
            readGeologicRegions(bad);
            QFAIL("a bad carbonate class was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("line 2") && QString(e.what()).contains("often"), e.what());
        }
    }

    void theCarbonateFractionIsExactAndRegionsFollowTheirPrevalence() {
        for (const double f : {0.0, 0.1, 0.25, 0.3, 0.5, 1.0})
            for (const int n : {1, 7, 10, 24, 300}) {
                int carbonate = 0;
                for (int i = 0; i < n; ++i) carbonate += sceneCarriesCarbonate(f, i);
                QCOMPARE(carbonate, static_cast<int>(std::floor(n * f + 0.5)));
            }
        // 600 scene identities: carbonate only from regions that report it; common regions carry it far
        // more often than rare ones, so the location says something.
        const SynthesisOptions options{64, 3, 0.3};
        std::map<std::string, std::pair<int, int>> byRegion; // slug → (carbonate scenes, scenes)
        int carbonateScenes = 0;
        for (int i = 0; i < 600; ++i) {
            const SceneIdentity id = sceneIdentity(inputs(), options, i);
            carbonateScenes += id.hasCarbonate;
            byRegion[id.regionSlug].first += id.hasCarbonate;
            byRegion[id.regionSlug].second += 1;
        }
        QCOMPARE(carbonateScenes, 180); // round(600 · 0.3)
        QCOMPARE(byRegion["mawrth"].first, 0);
        QCOMPARE(byRegion["syrtis"].first, 0);
        const auto share = [&](std::initializer_list<const char*> slugs) {
            int c = 0, n = 0;
            for (const char* s : slugs) c += byRegion[s].first, n += byRegion[s].second;
            return static_cast<double>(c) / n;
        };
        const double common = share({"nilifossae", "jezero"}), rare = share({"gale", "valles", "sirenum"});
        QVERIFY2(common > 0.45 && rare < 0.2, qPrintable(QString("common %1, rare %2").arg(common).arg(rare)));
        // What is rendered is what the identity says: carbonate in the abundances exactly when the scene
        // is carbonate-bearing, and the cube georeferenced at the identity's place.
        for (const int index : {0, 3, 5}) {
            const auto scene = synthesizeScene(inputs(), SynthesisOptions{32, 3, 0.3}, index);
            const auto id = sceneIdentity(inputs(), SynthesisOptions{32, 3, 0.3}, index);
            double carbonate = 0;
            for (std::size_t c = 0; c < scene.abundances.channelNames.size(); ++c)
                if (scene.abundances.channelNames[c].find("carbonate") != std::string::npos)
                    for (int y = 0; y < 32; ++y)
                        for (int x = 0; x < 32; ++x) carbonate = std::max(carbonate, static_cast<double>(std::isnan(scene.abundances.at(x, y, c)) ? 0.0f : scene.abundances.at(x, y, c)));
            QCOMPARE(carbonate > 0, id.hasCarbonate);
            const auto centre = scene.cube.geolocator()->latLon(16, 16);
            QVERIFY(centre && std::abs(centre->latitudeDeg - id.latitudeDeg) < 0.05 && std::abs(centre->longitudeDeg - id.longitudeDeg) < 0.05);
        }
    }

    void mineralsEnterWithTheirWholeSpectraVnirIncluded() {
        // The MICA Mg-carbonate exposure of Nili Fossae is brighter than the bland ground beside it in
        // the visible and near-IR (its measured ratio, ~1.08 at 750 nm), not a flat 1 outside its bands.
        const auto& mg = variantFrom("carbonate", "MICA mg_carbonate");
        QVERIFY(meanBetween(mg.ratio, 700, 800) > 1.03);
        // Olivine's ratio (MICA, Nili Fossae) carries its broad Fe²⁺ band: lower at 1.05 µm than at 0.75 and 1.5 µm.
        const auto& olivine = variantFrom("olivine", "MICA fe_olivine");
        QVERIFY(meanBetween(olivine.ratio, 1040, 1100) < meanBetween(olivine.ratio, 720, 780));
        QVERIFY(meanBetween(olivine.ratio, 1040, 1100) < meanBetween(olivine.ratio, 1450, 1550));
        // Siderite (Fe carbonate) brings its Fe²⁺ ~1 µm band; magnesite has none: relative to their own
        // continuum at 0.75 µm the siderite variant is darker at 1.0–1.1 µm than the magnesite one.
        const auto& siderite = variantFrom("carbonate", "USGS siderite HS271.3B");
        const auto& magnesite = variantFrom("carbonate", "RELAB magnesite F1CC06B");
        QCOMPARE(siderite.chemistry, std::string("ca_fe"));
        QCOMPARE(magnesite.chemistry, std::string("mg"));
        const auto dip = [](const SignatureVariant& v) { return meanBetween(v.ratio, 1000, 1100) / meanBetween(v.ratio, 720, 780); };
        QVERIFY2(dip(siderite) < dip(magnesite) - 0.02, qPrintable(QString("siderite %1, magnesite %2").arg(dip(siderite)).arg(dip(magnesite))));
    }

    void carbonateSitsInItsHostUnitAndScenesCarryTheirUnits() {
        int checked = 0;
        for (int index = 0; index < 6; ++index) {
            const auto s = synthesizeScene(inputs(), SynthesisOptions{64, 21, 1.0}, index);
            QVERIFY(s.hasCarbonate);
            QVERIFY(s.unitDescriptions.size() >= 2 && s.unitDescriptions.size() <= 4);
            QVERIFY2(s.unitDescriptions[0].find("carbonate host (with carbonate)") != std::string::npos, s.unitDescriptions[0].c_str());
            const int carbonate = s.abundances.channelIndex("carbonate");
            for (std::size_t i = 0; i < s.abundances.pixelCount(); ++i) {
                const float a = s.abundances.values[i * s.abundances.channels() + carbonate];
                if (!std::isfinite(a) || a <= kCarbonateLabelAbundance) continue;
                // Rich carbonate only in the host unit (a pixel beside a contact may be softened across it).
                const int x = static_cast<int>(i % 64), y = static_cast<int>(i / 64);
                bool nearHost = false;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx)
                        if (x + dx >= 0 && y + dy >= 0 && x + dx < 64 && y + dy < 64) nearHost |= s.units.at(x + dx, y + dy, 0) == 0.0f;
                QVERIFY(nearHost);
                ++checked;
            }
        }
        QVERIFY(checked > 0);
    }

    void noiseFollowsTheSnrModelAndTheCleanCubeHasNone() {
        const auto s = synthesizeScene(inputs(), SynthesisOptions{96, 4, 0.3}, 1);
        QCOMPARE(s.cleanCube.bands(), s.cube.bands());
        const auto& w = s.cube.wavelengthsNm();
        const auto bandNear = [&](double nm) {
            return static_cast<int>(std::min_element(w.begin(), w.end(), [&](double a, double b) { return std::abs(a - nm) < std::abs(b - nm); }) - w.begin());
        };
        // Normalised residuals (observed − clean) / σ(λ, I/F): unit spread (median absolute deviation,
        // which ignores the few striped columns) at channels of very different SNR.
        for (const double nm : {550.0, 1500.0, 2300.0, 3500.0}) {
            const int b = bandNear(nm);
            std::vector<float> z;
            for (int y = 0; y < 96; ++y)
                for (int x = 0; x < 96; ++x) {
                    const float clean = s.cleanCube.spectrum(x, y)[b], observed = s.cube.spectrum(x, y)[b];
                    if (!std::isfinite(clean) || !std::isfinite(observed)) continue;
                    const double sigma = 0.25 / mtrdrSnr(w[b]) * std::sqrt(std::max(static_cast<double>(clean), 0.01) / 0.25);
                    z.push_back(static_cast<float>((observed - clean) / sigma));
                }
            std::vector<float> absolute;
            for (float v : z) absolute.push_back(std::abs(v));
            std::nth_element(absolute.begin(), absolute.begin() + absolute.size() / 2, absolute.end());
            const double spread = 1.4826 * absolute[absolute.size() / 2];
            QVERIFY2(spread > 0.9 && spread < 1.1, qPrintable(QString("%1 nm: spread %2").arg(nm).arg(spread)));
        }
        // Neighbouring channels share noise like MTRDR's spectral smoothing: lag-1 correlation of the
        // ¼ ½ ¼ kernel is (¼·½ + ½·¼) / (¼² + ½² + ¼²) = 2/3.
        const int b0 = bandNear(1700), b1 = b0 + 1;
        double sxy = 0, sxx = 0, syy = 0;
        for (int x = 0; x < 96; ++x) {
            // Striped columns (a detector gain ≠ 1) are left out: their residual is not noise.
            std::vector<float> ratios;
            for (int y = 0; y < 96; ++y)
                if (std::isfinite(s.cube.spectrum(x, y)[b0])) ratios.push_back(s.cube.spectrum(x, y)[b0] / s.cleanCube.spectrum(x, y)[b0]);
            if (ratios.empty()) continue;
            std::nth_element(ratios.begin(), ratios.begin() + ratios.size() / 2, ratios.end());
            if (std::abs(ratios[ratios.size() / 2] - 1) > 0.005) continue;
            for (int y = 0; y < 96; ++y) {
                const float* o = s.cube.spectrum(x, y);
                const float* c = s.cleanCube.spectrum(x, y);
                if (!std::isfinite(o[b0]) || !std::isfinite(c[b0])) continue;
                const double u = o[b0] - c[b0], v = o[b1] - c[b1];
                sxy += u * v, sxx += u * u, syy += v * v;
            }
        }
        const double correlation = sxy / std::sqrt(sxx * syy);
        QVERIFY2(std::abs(correlation - 2.0 / 3.0) < 0.08, qPrintable(QString("lag-1 correlation %1").arg(correlation)));
        // SNR shape: best in 1.2–2.4 µm, poor at the VNIR blue end and past 3.5 µm.
        QVERIFY(mtrdrSnr(2000) > mtrdrSnr(600) && mtrdrSnr(600) > mtrdrSnr(440) && mtrdrSnr(3800) < mtrdrSnr(2600));
    }

    void datasetsAreSynthesisedStraightFromScenes() {
        // 12 scenes, half with carbonate: val and test each get two carbonate-bearing scenes; the label
        // is the true abundance; clean targets are the noise-free cube's parameters.
        QTemporaryDir dir;
        SyntheticDatasetOptions o;
        o.synthesis = SynthesisOptions{64, 9, 0.5};
        o.count = 12;
        o.tile = 32;
        const std::string observed = dir.path().toStdString() + "/observed", clean = dir.path().toStdString() + "/clean",
                          label = dir.path().toStdString() + "/label";
        o.outputs = {{observed, "pnr", "car"}, {label, "4band", "carbonate"}}; // one rendering, two datasets
        std::vector<std::string> lines;
        buildSyntheticDataset(inputs(), o, [&](const std::string& l) { lines.push_back(l); });
        QCOMPARE(lines.size(), std::size_t(12));
        o.targetSource = "clean";
        o.outputs = {{clean, "pnr", "car"}};
        buildSyntheticDataset(inputs(), o);
        // The label dataset: 4-band input, its one target channel is the label (0/1, NaN no data).
        const auto probability = TileDataset::open(label, "train");
        QCOMPARE(probability.manifest().targetChannels, std::vector<std::string>{kCarbonateLabelChannel});
        QCOMPARE(probability.manifest().inputChannels.size(), std::size_t(4));
        for (std::size_t i = 0; i < probability.size(); ++i)
            for (int p = 0; p < 32 * 32; ++p) {
                const std::uint8_t l = probability.label(i)[p];
                const float t = probability.target(i)[p];
                QVERIFY(l == kLabelNoData ? std::isnan(t) : t == (l == kLabelCarbonate ? 1.0f : 0.0f));
            }
        for (const char* split : {"val", "test"}) {
            const auto data = TileDataset::open(observed, split);
            QVERIFY(data.hasLabels());
            std::set<std::string> carbonateScenes;
            for (std::size_t i = 0; i < data.size(); ++i)
                if (std::count(data.label(i), data.label(i) + 32 * 32, kLabelCarbonate) > 0) carbonateScenes.insert(data.record(i).scene);
            QVERIFY2(carbonateScenes.size() >= 2, split);
        }
        const auto a = TileDataset::open(observed, "train"), b = TileDataset::open(clean, "train");
        QCOMPARE(a.manifest().targetSource, std::string("observed"));
        QCOMPARE(b.manifest().targetSource, std::string("clean"));
        QVERIFY(a.manifest().labelRule.find("abundance") != std::string::npos);
        QCOMPARE(a.size(), b.size());
        // Same inputs and labels, targets that differ by the noise only (BD2500_2, channel 1).
        QVERIFY(std::memcmp(a.input(0), b.input(0), 3 * 32 * 32 * sizeof(float)) == 0);
        QVERIFY(std::memcmp(a.label(0), b.label(0), 32 * 32) == 0);
        // The label agrees with the synthesizer's own abundance for that tile.
        const auto& record = a.record(0);
        const int index = std::stoi(record.scene.substr(3, 4));
        const auto scene = synthesizeScene(inputs(), o.synthesis, index);
        const int carbonate = scene.abundances.channelIndex("carbonate");
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                const std::uint8_t l = a.label(0)[y * 32 + x];
                if (l == kLabelNoData) continue;
                QCOMPARE(l == kLabelCarbonate, scene.abundances.at(record.x + x, record.y + y, carbonate) > kCarbonateLabelAbundance);
            }
        double noise = 0;
        int n = 0;
        for (int p = 0; p < 32 * 32; ++p) {
            const float u = a.target(0)[32 * 32 + p], v = b.target(0)[32 * 32 + p];
            if (std::isfinite(u) && std::isfinite(v)) noise += std::abs(u - v), ++n;
        }
        QVERIFY(n > 0 && noise / n > 1e-4 && noise / n < 0.05);
    }

    void oneGroundIsSeenAtCassisAndCrismScales() {
        SynthesisOptions options;
        options.size = 96;
        options.seed = 4;
        options.carbonateFraction = 1.0;
        const SyntheticPair pair = synthesizePair(inputs(), options, 0);
        // CaSSIS at 4.6 m: a filter image of the four filters on the fine grid, the scene's CRS.
        QCOMPARE(pair.cassis.width(), 96);
        QCOMPARE(pair.cassis.bands(), 4);
        QCOMPARE(pair.cassis.metadata().filterNames, (std::vector<std::string>{"BLU", "PAN", "RED", "NIR"}));
        QCOMPARE(pair.cassis.metadata().instrument, std::string("CaSSIS"));
        QVERIFY(isFilterImage(pair.cassis.metadata()) && !pair.cassis.metadata().crsWkt.empty());
        QCOMPARE((*pair.cassis.metadata().geoTransform)[1], 4.6);
        // CRISM at 18 m: the spectrometer cube on the coarse grid over the same ground.
        QCOMPARE(pair.crism.width(), static_cast<int>(std::ceil(96 / (18.0 / 4.6))));
        QCOMPARE(pair.crism.bands(), 489);
        QVERIFY(std::abs((*pair.crism.metadata().geoTransform)[1] - 18.0) < 1e-9);
        QCOMPARE((*pair.crism.metadata().geoTransform)[0], (*pair.cassis.metadata().geoTransform)[0]);
        // The truth on the fine grid: a 0/1 label with carbonate in it, FAL's three parameters.
        QCOMPARE(pair.carbonateLabel.width, 96);
        std::size_t positive = 0, labelled = 0;
        for (float v : pair.carbonateLabel.values)
            if (std::isfinite(v)) {
                QVERIFY(v == 0.0f || v == 1.0f);
                positive += v == 1.0f, ++labelled;
            }
        QVERIFY(pair.hasCarbonate && positive > 0 && labelled > positive);
        QCOMPARE(pair.fal.channelNames, (std::vector<std::string>{"R2529", "R1506", "R1080"}));
        // CaSSIS's noise is what its SNR says: PAN at SNR 100 (I/F 0.25, shot-noise scaling), against the
        // same ground's noise-free PAN through the same PSF.
        SyntheticScene ground = synthesizeScene(inputs(), [&] { SynthesisOptions o = options; o.pixelMetres = 4.6; return o; }(), 0);
        const ImageStack clean = gaussianBlur(selectChannels(simulateCassis(ground.cleanCube, cassisFilters()), {"PAN"}), psfSigmaForReduction(1.0));
        double sumSquares = 0, expected = 0;
        std::size_t count = 0;
        for (std::size_t p = 0; p < clean.pixelCount(); ++p) {
            const double truth = clean.values[p], seen = pair.cassis.data()[p * 4 + 1];
            if (!std::isfinite(truth) || !std::isfinite(seen)) continue;
            sumSquares += (seen - truth) * (seen - truth);
            expected += std::pow(0.25 / 100 * std::sqrt(std::max(0.0, truth) / 0.25), 2);
            ++count;
        }
        const double ratio = std::sqrt(sumSquares / expected);
        QVERIFY2(count > 5000 && ratio > 0.95 && ratio < 1.05, qPrintable(QString("noise %1 × the model's").arg(ratio)));
        // The same index gives the same pair.
        const SyntheticPair again = synthesizePair(inputs(), options, 0);
        QVERIFY(std::equal(again.cassis.data(), again.cassis.data() + 96 * 96 * 4, pair.cassis.data(),
                           [](float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }));
        QVERIFY_THROWS_EXCEPTION(Error, synthesizePair(inputs(), options, 0, PairOptions{18.0, 4.6}));
    }

    void learnedFusionSeesAStandardisedChannelAndTheBandsColour() {
        // A 2 × 2 coarse channel 1, 2, 3, 4 (mean 2.5, sample σ √(5/3)) and a 4 × 4 fine image whose
        // bands are e^(1 + row) times a per-band constant: COARSE is the bicubic upsampling standardised,
        // each band ln I/F less its mean (the per-band constant and the brightness gone).
        ImageStack coarse(2, 2, {"R1506"});
        coarse.values = {1, 2, 3, 4};
        ImageStack bands(4, 4, {"NIR", "RED", "PAN", "BLU"});
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                for (int c = 0; c < 4; ++c) bands.values[(y * 4 + x) * 4 + c] = static_cast<float>((c + 1) * 0.1 * std::exp(1.0 + y));
        const LearnedFusionInput view = learnedFusionInput(coarse, bands, 2.0);
        QCOMPARE(view.input.channelNames, learnedFusionChannels());
        QVERIFY(std::abs(view.mean - 2.5) < 1e-12 && std::abs(view.scale - std::sqrt(5.0 / 3.0)) < 1e-12);
        const ImageStack up = resampleBicubic(coarse, 4, 4, 0.5);
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x) {
                QVERIFY(std::abs(view.input.at(x, y, 0) - (up.at(x, y, 0) - 2.5) / std::sqrt(5.0 / 3.0)) < 1e-5);
                for (int c = 1; c < 5; ++c) QVERIFY(std::abs(view.input.at(x, y, c) - (y - 1.5)) < 1e-5);
            }
        // A constant channel has nothing to learn; a missing band is named.
        coarse.values = {2, 2, 2, 2};
        QCOMPARE(learnedFusionInput(coarse, bands, 2.0).scale, 0.0);
        try {
            learnedFusionInput(coarse, selectChannels(bands, {"PAN", "RED", "NIR"}), 2.0);
            QFAIL("a missing band was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("BLU") != std::string::npos, e.what());
        }
    }

    void fusionDatasetTilesAreTheFineTruthInTheCoarseViewsUnits() {
        // Every tile of a fusion dataset: COARSE + DETAIL is the pair's 4.6 m truth, standardised — an
        // exact line with positive slope through the truth re-synthesised from the same pair.
        QTemporaryDir dir;
        FusionDatasetOptions o;
        o.directory = dir.path().toStdString() + "/fusion";
        o.synthesis = SynthesisOptions{64, 5, 0.5};
        o.count = 6;
        o.tile = 32;
        buildFusionDataset(inputs(), o);
        const DatasetManifest m = TileDataset::readManifest(o.directory);
        QCOMPARE(m.input, std::string("fusion"));
        QCOMPARE(m.inputChannels, learnedFusionChannels());
        QCOMPARE(m.targetChannels, std::vector<std::string>{"DETAIL"});
        const TileDataset train = TileDataset::open(o.directory, "train");
        QVERIFY(train.size() >= 4);
        std::set<std::string> channels;
        for (std::size_t i = 0; i < train.size(); ++i) channels.insert(train.record(i).scene.substr(train.record(i).scene.find('/') + 1));
        QVERIFY(channels.count("R2529") && channels.count("R1080"));
        const TileRecord& r = train.record(0);
        const std::string name = r.scene.substr(0, r.scene.find('/')), channel = r.scene.substr(r.scene.find('/') + 1);
        int index = -1;
        for (int i = 0; i < o.count && index < 0; ++i)
            if (sceneIdentity(inputs(), o.synthesis, i).name == name) index = i;
        QVERIFY(index >= 0);
        const SyntheticPair pair = synthesizePair(inputs(), o.synthesis, index);
        const ImageStack truth = channel == "carbonate" ? pair.carbonateLabel : selectChannels(pair.fal, {channel});
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                const float a = train.input(0)[y * 32 + x] + train.target(0)[y * 32 + x], b = truth.at(r.x + x, r.y + y, 0);
                if (!std::isfinite(a) || !std::isfinite(b)) continue;
                sx += a, sy += b, sxx += a * a, syy += b * b, sxy += a * b, ++n;
            }
        const double cov = sxy - sx * sy / n, r2 = cov * cov / ((sxx - sx * sx / n) * (syy - sy * sy / n));
        QVERIFY2(n > 500 && cov > 0 && r2 > 0.99999, qPrintable(QString("%1 pixels, r² %2").arg(n).arg(r2, 0, 'g', 8)));
        QVERIFY_THROWS_EXCEPTION(Error, buildFusionDataset(inputs(), o)); // the folder holds one
    }

    void badSizesAreRefused() {
        QVERIFY_THROWS_EXCEPTION(Error, synthesizeScene(inputs(), SynthesisOptions{8, 1, 0.3}, 0));
    }
};

QTEST_GUILESS_MAIN(TestSynth)
#include "test_synth.moc"
