#pragma once
// Per-image metrics between a prediction and a reference (both the same channels × size; NaN pixels,
// in either, are left out):
//   rmse     per channel √mean((a − b)²), then the mean over channels
//   pcc      per channel Pearson correlation, mean over channels
//   cosine   per channel cosine similarity of the flattened channel images, mean over channels
//   sam_deg  per pixel the angle between the two channel vectors (spectral angle), mean over pixels, degrees
//   ssim     per channel the mean SSIM (Wang et al. 2004: Gaussian window 11 × 11, σ = 1.5, K1 = 0.01,
//            K2 = 0.03, population statistics) over the windows that lie wholly inside the image and
//            hold no NaN, for the stated data range L; mean over channels. Equal to scikit-image's
//            structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
//            data_range=L) on NaN-free images.
// And carbonate detection on a score map against a truth mask: precision, recall, F1, IoU at a
// threshold, and average precision over all thresholds.
#include "jezero/core/ImageStack.h"

#include <cstddef>
#include <vector>

namespace jezero {

struct ImageMetrics {
    double rmse = 0, pcc = 0, cosine = 0, samDeg = 0, ssim = 0;
    std::vector<double> rmsePerChannel, pccPerChannel, cosinePerChannel, ssimPerChannel;
    std::size_t validPixels = 0;
};

// Throws Error when the shapes differ or no pixel is valid in both.
ImageMetrics compareImages(const ImageStack& prediction, const ImageStack& reference, double dataRange = 255.0);

// SSIM of one channel pair (row-major width × height), as above.
double ssim(const float* a, const float* b, int width, int height, double dataRange, std::size_t stride = 1);

struct DetectionMetrics {
    std::size_t truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0;
    double precision = 0, recall = 0, f1 = 0, iou = 0; // 0 where undefined (no positives)
};
// Pixels with score ≥ threshold are predicted positive; NaN scores and truths < 0 are skipped.
DetectionMetrics detect(const std::vector<float>& scores, const std::vector<char>& truth, double threshold);
// Area under the precision–recall curve by the step rule (scikit-learn's average_precision_score);
// NaN when there is no positive.
double averagePrecision(const std::vector<float>& scores, const std::vector<char>& truth);

} // namespace jezero
