#pragma once
// The JSON documents the CLI prints and the headless run writes. Keys are part of the CLI contract
// (README, "Command line"): scripts rely on them.
#include "jezero/core/SpectralCube.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace jezero::cli {

// product_id, samples, lines, bands, wavelength_min_nm, wavelength_max_nm, crs_wkt, nodata_pixels,
// plus observation_type, sensor, format, nodata_values, centre_latitude/longitude (null if unknown),
// wavelengths_from_bundled_table.
nlohmann::json sceneInfoJson(const SpectralCube& cube);

// wavelengths_nm, values (NaN as null), same length, ascending wavelength; plus pixel [x, y].
nlohmann::json spectrumJson(const std::vector<double>& wavelengthsNm, const std::vector<float>& values, int x, int y);

// "wavelength_nm,value" rows, empty value where NaN.
std::string spectrumCsv(const std::vector<double>& wavelengthsNm, const std::vector<float>& values);

} // namespace jezero::cli
