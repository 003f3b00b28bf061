#pragma once
#include <cstddef>
#include <vector>

namespace jezero {

// Indices i where a spectrum plotted against wavelengths must break between channel i-1 and i,
// because the step is a gap in coverage (detector joins, filter-order gaps): steps wider than
// 2.5 × the median channel spacing.
std::vector<std::size_t> spectralGapStarts(const std::vector<double>& wavelengthsNm);

} // namespace jezero
