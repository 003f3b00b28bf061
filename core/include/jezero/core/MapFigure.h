#pragma once
// What a map figure draws over a georeferenced scene: a scale bar, a north arrow and a latitude /
// longitude grid, all computed through the scene's PixelGeolocator — so any CRS the readers accept
// (equirectangular metres, degrees, a rotated footprint) gives the same ground distances and
// directions, measured on the Mars sphere.
#include "jezero/core/PixelGeolocator.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace jezero {

// The IAU 2000 Mars sphere (the radius of the MTRDR map projections), metres.
constexpr double kMarsRadiusM = 3396190.0;

// 1-2-5 steps for scales and axis ticks: the largest 1, 2 or 5 × 10^k not over value, and the
// smallest not under it (value > 0).
double niceBelow(double value);
double niceAbove(double value);
// Round values for an axis from low to high: multiples of a 1-2-5 step giving at least `about` − 1
// ticks inside [low, high] (both ends inclusive); empty unless low < high. And the decimals that
// show that step exactly (0 for a step ≥ 1).
std::vector<double> niceTicks(double low, double high, int about = 5);
int tickDecimals(const std::vector<double>& ticks);

// Great-circle distance between two points on the Mars sphere, metres.
double marsSurfaceDistanceM(const LatLon& a, const LatLon& b);

struct ScaleBar {
    double lengthM = 0;  // a 1, 2 or 5 × 10^k metres
    double lengthPx = 0; // that length in image pixels, along a row through the centre
    std::string label;   // "500 m", "2 km"
};

// The longest 1-2-5 length not over maxFraction of the image width, measured along the row through
// the image centre; nullopt when the centre row cannot be located.
std::optional<ScaleBar> chooseScaleBar(const PixelGeolocator& geo, int width, int height, double maxFraction = 0.25);

// The direction of north at pixel position (column, row), as degrees clockwise from image up (row
// decreasing): 0 for a north-up map, 90 when north points right. nullopt when it cannot be located.
std::optional<double> northBearingDeg(const PixelGeolocator& geo, double column, double row);

struct GraticuleLine {
    bool latitude = true;  // a parallel (constant latitude) or a meridian (constant longitude)
    double valueDeg = 0;   // longitude in (-180, 180]
    std::string label;     // "18.5°N", "77.4°E"
    std::vector<std::array<double, 4>> segments; // x0, y0, x1, y1 in pixel coordinates (0 … width)
    double labelX = 0, labelY = 0; // where the line meets the image edge: the left (parallels) or bottom (meridians)
};

// Parallels and meridians at a 1-2-5 step in degrees giving about targetLines of each over the
// image, traced through the geolocator (marching squares on a grid of located points, so rotated
// and curved grids come out right). Empty when the image cannot be located.
std::vector<GraticuleLine> graticule(const PixelGeolocator& geo, int width, int height, int targetLines = 4);

// "18.5°N", "3.25°S", "77.4°E", "120°W": as many decimals as the step needs.
std::string formatLatitude(double degrees, double step);
std::string formatLongitude(double degrees, double step);

} // namespace jezero
