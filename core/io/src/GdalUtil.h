#pragma once
// Private GDAL helpers shared by the readers.
#include "jezero/core/SceneMetadata.h"
#include "jezero/io/SceneReader.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

class GDALDataset;

namespace jezero::io::detail {

// Registers GDAL's drivers, once per process. GDALAllRegister is not safe to run on two threads at
// once (the window reads a scene and scans the scene library side by side): call this instead.
void registerDrivers();

// GDAL's last error message on one line (its messages may hold newlines); empty when none.
std::string lastGdalError();

// Opens a raster read-only without GDAL printing to stderr (the caller words the error; see
// lastGdalError). drivers limits which drivers may claim it (null: any). Null when it cannot.
std::unique_ptr<GDALDataset> openRasterQuietly(const std::string& path, const char* const* drivers = nullptr);

// The dataset's CRS (WKT2, the file's own body) and geotransform, when it has them.
SceneMetadata georeferenceOf(GDALDataset& dataset);

// What every reader masks: non-finite values, CRISM's 65535, the file's no-data values and values
// outside options' valid range become NaN.
void maskInvalid(float* values, std::size_t count, const std::vector<double>& noData, const ReadOptions& options);

} // namespace jezero::io::detail
