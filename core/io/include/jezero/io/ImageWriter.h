#pragma once
#include "jezero/core/Composite.h"

#include <string>

namespace jezero::io {

// Writes a composite as an RGBA PNG, atomically. Throws Error.
void writePng(const std::string& path, const CompositeImage& image);

} // namespace jezero::io

#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneMetadata.h"

#include <map>

namespace jezero::io {

// Writes a float32 GeoTIFF (one band per channel, band descriptions = channel names, NaN no-data,
// DEFLATE), with the scene's CRS and geotransform when it has them and `metadata` as dataset
// metadata items. Atomic. Throws Error.
void writeGeoTiff(const std::string& path, const ImageStack& image, const SceneMetadata& georeference,
                  const std::map<std::string, std::string>& metadata = {});

} // namespace jezero::io
