#pragma once
// Private GDAL helpers shared by the readers.
#include "jezero/core/SceneMetadata.h"

#include <string>

class GDALDataset;

namespace jezero::io::detail {

// GDAL's last error message on one line (its messages may hold newlines); empty when none.
std::string lastGdalError();

// The dataset's CRS (WKT2, the file's own body) and geotransform, when it has them.
SceneMetadata georeferenceOf(GDALDataset& dataset);

} // namespace jezero::io::detail
