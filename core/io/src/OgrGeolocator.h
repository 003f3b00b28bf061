#pragma once
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/SpectralCube.h"

#include <array>
#include <memory>
#include <string>

namespace jezero::io::detail {

// Pixel → lat/lon through the file's own CRS and geotransform, into that CRS's geographic CRS (the
// Mars sphere it names; never an Earth datum). Null when the CRS cannot be used.
std::shared_ptr<const PixelGeolocator> makeOgrGeolocator(const std::string& crsWkt, const std::array<double, 6>& geoTransform);

// Gives the cube its geolocator and metadata its centre when metadata's CRS and geotransform can be used.
void attachGeolocator(SpectralCube& cube, SceneMetadata& metadata);

} // namespace jezero::io::detail
