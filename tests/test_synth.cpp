// The scene synthesizer: determinism, the real MTRDR grid, no-data like a real product, and carbonate
// scenes that really carry the 2.3 and 2.5 µm carbonate absorptions where their abundance says.
#include "TestPaths.h"
#include "jezero/core/Error.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SummaryParameters.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace jezero;

namespace {

const SynthesisInputs& inputs() {
    static const SynthesisInputs in = [] {
        qputenv("JEZERO_RESOURCES", JEZERO_TEST_RESOURCES);
        return defaultSynthesisInputs({}); // procedural structure only: no browse products needed here
    }();
    return in;
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

    void badSizesAreRefused() {
        QVERIFY_THROWS_EXCEPTION(Error, synthesizeScene(inputs(), SynthesisOptions{8, 1, 0.3}, 0));
    }
};

QTEST_GUILESS_MAIN(TestSynth)
#include "test_synth.moc"
