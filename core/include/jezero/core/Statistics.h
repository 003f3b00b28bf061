#pragma once
#include <cstddef>
#include <vector>

namespace jezero {

// Percentiles (0–100) of the finite values in values (NaN and ±inf skipped), by linear interpolation
// between order statistics (numpy's default). Returns NaN for each when there is no finite value.
std::vector<double> finitePercentiles(std::vector<float> values, const std::vector<double>& percents);

// Mean of the finite values (NaN and ±inf skipped); NaN when there is none.
double finiteMean(const std::vector<float>& values);

} // namespace jezero
