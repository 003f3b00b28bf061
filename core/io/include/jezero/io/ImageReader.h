#pragma once
#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneMetadata.h"

#include <string>
#include <utility>

namespace jezero::io {

// Reads any raster GDAL opens (GeoTIFFs Jezero writes, parameter maps, predictions) as float
// channels named by their band descriptions ("band N" when none), no-data as NaN, with its CRS and
// geotransform. Throws Error.
std::pair<ImageStack, SceneMetadata> readImageStack(const std::string& path);

} // namespace jezero::io
