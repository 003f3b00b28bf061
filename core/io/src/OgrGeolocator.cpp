#include "OgrGeolocator.h"

#include <ogr_spatialref.h>

#include <cmath>
#include <mutex>

namespace jezero::io::detail {
namespace {

class OgrGeolocator : public PixelGeolocator {
public:
    OgrGeolocator(std::unique_ptr<OGRCoordinateTransformation> transform, const std::array<double, 6>& gt)
        : mTransform(std::move(transform)), mGeoTransform(gt) {}

    std::optional<LatLon> latLon(double column, double row) const override {
        const auto& g = mGeoTransform;
        double x = g[0] + column * g[1] + row * g[2];
        double y = g[3] + column * g[4] + row * g[5];
        std::lock_guard<std::mutex> lock(mMutex); // OGR transformations are not thread-safe
        if (!mTransform->Transform(1, &x, &y)) return std::nullopt;
        if (!std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
        double lon = std::fmod(x, 360.0);
        if (lon > 180.0) lon -= 360.0;
        if (lon <= -180.0) lon += 360.0;
        return LatLon{y, lon};
    }

private:
    std::unique_ptr<OGRCoordinateTransformation> mTransform;
    std::array<double, 6> mGeoTransform;
    mutable std::mutex mMutex;
};

} // namespace

std::shared_ptr<const PixelGeolocator> makeOgrGeolocator(const std::string& crsWkt, const std::array<double, 6>& gt) {
    OGRSpatialReference projected;
    if (projected.importFromWkt(crsWkt.c_str()) != OGRERR_NONE) return nullptr;
    projected.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRSpatialReference> geographic(projected.CloneGeogCS());
    if (!geographic) return nullptr;
    geographic->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER); // x = longitude, y = latitude
    std::unique_ptr<OGRCoordinateTransformation> transform(OGRCreateCoordinateTransformation(&projected, geographic.get()));
    if (!transform) return nullptr;
    return std::make_shared<OgrGeolocator>(std::move(transform), gt);
}

void attachGeolocator(SpectralCube& cube, SceneMetadata& metadata) {
    if (!metadata.geoTransform || metadata.crsWkt.empty()) return;
    if (auto geolocator = makeOgrGeolocator(metadata.crsWkt, *metadata.geoTransform)) {
        metadata.centre = geolocator->latLon(cube.width() / 2.0, cube.height() / 2.0);
        cube.setGeolocator(std::move(geolocator));
    }
}

} // namespace jezero::io::detail
