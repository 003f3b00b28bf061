#include "jezero/core/Calibration.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero {

Calibration calibrate(const std::vector<float>& probabilities, const std::vector<char>& truth, int binCount) {
    if (probabilities.size() != truth.size()) throw Error("probabilities and truth differ in size");
    if (binCount < 1) throw Error("calibration needs at least one bin");
    Calibration c;
    std::vector<double> predicted(static_cast<std::size_t>(binCount), 0.0), observed(static_cast<std::size_t>(binCount), 0.0);
    std::vector<std::size_t> counts(static_cast<std::size_t>(binCount), 0);
    double brier = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i] < 0 || !std::isfinite(probabilities[i])) continue;
        const double p = std::clamp(static_cast<double>(probabilities[i]), 0.0, 1.0), y = truth[i] > 0 ? 1.0 : 0.0;
        const auto b = static_cast<std::size_t>(std::min(binCount - 1, static_cast<int>(p * binCount)));
        predicted[b] += p;
        observed[b] += y;
        ++counts[b];
        brier += (p - y) * (p - y);
        ++c.pixels;
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int b = 0; b < binCount; ++b) {
        const auto k = static_cast<std::size_t>(b);
        ReliabilityBin bin{static_cast<double>(b) / binCount, static_cast<double>(b + 1) / binCount, counts[k], nan, nan};
        if (counts[k]) {
            bin.meanPredicted = predicted[k] / counts[k];
            bin.observedFrequency = observed[k] / counts[k];
            c.ece += static_cast<double>(counts[k]) * std::abs(bin.meanPredicted - bin.observedFrequency);
        }
        c.bins.push_back(bin);
    }
    if (c.pixels) {
        c.ece /= static_cast<double>(c.pixels);
        c.brier = brier / static_cast<double>(c.pixels);
    } else {
        c.ece = c.brier = nan;
    }
    return c;
}

double spreadSkillRatio(const std::vector<float>& mean, const std::vector<float>& stddev, const std::vector<float>& truth) {
    if (mean.size() != stddev.size() || mean.size() != truth.size()) throw Error("ensemble mean, spread and truth differ in size");
    double spread = 0, squared = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < mean.size(); ++i) {
        if (!std::isfinite(mean[i]) || !std::isfinite(stddev[i]) || !std::isfinite(truth[i])) continue;
        spread += stddev[i];
        squared += (static_cast<double>(mean[i]) - truth[i]) * (static_cast<double>(mean[i]) - truth[i]);
        ++n;
    }
    if (n == 0 || squared == 0) return std::numeric_limits<double>::quiet_NaN();
    return (spread / n) / std::sqrt(squared / n);
}

CompositeImage reliabilityDiagram(const Calibration& calibration, int size) {
    CompositeImage image;
    image.width = image.height = size;
    image.rgba.assign(static_cast<std::size_t>(size) * size * 4, 255);
    const int margin = size / 16, plot = size - 2 * margin;
    const auto put = [&](int x, int y, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
        if (x < 0 || y < 0 || x >= size || y >= size) return;
        std::uint8_t* p = &image.rgba[(static_cast<std::size_t>(y) * size + x) * 4];
        p[0] = r, p[1] = g, p[2] = b, p[3] = 255;
    };
    // Plot coordinates: probability u ∈ [0, 1] right, frequency v ∈ [0, 1] up.
    const auto px = [&](double u) { return margin + static_cast<int>(std::lround(u * plot)); };
    const auto py = [&](double v) { return size - margin - static_cast<int>(std::lround(v * plot)); };
    for (int k = 0; k <= 10; ++k) // grid every 0.1
        for (int t = 0; t <= plot; ++t) {
            const std::uint8_t shade = k % 5 == 0 ? 150 : 220;
            put(px(k / 10.0), margin + t, shade, shade, shade);
            put(margin + t, py(k / 10.0), shade, shade, shade);
        }
    for (const ReliabilityBin& bin : calibration.bins) {
        if (!bin.count) continue;
        for (int x = px(bin.lower) + 1; x < px(bin.upper); ++x)
            for (int y = py(bin.observedFrequency); y < py(0); ++y) put(x, y, 70, 120, 200);
        const int mark = px(bin.meanPredicted);
        for (int y = py(bin.observedFrequency) - 4; y <= py(bin.observedFrequency) + 4; ++y)
            for (int dx = -1; dx <= 1; ++dx) put(mark + dx, y, 20, 20, 20);
    }
    for (int t = 0; t <= plot; ++t) // the diagonal, drawn last so it stays visible
        for (int d = -1; d <= 1; ++d) put(margin + t, py(static_cast<double>(t) / plot) + d, 120, 120, 120);
    return image;
}

} // namespace jezero
