#pragma once
// Spectral response curves of broad-band filters (the CaSSIS BLU/PAN/RED/NIR set by default). A user
// can load any delimited text table: a wavelength column (nm) followed by one column per filter, with
// an optional header row naming the filters.
#include <string>
#include <vector>

namespace jezero {

struct FilterCurve {
    std::string name;
    std::vector<double> response; // one value per FilterSet::wavelengthsNm entry
};

struct FilterSet {
    std::vector<double> wavelengthsNm; // ascending
    std::vector<FilterCurve> filters;
};

FilterSet readFilterSet(const std::string& path);

} // namespace jezero
