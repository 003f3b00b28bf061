#include "jezero/core/Evaluation.h"

#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"

#include <algorithm>
#include <cmath>

namespace jezero {

ImageStack scaledTo255(const ImageStack& image, const ImageStack& reference) {
    if (image.width != reference.width || image.height != reference.height || image.channels() != reference.channels())
        throw Error("cannot scale images of different shapes");
    ImageStack out = image;
    const int channels = image.channels();
    for (int c = 0; c < channels; ++c) {
        double low = std::numeric_limits<double>::infinity(), high = -low;
        for (std::size_t p = 0; p < reference.pixelCount(); ++p) {
            const float v = reference.values[p * channels + c];
            if (std::isfinite(v)) low = std::min(low, static_cast<double>(v)), high = std::max(high, static_cast<double>(v));
        }
        for (std::size_t p = 0; p < image.pixelCount(); ++p) {
            float& v = out.values[p * channels + c];
            if (!std::isfinite(v)) continue;
            v = high > low ? static_cast<float>((v - low) / (high - low) * 255.0) : 127.5f;
        }
    }
    return out;
}

void carbonatePixels(const ImageStack& prediction, const ImageStack& truth, int c, double threshold, std::vector<float>& scores,
                     std::vector<char>& truthMask, const std::uint8_t* label) {
    const int channels = truth.channels();
    for (std::size_t p = 0; p < truth.pixelCount(); ++p) {
        const float t = truth.values[p * channels + c], s = prediction.values[p * channels + c];
        const bool valid = std::isfinite(s) && (label ? label[p] != kLabelNoData : std::isfinite(t));
        const bool positive = label ? label[p] == kLabelCarbonate : t > threshold;
        scores.push_back(valid ? s : std::numeric_limits<float>::quiet_NaN());
        truthMask.push_back(valid ? static_cast<char>(positive) : static_cast<char>(-1));
    }
}

DetectionMetrics detectAbove(const std::vector<float>& scores, const std::vector<char>& truthMask, double threshold) {
    return detect(scores, truthMask, std::nextafter(threshold, std::numeric_limits<double>::infinity()));
}

ImageEvaluation evaluateImage(const ImageStack& prediction, const ImageStack& truth, int carbonateChannel, double threshold, const std::uint8_t* label) {
    ImageEvaluation e;
    e.physical = compareImages(prediction, truth, 1.0);
    const ImageMetrics scaled = compareImages(scaledTo255(prediction, truth), scaledTo255(truth, truth), 255.0);
    e.rmse255 = scaled.rmse;
    e.ssim255 = scaled.ssim;
    if (carbonateChannel >= 0 && carbonateChannel < truth.channels()) {
        e.hasCarbonateChannel = true;
        std::vector<float> scores;
        std::vector<char> mask;
        carbonatePixels(prediction, truth, carbonateChannel, threshold, scores, mask, label);
        e.detection = detectAbove(scores, mask, threshold);
        std::size_t valid = 0, truthPositive = 0, predictedPositive = 0;
        for (std::size_t i = 0; i < mask.size(); ++i) {
            if (mask[i] < 0) continue;
            ++valid;
            truthPositive += mask[i] == 1;
            predictedPositive += scores[i] > threshold;
        }
        e.truthCarbonateFraction = valid ? static_cast<double>(truthPositive) / valid : 0.0;
        e.predictedCarbonateFraction = valid ? static_cast<double>(predictedPositive) / valid : 0.0;
    }
    return e;
}

} // namespace jezero
