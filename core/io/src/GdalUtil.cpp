#include "GdalUtil.h"
#include "jezero/io/SceneReader.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace jezero::io::detail {

namespace {

// GDAL's messages go to the debug log, never to stderr: every failure reaches the user as the one line
// the reader words from CPLGetLastErrorMsg (set before any handler runs).
void CPL_STDCALL logGdalMessage(CPLErr level, CPLErrorNum number, const char* message) {
    spdlog::debug("GDAL {} {}: {}", static_cast<int>(level), number, message ? message : "");
}

} // namespace

void registerDrivers() {
    static std::once_flag registered;
    std::call_once(registered, [] {
        GDALAllRegister();
        CPLSetErrorHandler(logGdalMessage);
    });
}

std::string lastGdalError() {
    std::string message = CPLGetLastErrorMsg();
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::replace(message.begin(), message.end(), '\r', ' ');
    return message;
}

std::unique_ptr<GDALDataset> openRasterQuietly(const std::string& path, const char* const* drivers) {
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    auto* ds = static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    CPLPopErrorHandler();
    return std::unique_ptr<GDALDataset>(ds);
}

void maskInvalid(float* v, std::size_t n, const std::vector<double>& noData, const ReadOptions& options) {
    constexpr float kCrismNoData = 65535.0f;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 0; i < n; ++i) {
        const float x = v[i];
        bool bad = !std::isfinite(x) || x == kCrismNoData || x < options.minValid || x > options.maxValid;
        for (double nd : noData) bad = bad || x == static_cast<float>(nd);
        if (bad) v[i] = nan;
    }
}

SceneMetadata georeferenceOf(GDALDataset& ds) {
    SceneMetadata metadata;
    const OGRSpatialReference* srs = ds.GetSpatialRef();
    if (!srs) return metadata;
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2018", nullptr};
    if (srs->exportToWkt(&wkt, options) == OGRERR_NONE && wkt) metadata.crsWkt = wkt;
    CPLFree(wkt);
    std::array<double, 6> gt{};
    if (ds.GetGeoTransform(gt.data()) == CE_None) metadata.geoTransform = gt;
    return metadata;
}

} // namespace jezero::io::detail

namespace jezero::io {

bool sameCrs(const std::string& wktA, const std::string& wktB) {
    if (wktA.empty() || wktB.empty()) return false;
    if (wktA == wktB) return true;
    OGRSpatialReference a, b;
    if (a.importFromWkt(wktA.c_str()) != OGRERR_NONE || b.importFromWkt(wktB.c_str()) != OGRERR_NONE) return false;
    const char* options[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", nullptr};
    return a.IsSame(&b, options);
}

} // namespace jezero::io
