#include "jezero/core/Comparison.h"

#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"

#include <algorithm>
#include <filesystem>
#include <cmath>

namespace jezero {
namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Mean over channels of |value| ÷ the channel's displayed range, per pixel.
// (Channels past the third are measured against the third's range.)
ImageStack shareOfRange(const ImageStack& image, const std::array<ChannelRange, 3>& ranges, const std::string& name) {
    ImageStack out(image.width, image.height, {name});
    const int c = image.channels();
    for (std::size_t p = 0; p < out.pixelCount(); ++p) {
        double sum = 0;
        for (int k = 0; k < c; ++k) {
            const ChannelRange& r = ranges[std::min(k, 2)];
            sum += std::abs(image.values[p * c + k]) / std::max(1e-12, r.high - r.low);
        }
        out.values[p] = static_cast<float>(sum / c);
    }
    return out;
}

CompositeImage grey(const ImageStack& image, const std::string& name) {
    CompositeImage g;
    g.width = image.width;
    g.height = image.height;
    g.rgb.name = name;
    for (auto& range : g.channels) range = {0, 0.0, 0.5};
    fillRgba(g, [&](std::size_t p, int) { return static_cast<double>(image.values[p]); });
    return g;
}

CompositeImage blank(int width, int height, const std::string& name) {
    CompositeImage b;
    b.width = width;
    b.height = height;
    b.rgb.name = name;
    b.rgba.assign(static_cast<std::size_t>(width) * height * 4, 0);
    return b;
}

void requireSameGrid(const ImageStack& a, const ImageStack& b, const char* what) {
    if (a.width != b.width || a.height != b.height)
        throw Error(std::string(what) + " is " + std::to_string(b.width) + "×" + std::to_string(b.height) + ", the prediction " +
                    std::to_string(a.width) + "×" + std::to_string(a.height));
}

} // namespace

ComparisonImages renderComparison(const ImageStack& input, const ImageStack* truth, const ImageStack& prediction, const ImageStack* stddev,
                                  const Stretch& stretch, bool truthIsPrediction) {
    requireSameGrid(prediction, input, "the input");
    if (truth) requireSameGrid(prediction, *truth, "the ground truth");
    if (stddev) requireSameGrid(prediction, *stddev, "the uncertainty");
    const int c = prediction.channels();
    if (c == 0 || (truth && truth->channels() != c) || (stddev && stddev->channels() != c))
        throw Error("prediction, ground truth and uncertainty need the same channels");
    const std::array<int, 3> rgb{0, std::min(1, c - 1), std::min(2, c - 1)};
    const int ci = input.channels();
    ComparisonImages out;
    out.input = renderChannels(input, {0, std::min(1, ci - 1), std::min(2, ci - 1)}, stretch, "input");
    const ImageStack& reference = truth ? *truth : prediction;
    out.truth = renderChannels(reference, rgb, stretch, "ground truth");
    if (prediction.channelNames == std::vector<std::string>{kCarbonateLabelChannel}) {
        // A carbonate probability and its 0/1 label are shown on 0–1, whatever their percentiles.
        for (ChannelRange& range : out.truth.channels) range.low = 0, range.high = 1;
        fillRgba(out.truth, [&](std::size_t p, int) { return static_cast<double>(reference.values[p]); });
    }
    out.prediction = out.truth;
    out.prediction.rgb.name = "prediction";
    if (prediction.channelNames == std::vector<std::string>{kCarbonateLabelChannel}) {
        // A calibrated model with weak skill keeps its probabilities low: on 0–1 its map is black. It is
        // drawn from 0 to its 99th percentile (at least 0.05), and the range is part of the image.
        std::vector<float> valid;
        for (const float v : prediction.values)
            if (std::isfinite(v)) valid.push_back(v);
        double high = 1.0;
        if (!valid.empty()) {
            const auto at = valid.begin() + static_cast<std::ptrdiff_t>(0.99 * static_cast<double>(valid.size() - 1));
            std::nth_element(valid.begin(), at, valid.end());
            high = std::clamp(static_cast<double>(*at), kMinimumProbabilityScale, 1.0);
        }
        for (ChannelRange& range : out.prediction.channels) range.low = 0, range.high = high;
        if (truth && truthIsPrediction) { // two predictions on one range, and their difference as a share of it
            out.truth.channels = out.prediction.channels;
            fillRgba(out.truth, [&](std::size_t p, int) { return static_cast<double>(reference.values[p]); });
        }
    }
    fillRgba(out.prediction, [&](std::size_t p, int k) { return static_cast<double>(prediction.values[p * c + rgb[k]]); });
    if (truth) {
        ImageStack difference = prediction;
        for (std::size_t i = 0; i < difference.values.size(); ++i) difference.values[i] -= truth->values[i];
        out.error = grey(shareOfRange(difference, out.truth.channels, "error"), "|error|");
    } else {
        out.truth = blank(prediction.width, prediction.height, "ground truth");
        out.error = blank(prediction.width, prediction.height, "|error|");
    }
    out.uncertainty = stddev ? grey(shareOfRange(*stddev, out.prediction.channels, "std"), "uncertainty")
                             : blank(prediction.width, prediction.height, "uncertainty");
    return out;
}

