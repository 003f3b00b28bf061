#pragma once
#include "jezero/core/SceneMetadata.h"

#include <optional>

namespace jezero {

// Maps a position in pixel coordinates (column, row; pixel centres at +0.5) to planetocentric
// latitude/longitude on the scene's own body. Implemented in core/io from the file's CRS.
class PixelGeolocator {
public:
    virtual ~PixelGeolocator() = default;
    virtual std::optional<LatLon> latLon(double column, double row) const = 0;
};

} // namespace jezero
