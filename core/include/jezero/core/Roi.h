#pragma once
// Regions of interest on a scene and what a geologist reads from them: the NaN-aware mean ± standard
// deviation and median spectrum of the pixels inside, ratio spectra (numerator ROI ÷ denominator ROI,
// the standard CRISM way to bring out absorptions) and GeoJSON for saving them with the scene.
#include "jezero/core/SpectralCube.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jezero {

class TaskControl;

struct Roi {
    enum class Shape { Rectangle, Polygon, Freehand };
    std::string name;
    Shape shape = Shape::Polygon;
    std::vector<std::pair<double, double>> vertices; // pixel coordinates (column, row); pixel centres at +0.5
    std::array<std::uint8_t, 3> colour{255, 200, 0};
};

std::string roiShapeName(Roi::Shape shape); // "rectangle", "polygon", "freehand"

// A rectangle from two opposite corners (pixel coordinates).
Roi rectangleRoi(std::string name, double x0, double y0, double x1, double y1);

// Pixels whose centre lies inside the ROI (even–odd rule), clipped to the scene.
std::vector<std::pair<int, int>> roiPixels(const Roi& roi, int width, int height);

struct RoiSpectrum {
    std::vector<double> mean, stddev, median; // per band; NaN where no pixel is valid
    std::vector<int> validCount;              // valid pixels per band
    std::size_t pixelCount = 0;               // pixels inside the ROI
};
// With a control, a cancel is honoured between bands (a whole-scene outline takes seconds).
RoiSpectrum roiSpectrum(const SpectralCube& cube, const Roi& roi, TaskControl* control = nullptr);

// numerator.mean / denominator.mean per band (NaN where either is NaN or the denominator is 0).
std::vector<double> ratioSpectrum(const RoiSpectrum& numerator, const RoiSpectrum& denominator);

// The spectrum divided by its upper convex hull over the valid channels (1 on the hull, < 1 in bands).
std::vector<double> continuumRemoved(const std::vector<double>& wavelengthsNm, const std::vector<double>& values);
// The same over the channels from fromNm to toNm only (the hull drawn there; NaN outside): e.g. 1.0–2.6 µm,
// where the thermal rise beyond 3 µm of MTRDR I/F would otherwise lift the hull over the carbonate bands.
std::vector<double> continuumRemoved(const std::vector<double>& wavelengthsNm, const std::vector<double>& values, double fromNm, double toNm);

// FeatureCollection of the ROIs: each a Polygon in pixel coordinates ("pixel_coordinates" property
// and the geometry), or — when geoTransform is given — the geometry in the scene's map coordinates
// with the pixel ring kept as a property. Properties: name, shape, colour "#rrggbb".
std::string roisToGeoJson(const std::vector<Roi>& rois, const std::array<double, 6>* geoTransform = nullptr);
// Reads what roisToGeoJson wrote (pixel rings); throws Error on malformed input.
std::vector<Roi> roisFromGeoJson(const std::string& text);

} // namespace jezero
