#pragma once
// CaSSIS-like bands from an I/F cube: each band is the response-weighted mean of the cube's valid
// channels under the filter,
//     value = Σ R(λi)·I(λi)·Δλi / Σ R(λi)·Δλi   over channels i where I is valid,
// with R linearly interpolated from the filter table at each channel (0 outside it) and Δλi the
// channel's width: its FWHM when the cube has them, else the smaller step to a neighbouring channel
// (so channels at the edge of a coverage gap are not weighted by the gap). A pixel with no valid
// channel under a filter is NaN there.
#include "jezero/core/FilterResponse.h"
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <string>
#include <vector>

namespace jezero {

class TaskControl;

// R(λi)·Δλi for every cube channel, one row per filter.
std::vector<std::vector<double>> filterWeights(const std::vector<double>& wavelengthsNm, const std::vector<double>& fwhmNm,
                                               const FilterSet& filters);

// One value per filter for one spectrum.
std::vector<float> simulateBands(const float* spectrum, const std::vector<std::vector<double>>& weights);

// The whole cube: channels named after the filters (BLU, PAN, RED, NIR for CaSSIS).
ImageStack simulateCassis(const SpectralCube& cube, const FilterSet& filters, TaskControl* control = nullptr);

// The bundled CaSSIS filter set (resources/cassis/cassis_filter_response_on_crism_grid.csv).
FilterSet cassisFilters();

// A CaSSIS filter's nominal centre and width (nm) as USGS ISIS labels CaSSIS products (the current
// version in resources/cassis/cassis_filter_nominal_centers_widths.csv).
struct NominalFilter {
    std::string name;
    double centreNm = 0;
    double widthNm = 0;
};
// BLU, PAN, RED, NIR, in wavelength order.
const std::vector<NominalFilter>& cassisNominalFilters();

} // namespace jezero
