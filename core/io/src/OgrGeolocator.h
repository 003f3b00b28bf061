#pragma once
#include "jezero/core/PixelGeolocator.h"

#include <array>
#include <memory>
#include <string>

namespace jezero::io::detail {

// Pixel → lat/lon through the file's own CRS and geotransform, into that CRS's geographic CRS (the
// Mars sphere it names; never an Earth datum). Null when the CRS cannot be used.
std::shared_ptr<const PixelGeolocator> makeOgrGeolocator(const std::string& crsWkt, const std::array<double, 6>& geoTransform);

} // namespace jezero::io::detail
