#include "jezero/core/SpectrumGaps.h"

#include <algorithm>

namespace jezero {

std::vector<std::size_t> spectralGapStarts(const std::vector<double>& wavelengths) {
    std::vector<std::size_t> starts;
    if (wavelengths.size() < 3) return starts;
    std::vector<double> steps;
    steps.reserve(wavelengths.size() - 1);
    for (std::size_t i = 1; i < wavelengths.size(); ++i) steps.push_back(wavelengths[i] - wavelengths[i - 1]);
    std::vector<double> sorted = steps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i] > 2.5 * median) starts.push_back(i + 1);
    return starts;
}

} // namespace jezero