CompositeImage sideBySide(const std::vector<const CompositeImage*>& images, int gap) {
    if (images.empty()) return {};
    const int h = images.front()->height;
    CompositeImage out;
    out.height = h;
    for (const CompositeImage* image : images) {
        if (image->height != h) throw Error("images side by side need the same height");
        out.width += image->width;
    }
    out.width += gap * static_cast<int>(images.size() - 1);
    out.rgba.assign(static_cast<std::size_t>(out.width) * h * 4, 255);
    int left = 0;
    for (const CompositeImage* image : images) {
        for (int y = 0; y < h; ++y)
            std::copy_n(image->rgba.begin() + static_cast<std::ptrdiff_t>(y) * image->width * 4, image->width * 4,
                        out.rgba.begin() + (static_cast<std::ptrdiff_t>(y) * out.width + left) * 4);
        left += image->width + gap;
    }
    return out;
}

ImageStack selectChannels(const ImageStack& image, const std::vector<std::string>& names) {
    ImageStack out(image.width, image.height, names);
    const int n = out.channels();
    for (int k = 0; k < n; ++k) {
        const int from = image.channelIndex(names[k]);
        if (from < 0) throw Error("no channel '" + names[k] + "'");
        for (std::size_t p = 0; p < out.pixelCount(); ++p) out.values[p * n + k] = image.values[p * image.channels() + from];
    }
    return out;
}

bool isSpreadBand(const std::string& name) { return endsWith(name, " std"); }

PredictionLayers splitPredictionBands(const ImageStack& bands) {
    std::vector<std::string> meanBands, meanNames, stdBands, stdNames;
    PredictionLayers layers;
    for (const std::string& name : bands.channelNames) {
        if (name.rfind("P(", 0) == 0) {
            layers.probabilityName = name;
        } else if (isSpreadBand(name)) {
            stdBands.push_back(name);
            stdNames.push_back(name.substr(0, name.size() - 4));
        } else {
            meanBands.push_back(name);
            meanNames.push_back(endsWith(name, " mean") ? name.substr(0, name.size() - 5) : name);
        }
    }
    if (meanBands.empty()) throw Error("the image has no prediction bands (expected '<channel>' or '<channel> mean')");
    layers.mean = selectChannels(bands, meanBands);
    layers.mean.channelNames = meanNames;
    if (!stdBands.empty()) {
        if (stdNames != meanNames) throw Error("the std bands do not match the mean bands");
        layers.stddev = selectChannels(bands, stdBands);
        layers.stddev->channelNames = stdNames;
    }
    if (!layers.probabilityName.empty()) layers.probability = selectChannels(bands, {layers.probabilityName});
    return layers;
}

namespace {
std::string besidePrediction(const std::string& predictionPath, const std::string& what) {
    const std::filesystem::path p(predictionPath);
    return (p.parent_path() / (p.stem().string() + "." + what + p.extension().string())).string();
}
} // namespace

std::string modelScalePredictionPath(const std::string& predictionPath) { return besidePrediction(predictionPath, "model-scale"); }

std::string modelInputPath(const std::string& predictionPath) { return besidePrediction(predictionPath, "model-input"); }

ImageStack repeatPixels(const ImageStack& coarse, double factor, int width, int height) {
    if (!(factor > 0)) throw Error("the factor between the grids must be positive");
    ImageStack out(width, height, coarse.channelNames);
    const int n = coarse.channels();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const int cx = static_cast<int>((x + 0.5) / factor), cy = static_cast<int>((y + 0.5) / factor);
            float* target = &out.values[(static_cast<std::size_t>(y) * width + x) * n];
            if (cx >= coarse.width || cy >= coarse.height) std::fill(target, target + n, std::numeric_limits<float>::quiet_NaN());
            else std::copy_n(&coarse.values[(static_cast<std::size_t>(cy) * coarse.width + cx) * n], n, target);
        }
    return out;
}

} // namespace jezero
