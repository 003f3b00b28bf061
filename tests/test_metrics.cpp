// Image and detection metrics against independent references: scikit-image 0.19.3 and numpy (values
// from tests/reference/metrics.py, which anyone can rerun), closed forms, and scikit-learn's documented
// average-precision example.
#include "jezero/core/Calibration.h"
#include "jezero/core/Error.h"
#include "jezero/core/ImageMetrics.h"

#include <QtTest>

#include <cmath>

using namespace jezero;

namespace {

// The pair the reference values were computed on (float32 like the numpy arrays):
//   a = 100 + 50 sin(0.3x + c) + 30 cos(0.2y),  b = a + 10 sin(0.07xy + c) + 5c,  24 × 20, c = 0, 1.
void referencePair(ImageStack& a, ImageStack& b) {
    a = ImageStack(24, 20, {"c0", "c1"});
    b = ImageStack(24, 20, {"c0", "c1"});
    for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 24; ++x)
            for (int c = 0; c < 2; ++c) {
                const float va = static_cast<float>(100 + 50 * std::sin(0.3 * x + c) + 30 * std::cos(0.2 * y));
                a.at(x, y, c) = va;
                b.at(x, y, c) = static_cast<float>(va + 10 * std::sin(0.07 * x * y + c) + 5 * c);
            }
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private slots:
    void matchScikitImageAndNumpy() {
        ImageStack a, b;
        referencePair(a, b);
        const ImageMetrics m = compareImages(a, b, 255);
        // structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
        QVERIFY(std::abs(m.ssimPerChannel[0] - 0.9037933081148258) < 1e-6);
        QVERIFY(std::abs(m.ssimPerChannel[1] - 0.920454693911399) < 1e-6);
        QVERIFY(std::abs(m.rmsePerChannel[0] - 6.824379114271133) < 1e-5);
        QVERIFY(std::abs(m.rmsePerChannel[1] - 9.637082509951542) < 1e-5);
        QVERIFY(std::abs(m.pccPerChannel[0] - 0.9873582821236212) < 1e-7);
        QVERIFY(std::abs(m.cosinePerChannel[1] - 0.9981392863448588) < 1e-7);
        QVERIFY(std::abs(m.samDeg - 2.3908154899397553) < 1e-6);
        QVERIFY(std::abs(m.ssim - (0.9037933081148258 + 0.920454693911399) / 2) < 1e-6);
        QCOMPARE(m.validPixels, std::size_t(480));
    }

    void closedForms() {
        ImageStack a, b;
        referencePair(a, b);
        const ImageMetrics same = compareImages(a, a);
        QCOMPARE(same.rmse, 0.0);
        QVERIFY(std::abs(same.pcc - 1) < 1e-12 && std::abs(same.cosine - 1) < 1e-12 && std::abs(same.ssim - 1) < 1e-12);
        QVERIFY(same.samDeg < 1e-5);
        // Constant images: SSIM = (2ab + C1)/(a² + b² + C1), C1 = (0.01 L)².
        ImageStack p(16, 16, {"x"}), q(16, 16, {"x"});
        std::fill(p.values.begin(), p.values.end(), 100.0f);
        std::fill(q.values.begin(), q.values.end(), 120.0f);
        const double c1 = std::pow(0.01 * 255, 2);
        const ImageMetrics flat = compareImages(p, q, 255);
        QVERIFY(std::abs(flat.ssim - (2 * 100.0 * 120 + c1) / (100.0 * 100 + 120.0 * 120 + c1)) < 1e-12);
        QCOMPARE(flat.rmse, 20.0);
        QVERIFY(std::isnan(flat.pcc)); // undefined for constant images, not a number pretending to be one
        // Scaling both by k with the data range scaled too leaves SSIM unchanged.
        ImageStack a2 = a, b2 = b;
        for (float& v : a2.values) v *= 0.01f;
        for (float& v : b2.values) v *= 0.01f;
        QVERIFY(std::abs(compareImages(a2, b2, 2.55).ssim - compareImages(a, b, 255).ssim) < 1e-5);
    }

    void noDataPixelsAreLeftOut() {
        ImageStack a, b;
        referencePair(a, b);
        ImageStack a2 = a, b2 = b;
        a2.at(3, 4, 1) = std::nanf("");        // one pixel, one channel: the whole pixel leaves
        b2.at(12, 10, 0) = std::nanf("");
        const ImageMetrics m = compareImages(a2, b2);
        QCOMPARE(m.validPixels, std::size_t(478));
        QVERIFY(std::isfinite(m.ssim) && std::abs(m.ssim - compareImages(a, b).ssim) < 0.05);
        QVERIFY_THROWS_EXCEPTION(Error, compareImages(a, ImageStack(24, 20, {"one"})));
    }

