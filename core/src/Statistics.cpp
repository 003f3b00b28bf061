#include "jezero/core/Statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero {

double finiteMean(const std::vector<float>& values) {
    double sum = 0;
    std::size_t n = 0;
    for (const float v : values)
        if (std::isfinite(v)) sum += v, ++n;
    return n ? sum / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> finitePercentiles(std::vector<float> values, const std::vector<double>& percents) {
    values.erase(std::remove_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }),
                 values.end());
    std::vector<double> out;
    out.reserve(percents.size());
    if (values.empty()) {
        out.assign(percents.size(), std::numeric_limits<double>::quiet_NaN());
        return out;
    }
    std::sort(values.begin(), values.end());
    const double last = static_cast<double>(values.size() - 1);
    for (double p : percents) {
        const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * last;
        const auto lo = static_cast<std::size_t>(std::floor(rank));
        const auto hi = std::min(lo + 1, values.size() - 1);
        const double t = rank - static_cast<double>(lo);
        out.push_back(values[lo] + (static_cast<double>(values[hi]) - values[lo]) * t);
    }
    return out;
}

} // namespace jezero
