#include "jezero/core/ImageMetrics.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace jezero {
namespace {

constexpr double kPi = 3.14159265358979323846;

// The 11 × 11 Gaussian window (σ = 1.5), normalised to sum 1.
const std::vector<double>& gaussianWindow() {
    static const std::vector<double> window = [] {
        std::vector<double> w(121);
        double sum = 0;
        for (int y = -5; y <= 5; ++y)
            for (int x = -5; x <= 5; ++x) sum += w[(y + 5) * 11 + x + 5] = std::exp(-(x * x + y * y) / (2 * 1.5 * 1.5));
        for (double& v : w) v /= sum;
        return w;
    }();
    return window;
}

} // namespace

double ssim(const float* a, const float* b, int width, int height, double dataRange, std::size_t stride) {
    const double c1 = std::pow(0.01 * dataRange, 2), c2 = std::pow(0.03 * dataRange, 2);
    const auto& w = gaussianWindow();
    double sum = 0;
    std::size_t windows = 0;
    for (int cy = 5; cy < height - 5; ++cy)
        for (int cx = 5; cx < width - 5; ++cx) {
            double ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
            bool valid = true;
            for (int y = -5; y <= 5 && valid; ++y)
                for (int x = -5; x <= 5; ++x) {
                    const std::size_t i = (static_cast<std::size_t>(cy + y) * width + cx + x) * stride;
                    const double va = a[i], vb = b[i];
                    if (std::isnan(va) || std::isnan(vb)) {
                        valid = false;
                        break;
                    }
                    const double k = w[(y + 5) * 11 + x + 5];
                    ma += k * va;
                    mb += k * vb;
                    aa += k * va * va;
                    bb += k * vb * vb;
                    ab += k * va * vb;
                }
            if (!valid) continue;
            const double va = aa - ma * ma, vb = bb - mb * mb, cov = ab - ma * mb;
            sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            ++windows;
        }
    return windows ? sum / windows : std::numeric_limits<double>::quiet_NaN();
}

ImageMetrics compareImages(const ImageStack& p, const ImageStack& r, double dataRange) {
    if (p.width != r.width || p.height != r.height || p.channels() != r.channels())
        throw Error("images differ in shape: " + std::to_string(p.channels()) + "×" + std::to_string(p.width) + "×" + std::to_string(p.height) +
                    " and " + std::to_string(r.channels()) + "×" + std::to_string(r.width) + "×" + std::to_string(r.height));
    if (!(dataRange > 0)) throw Error("the data range must be positive");
    const int n = p.channels();
    const std::size_t pixels = p.pixelCount();
    std::vector<char> valid(pixels, 1);
    for (std::size_t i = 0; i < pixels; ++i)
        for (int c = 0; c < n; ++c)
            if (std::isnan(p.values[i * n + c]) || std::isnan(r.values[i * n + c])) valid[i] = 0;
    ImageMetrics m;
    m.validPixels = static_cast<std::size_t>(std::count(valid.begin(), valid.end(), 1));
    if (m.validPixels == 0) throw Error("no pixel is valid in both images");
    for (int c = 0; c < n; ++c) {
        double se = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (std::size_t i = 0; i < pixels; ++i) {
            if (!valid[i]) continue;
            const double a = p.values[i * n + c], b = r.values[i * n + c];
            se += (a - b) * (a - b);
            sa += a;
            sb += b;
            saa += a * a;
            sbb += b * b;
            sab += a * b;
        }
        const double k = static_cast<double>(m.validPixels);
        const double cov = sab / k - (sa / k) * (sb / k), va = saa / k - (sa / k) * (sa / k), vb = sbb / k - (sb / k) * (sb / k);
        m.rmsePerChannel.push_back(std::sqrt(se / k));
        m.pccPerChannel.push_back(va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : std::numeric_limits<double>::quiet_NaN());
        m.cosinePerChannel.push_back(saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : std::numeric_limits<double>::quiet_NaN());
        m.ssimPerChannel.push_back(ssim(p.values.data() + c, r.values.data() + c, p.width, p.height, dataRange, static_cast<std::size_t>(n)));
    }
    double angle = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
        if (!valid[i]) continue;
        double ab = 0, aa = 0, bb = 0;
        for (int c = 0; c < n; ++c) {
            const double a = p.values[i * n + c], b = r.values[i * n + c];
            ab += a * b;
            aa += a * a;
            bb += b * b;
        }
        angle += aa > 0 && bb > 0 ? std::acos(std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0)) : 0.0;
    }
    const auto mean = [](const std::vector<double>& v) {
        double s = 0;
        int k = 0;
        for (double x : v)
            if (std::isfinite(x)) {
                s += x;
                ++k;
            }
        return k ? s / k : std::numeric_limits<double>::quiet_NaN();
    };
    m.rmse = mean(m.rmsePerChannel);
    m.pcc = mean(m.pccPerChannel);
    m.cosine = mean(m.cosinePerChannel);
    m.ssim = mean(m.ssimPerChannel);
    m.samDeg = angle / m.validPixels * 180.0 / kPi;
    return m;
}

DetectionMetrics detect(const std::vector<float>& scores, const std::vector<char>& truth, double threshold) {
    if (scores.size() != truth.size()) throw Error("scores and truth differ in size");
    DetectionMetrics d;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (std::isnan(scores[i]) || truth[i] < 0) continue;
        const bool predicted = scores[i] >= threshold, actual = truth[i] > 0;
        (predicted ? (actual ? d.truePositives : d.falsePositives) : (actual ? d.falseNegatives : d.trueNegatives))++;
    }
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    d.precision = ratio(d.truePositives, d.truePositives + d.falsePositives);
    d.recall = ratio(d.truePositives, d.truePositives + d.falseNegatives);
    d.f1 = ratio(2.0 * d.precision * d.recall, d.precision + d.recall);
    d.iou = ratio(d.truePositives, d.truePositives + d.falsePositives + d.falseNegatives);
    return d;
}

double averagePrecision(const std::vector<float>& scores, const std::vector<char>& truth) {
    if (scores.size() != truth.size()) throw Error("scores and truth differ in size");
    std::vector<std::pair<float, bool>> items;
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (!std::isnan(scores[i]) && truth[i] >= 0) items.emplace_back(scores[i], truth[i] > 0);
    const auto positives = static_cast<std::size_t>(std::count_if(items.begin(), items.end(), [](const auto& x) { return x.second; }));
    if (positives == 0) return std::numeric_limits<double>::quiet_NaN();
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    // Step rule over distinct thresholds: AP = Σ (R_k − R_{k−1}) · P_k.
    double ap = 0, previousRecall = 0;
    std::size_t tp = 0, seen = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        ++seen;
        tp += items[i].second;
        if (i + 1 < items.size() && items[i + 1].first == items[i].first) continue; // ties form one threshold
        const double recall = static_cast<double>(tp) / positives, precision = static_cast<double>(tp) / seen;
        ap += (recall - previousRecall) * precision;
        previousRecall = recall;
    }
    return ap;
}

} // namespace jezero