    void detectionCountsAndAveragePrecision() {
        const std::vector<float> scores{0.9f, 0.8f, 0.3f, 0.6f, 0.1f, std::nanf("")};
        const std::vector<char> truth{1, 0, 1, 1, 0, 1};
        const DetectionMetrics d = detect(scores, truth, 0.5);
        QCOMPARE(d.truePositives, std::size_t(2));  // 0.9, 0.6
        QCOMPARE(d.falsePositives, std::size_t(1)); // 0.8
        QCOMPARE(d.falseNegatives, std::size_t(1)); // 0.3 (the NaN is skipped)
        QVERIFY(std::abs(d.precision - 2.0 / 3) < 1e-12 && std::abs(d.recall - 2.0 / 3) < 1e-12);
        QVERIFY(std::abs(d.iou - 0.5) < 1e-12);
        // scikit-learn's example: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333…
        QVERIFY(std::abs(averagePrecision({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}) - 0.8333333333333333) < 1e-12);
        QVERIFY(std::isnan(averagePrecision({0.5f}, {0})));
    }

    void calibrationByHand() {
        // Ten bins. Probabilities 0.05 ×4 (truth 0 0 0 1), 0.55 ×2 (1 0), 0.95 ×4 (1 1 1 1), one NaN and one
        // unlabelled pixel left out. Bin 0: mean 0.05, frequency 0.25; bin 5: 0.55 vs 0.5; bin 9: 0.95 vs 1.
        // ECE = (4·0.20 + 2·0.05 + 4·0.05) / 10 = 0.11; Brier = (3·0.05² + 0.95² + 0.45² + 0.55² + 4·0.05²) / 10.
        const std::vector<float> p = {0.05f, 0.05f, 0.05f, 0.05f, 0.55f, 0.55f, 0.95f, 0.95f, 0.95f, 0.95f, std::nanf(""), 0.5f};
        const std::vector<char> y = {0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, -1};
        const Calibration c = calibrate(p, y, 10);
        QCOMPARE(c.pixels, std::size_t(10));
        QCOMPARE(c.bins.size(), std::size_t(10));
        QCOMPARE(c.bins[0].count, std::size_t(4));
        QVERIFY(std::abs(c.bins[0].observedFrequency - 0.25) < 1e-12);
        QVERIFY(std::abs(c.bins[5].meanPredicted - 0.55) < 1e-6);
        QCOMPARE(c.bins[3].count, std::size_t(0));
        QVERIFY(std::isnan(c.bins[3].observedFrequency));
        QVERIFY(std::abs(c.ece - 0.11) < 1e-6);
        const double brier = (3 * 0.0025 + 0.9025 + 0.2025 + 0.3025 + 4 * 0.0025) / 10;
        QVERIFY(std::abs(c.brier - brier) < 1e-6);
        // Nearly calibrated by construction: each bin 0.05 off.
        std::vector<float> q;
        std::vector<char> t;
        for (int b = 0; b < 10; ++b)
            for (int k = 0; k < 10; ++k) {
                q.push_back(static_cast<float>(b / 10.0 + 0.05));
                t.push_back(static_cast<char>(k <= b)); // frequency (b + 1) / 10: 0.05 from the probability
            }
        QVERIFY(calibrate(q, t, 10).ece < 0.051);
        QVERIFY_THROWS_EXCEPTION(Error, calibrate(q, std::vector<char>(3, 0), 10));
        // The diagram is an image of the asked size with bars drawn.
        const CompositeImage diagram = reliabilityDiagram(c, 200);
        QCOMPARE(diagram.width, 200);
        QCOMPARE(diagram.rgba.size(), std::size_t(200 * 200 * 4));
    }

    void spreadSkillByHand() {
        // Errors ±2 everywhere (RMSE 2), spread 1 → ratio 0.5; NaN pixels left out.
        const std::vector<float> mean = {1, 3, 5, 7, std::nanf("")}, truth = {3, 1, 7, 5, 0}, spread = {1, 1, 1, 1, 1};
        QVERIFY(std::abs(spreadSkillRatio(mean, spread, truth) - 0.5) < 1e-12);
        QVERIFY(std::isnan(spreadSkillRatio(truth, spread, truth))); // no error: undefined
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
