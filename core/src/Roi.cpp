#include "jezero/core/Roi.h"

#include "jezero/core/Error.h"
#include "jezero/core/Task.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace jezero {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool inside(const std::vector<std::pair<double, double>>& ring, double x, double y) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const auto [xi, yi] = ring[i];
        const auto [xj, yj] = ring[j];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
}

std::string hexColour(const std::array<std::uint8_t, 3>& c) {
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", c[0], c[1], c[2]);
    return text;
}

} // namespace

std::string roiShapeName(Roi::Shape shape) {
    switch (shape) {
    case Roi::Shape::Rectangle: return "rectangle";
    case Roi::Shape::Polygon: return "polygon";
    case Roi::Shape::Freehand: return "freehand";
    }
    return "polygon";
}

Roi rectangleRoi(std::string name, double x0, double y0, double x1, double y1) {
    Roi roi;
    roi.name = std::move(name);
    roi.shape = Roi::Shape::Rectangle;
    roi.vertices = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    return roi;
}

std::vector<std::pair<int, int>> roiPixels(const Roi& roi, int width, int height) {
    std::vector<std::pair<int, int>> pixels;
    if (roi.vertices.size() < 3) return pixels;
    double minX = 1e300, minY = 1e300, maxX = -1e300, maxY = -1e300;
    for (const auto& [x, y] : roi.vertices) {
        minX = std::min(minX, x);
        maxX = std::max(maxX, x);
        minY = std::min(minY, y);
        maxY = std::max(maxY, y);
    }
    const int x0 = std::max(0, static_cast<int>(std::floor(minX))), x1 = std::min(width - 1, static_cast<int>(std::ceil(maxX)));
    const int y0 = std::max(0, static_cast<int>(std::floor(minY))), y1 = std::min(height - 1, static_cast<int>(std::ceil(maxY)));
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x)
            if (inside(roi.vertices, x + 0.5, y + 0.5)) pixels.emplace_back(x, y);
    return pixels;
}

RoiSpectrum roiSpectrum(const SpectralCube& cube, const Roi& roi, TaskControl* control) {
    const auto pixels = roiPixels(roi, cube.width(), cube.height());
    const int bands = cube.bands();
    RoiSpectrum out;
    out.pixelCount = pixels.size();
    out.mean.assign(bands, kNaN);
    out.stddev.assign(bands, kNaN);
    out.median.assign(bands, kNaN);
    out.validCount.assign(bands, 0);
    std::vector<double> values;
    values.reserve(pixels.size());
    for (int b = 0; b < bands; ++b) {
        if (control) control->throwIfCanceled();
        values.clear();
        for (const auto& [x, y] : pixels) {
            const float v = cube.value(x, y, b);
            if (!std::isnan(v)) values.push_back(v);
        }
        out.validCount[b] = static_cast<int>(values.size());
        if (values.empty()) continue;
        double sum = 0;
        for (double v : values) sum += v;
        const double mean = sum / values.size();
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        out.mean[b] = mean;
        out.stddev[b] = values.size() > 1 ? std::sqrt(squares / (values.size() - 1)) : 0.0;
        const std::size_t mid = values.size() / 2;
        std::nth_element(values.begin(), values.begin() + mid, values.end());
        const double upper = values[mid];
        out.median[b] = values.size() % 2 ? upper : 0.5 * (upper + *std::max_element(values.begin(), values.begin() + mid));
    }
    return out;
}

std::vector<double> ratioSpectrum(const RoiSpectrum& numerator, const RoiSpectrum& denominator) {
    if (numerator.mean.size() != denominator.mean.size()) throw Error("ratio of spectra with different band counts");
    std::vector<double> ratio(numerator.mean.size(), kNaN);
    for (std::size_t b = 0; b < ratio.size(); ++b) {
        const double d = denominator.mean[b];
        if (std::isfinite(numerator.mean[b]) && std::isfinite(d) && d != 0) ratio[b] = numerator.mean[b] / d;
    }
    return ratio;
}

