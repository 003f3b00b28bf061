#pragma once
// How far predicted carbonate probabilities can be trusted: the reliability diagram (observed carbonate
// frequency per bin of predicted probability), the expected calibration error
//   ECE = Σ_bins (n_b / N) · |mean predicted_b − observed frequency_b|
// (Guo et al. 2017, equal-width bins), and the Brier score mean (p − y)². And for ensembles the
// spread–skill ratio: mean ensemble standard deviation over the RMSE of the ensemble mean (1 for a
// well-dispersed ensemble, < 1 over-confident).
#include "jezero/core/Composite.h"

#include <cstddef>
#include <vector>

namespace jezero {

struct ReliabilityBin {
    double lower = 0, upper = 0;
    std::size_t count = 0;
    double meanPredicted = 0, observedFrequency = 0; // NaN when the bin is empty
};

struct Calibration {
    std::vector<ReliabilityBin> bins;
    double ece = 0, brier = 0;
    std::size_t pixels = 0;
};

// probabilities in [0, 1] (clamped), truth 1/0, −1 or a NaN probability = skipped. Throws Error when the
// sizes differ or bins < 1.
Calibration calibrate(const std::vector<float>& probabilities, const std::vector<char>& truth, int bins = 10);

// Mean spread over RMSE of the mean, pooled over the finite pixels of all three; NaN when the RMSE is 0.
double spreadSkillRatio(const std::vector<float>& mean, const std::vector<float>& stddev, const std::vector<float>& truth);

// The diagram as an image: predicted probability right, observed frequency up, a grey diagonal (perfect
// calibration), one bar per non-empty bin (blue, its width the bin, its height the observed frequency)
// and a dark mark at the bin's mean predicted probability; grid lines every 0.1.
CompositeImage reliabilityDiagram(const Calibration& calibration, int size = 400);

} // namespace jezero
