#pragma once
// One predicted image against its ground truth, as the evaluation report and the comparison view show it:
//   physical  RMSE (target units), PCC, cosine similarity and spectral angle on the values as they are
//   255       RMSE and SSIM after mapping both images by the truth's per-channel min–max onto 0–255
//             (the thesis compares 8-bit renderings; SSIM with data range 255)
//   carbonate detection: prediction's carbonate channel > threshold against the carbonate label when
//             there is one (the truth: synthetic abundance, or the documented rule for real scenes),
//             else against truth > threshold on the same channel; and the carbonate-pixel shares
#include "jezero/core/ImageMetrics.h"
#include "jezero/core/ImageStack.h"

#include <cstdint>
#include <limits>

namespace jezero {

struct ImageEvaluation {
    ImageMetrics physical;
    double rmse255 = 0, ssim255 = 0;
    bool hasCarbonateChannel = false;
    DetectionMetrics detection;
    double truthCarbonateFraction = 0, predictedCarbonateFraction = 0;
};

// Both images mapped by reference's per-channel minimum and maximum (finite values) onto 0–255; a
// constant channel maps to 127.5.
ImageStack scaledTo255(const ImageStack& image, const ImageStack& reference);

// Throws Error when the shapes differ or no pixel is valid in both. carbonateChannel < 0: no detection.
// label: per pixel kLabelCarbonate / kLabelNone / kLabelNoData (Dataset.h), or null.
ImageEvaluation evaluateImage(const ImageStack& prediction, const ImageStack& truth, int carbonateChannel, double threshold,
                              const std::uint8_t* label = nullptr);

// The carbonate channel as scores and a truth mask (1 carbonate, 0 none, −1 where the score or the
// truth is missing) — from the label when given, else truth above threshold — for pooling pixels over
// many images (average precision, calibration).
void carbonatePixels(const ImageStack& prediction, const ImageStack& truth, int carbonateChannel, double threshold, std::vector<float>& scores,
                     std::vector<char>& truthMask, const std::uint8_t* label = nullptr);

// Detection with pixels strictly above the threshold predicted positive, as the truth mask counts them
// (detect() takes score ≥ threshold).
DetectionMetrics detectAbove(const std::vector<float>& scores, const std::vector<char>& truthMask, double threshold);

} // namespace jezero