std::vector<double> continuumRemoved(const std::vector<double>& w, const std::vector<double>& values) {
    std::vector<std::size_t> valid;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (std::isfinite(values[i])) valid.push_back(i);
    std::vector<double> out(values.size(), kNaN);
    if (valid.size() < 2) return out;
    // Upper hull by Andrew's monotone chain over (wavelength, value).
    std::vector<std::size_t> hull;
    for (std::size_t i : valid) {
        while (hull.size() >= 2) {
            const std::size_t a = hull[hull.size() - 2], b = hull.back();
            const double cross = (w[b] - w[a]) * (values[i] - values[a]) - (values[b] - values[a]) * (w[i] - w[a]);
            if (cross < 0) break; // b stays above the line a→i
            hull.pop_back();
        }
        hull.push_back(i);
    }
    std::size_t segment = 0;
    for (std::size_t i : valid) {
        while (segment + 1 < hull.size() - 1 && w[hull[segment + 1]] < w[i]) ++segment;
        const std::size_t a = hull[segment], b = hull[std::min(segment + 1, hull.size() - 1)];
        const double t = w[b] == w[a] ? 0.0 : (w[i] - w[a]) / (w[b] - w[a]);
        const double c = values[a] + (values[b] - values[a]) * t;
        out[i] = c != 0 ? values[i] / c : kNaN;
    }
    return out;
}

std::vector<double> continuumRemoved(const std::vector<double>& w, const std::vector<double>& values, double fromNm, double toNm) {
    std::vector<double> inside(values.size(), kNaN);
    for (std::size_t i = 0; i < values.size(); ++i)
        if (w[i] >= fromNm && w[i] <= toNm) inside[i] = values[i];
    return continuumRemoved(w, inside);
}

std::string roisToGeoJson(const std::vector<Roi>& rois, const std::array<double, 6>* gt) {
    nlohmann::json collection{{"type", "FeatureCollection"}, {"features", nlohmann::json::array()}};
    for (const Roi& roi : rois) {
        nlohmann::json pixelRing = nlohmann::json::array(), mapRing = nlohmann::json::array();
        auto ring = roi.vertices;
        if (!ring.empty()) ring.push_back(ring.front()); // GeoJSON rings are closed
        for (const auto& [x, y] : ring) {
            pixelRing.push_back({x, y});
            if (gt) mapRing.push_back({(*gt)[0] + x * (*gt)[1] + y * (*gt)[2], (*gt)[3] + x * (*gt)[4] + y * (*gt)[5]});
        }
        nlohmann::json feature{{"type", "Feature"},
                               {"properties",
                                {{"name", roi.name}, {"shape", roiShapeName(roi.shape)}, {"colour", hexColour(roi.colour)},
                                 {"pixel_coordinates", pixelRing}, {"coordinates_are", gt ? "map" : "pixel"}}},
                               {"geometry", {{"type", "Polygon"}, {"coordinates", {gt ? mapRing : pixelRing}}}}};
        collection["features"].push_back(feature);
    }
    return collection.dump(2);
}

std::vector<Roi> roisFromGeoJson(const std::string& text) {
    std::vector<Roi> rois;
    try {
        const auto collection = nlohmann::json::parse(text);
        if (collection.value("type", "") != "FeatureCollection") throw Error("not a GeoJSON FeatureCollection");
        for (const auto& feature : collection.at("features")) {
            const auto& p = feature.at("properties");
            Roi roi;
            roi.name = p.value("name", "ROI");
            const std::string shape = p.value("shape", "polygon");
            roi.shape = shape == "rectangle" ? Roi::Shape::Rectangle : shape == "freehand" ? Roi::Shape::Freehand : Roi::Shape::Polygon;
            const std::string colour = p.value("colour", "#ffc800");
            unsigned r = 255, g = 200, b = 0;
            if (std::sscanf(colour.c_str(), "#%02x%02x%02x", &r, &g, &b) == 3)
                roi.colour = {static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g), static_cast<std::uint8_t>(b)};
            const auto& ring = p.contains("pixel_coordinates") ? p.at("pixel_coordinates") : feature.at("geometry").at("coordinates").at(0);
            for (const auto& point : ring) roi.vertices.emplace_back(point.at(0).get<double>(), point.at(1).get<double>());
            if (roi.vertices.size() > 1 && roi.vertices.front() == roi.vertices.back()) roi.vertices.pop_back();
            if (roi.vertices.size() < 3) throw Error("ROI '" + roi.name + "' has fewer than 3 vertices");
            rois.push_back(std::move(roi));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("bad ROI file: ") + e.what());
    }
    return rois;
}

} // namespace jezero
