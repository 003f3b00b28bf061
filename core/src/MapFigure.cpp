#include "jezero/core/MapFigure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace jezero {
namespace {

constexpr double kDegToRad = M_PI / 180.0;

// Longitude difference b − a in (−180, 180].
double longitudeDelta(double a, double b) { return std::remainder(b - a, 360.0); }

std::string formatDegrees(double degrees, double step, char positive, char negative) {
    const int decimals = step > 0 ? std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9))) : 2;
    char buffer[48];
    const double shown = std::abs(degrees) < 0.5 * std::pow(10.0, -decimals) ? 0.0 : degrees; // no "-0.0"
    std::snprintf(buffer, sizeof buffer, "%.*f°%c", decimals, std::abs(shown), shown < 0 ? negative : positive);
    return buffer;
}

} // namespace

double niceBelow(double value) {
    const double decade = std::pow(10.0, std::floor(std::log10(value)));
    for (const double m : {5.0, 2.0, 1.0})
        if (m * decade <= value * (1 + 1e-12)) return m * decade;
    return decade;
}

double niceAbove(double value) {
    const double decade = std::pow(10.0, std::floor(std::log10(value)));
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * decade >= value * (1 - 1e-12)) return m * decade;
    return 10 * decade;
}

std::vector<double> niceTicks(double low, double high, int about) {
    std::vector<double> ticks;
    if (!(low < high) || !std::isfinite(low) || !std::isfinite(high) || about < 2) return ticks;
    // The largest 1-2-5 step still giving about − 1 ticks or more (a step down when it gives too few).
    double step = niceAbove((high - low) / about);
    const auto count = [&](double s) { return std::floor(high / s + 1e-9) - std::ceil(low / s - 1e-9) + 1; };
    while (count(step) < about - 1) step = niceBelow(step * 0.99);
    for (double k = std::ceil(low / step - 1e-9); k <= std::floor(high / step + 1e-9); ++k) ticks.push_back(k * step == 0 ? 0.0 : k * step);
    return ticks;
}

int tickDecimals(const std::vector<double>& ticks) {
    if (ticks.size() < 2) return 0;
    const double step = ticks[1] - ticks[0];
    return std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
}

double marsSurfaceDistanceM(const LatLon& a, const LatLon& b) {
    const double p1 = a.latitudeDeg * kDegToRad, p2 = b.latitudeDeg * kDegToRad;
    const double dp = p2 - p1, dl = longitudeDelta(a.longitudeDeg, b.longitudeDeg) * kDegToRad;
    const double h = std::sin(dp / 2) * std::sin(dp / 2) + std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
    return 2 * kMarsRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

std::optional<ScaleBar> chooseScaleBar(const PixelGeolocator& geo, int width, int height, double maxFraction) {
    if (width < 2 || height < 1 || maxFraction <= 0) return std::nullopt;
    // Measured over the middle half of the centre row: an average, not one pixel's rounding.
    const double row = height / 2.0, from = width / 4.0, to = 3 * width / 4.0;
    const auto a = geo.latLon(from, row), b = geo.latLon(to, row);
    if (!a || !b) return std::nullopt;
    const double metresPerPixel = marsSurfaceDistanceM(*a, *b) / (to - from);
    if (!(metresPerPixel > 0) || !std::isfinite(metresPerPixel)) return std::nullopt;
    ScaleBar bar;
    bar.lengthM = niceBelow(maxFraction * width * metresPerPixel);
    bar.lengthPx = bar.lengthM / metresPerPixel;
    char buffer[32];
    if (bar.lengthM >= 1000) std::snprintf(buffer, sizeof buffer, "%g km", bar.lengthM / 1000);
    else std::snprintf(buffer, sizeof buffer, "%g m", bar.lengthM);
    bar.label = buffer;
    return bar;
}

std::optional<double> northBearingDeg(const PixelGeolocator& geo, double column, double row) {
    // The Jacobian of (lat, lon) over (column, row) by central differences; north is the direction
    // d with J d = (1, 0): latitude up, longitude unchanged.
    const auto l = geo.latLon(column - 0.5, row), r = geo.latLon(column + 0.5, row);
    const auto u = geo.latLon(column, row - 0.5), d = geo.latLon(column, row + 0.5);
    if (!l || !r || !u || !d) return std::nullopt;
    const double a = r->latitudeDeg - l->latitudeDeg, b = d->latitudeDeg - u->latitudeDeg;
    const double c = longitudeDelta(l->longitudeDeg, r->longitudeDeg), e = longitudeDelta(u->longitudeDeg, d->longitudeDeg);
    const double det = a * e - b * c;
    if (det == 0 || !std::isfinite(det)) return std::nullopt;
    const double dx = e / det, dy = -c / det;
    return std::atan2(dx, -dy) / kDegToRad;
}

std::string formatLatitude(double degrees, double step) { return formatDegrees(degrees, step, 'N', 'S'); }

std::string formatLongitude(double degrees, double step) { return formatDegrees(std::remainder(degrees, 360.0), step, 'E', 'W'); }

std::vector<GraticuleLine> graticule(const PixelGeolocator& geo, int width, int height, int targetLines) {
    if (width < 1 || height < 1 || targetLines < 1) return {};
    // Located grid nodes over the whole image, at most ~96 cells a side; longitudes unwrapped around
    // the centre's so a scene across the antimeridian gives one continuous field.
    const int cell = std::max(1, static_cast<int>(std::ceil(std::max(width, height) / 96.0)));
    const int nx = (width + cell - 1) / cell + 1, ny = (height + cell - 1) / cell + 1;
    const auto nodeX = [&](int i) { return std::min<double>(i * cell, width); };
    const auto nodeY = [&](int j) { return std::min<double>(j * cell, height); };
    const auto centre = geo.latLon(width / 2.0, height / 2.0);
    if (!centre) return {};
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> lat(static_cast<std::size_t>(nx) * ny, nan), lon(lat.size(), nan);
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i)
            if (const auto p = geo.latLon(nodeX(i), nodeY(j))) {
                lat[static_cast<std::size_t>(j) * nx + i] = p->latitudeDeg;
                lon[static_cast<std::size_t>(j) * nx + i] = centre->longitudeDeg + longitudeDelta(centre->longitudeDeg, p->longitudeDeg);
            }

    std::vector<GraticuleLine> lines;
    for (const bool latitude : {true, false}) {
        const std::vector<double>& field = latitude ? lat : lon;
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const double v : field)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        if (!(hi > lo)) continue;
        const double step = niceAbove((hi - lo) / targetLines);
        const double first = std::ceil(lo / step);
        // Counted, not accumulated: a range of rounding noise cannot loop for ever.
        for (int k = 0; k <= 4 * targetLines + 2 && (first + k) * step <= hi; ++k) {
            const double value = (first + k) * step;
            GraticuleLine line;
            line.latitude = latitude;
            line.valueDeg = latitude ? value : std::remainder(value, 360.0);
            line.label = latitude ? formatLatitude(value, step) : formatLongitude(value, step);
            // Marching squares: in each cell, where the field crosses value along the cell's edges.
            for (int j = 0; j + 1 < ny; ++j)
                for (int i = 0; i + 1 < nx; ++i) {
                    const double x0 = nodeX(i), x1 = nodeX(i + 1), y0 = nodeY(j), y1 = nodeY(j + 1);
                    const double corners[4] = {field[static_cast<std::size_t>(j) * nx + i], field[static_cast<std::size_t>(j) * nx + i + 1],
                                               field[static_cast<std::size_t>(j + 1) * nx + i + 1], field[static_cast<std::size_t>(j + 1) * nx + i]};
                    const double xs[4] = {x0, x1, x1, x0}, ys[4] = {y0, y0, y1, y1};
                    if (!std::all_of(std::begin(corners), std::end(corners), [](double v) { return std::isfinite(v); })) continue;
                    std::vector<std::pair<double, double>> crossings;
                    for (int k = 0; k < 4; ++k) {
                        const double va = corners[k], vb = corners[(k + 1) % 4];
                        if ((va >= value) == (vb >= value)) continue;
                        const double t = (value - va) / (vb - va);
                        crossings.emplace_back(xs[k] + t * (xs[(k + 1) % 4] - xs[k]), ys[k] + t * (ys[(k + 1) % 4] - ys[k]));
                    }
                    for (std::size_t k = 0; k + 1 < crossings.size(); k += 2)
                        line.segments.push_back({crossings[k].first, crossings[k].second, crossings[k + 1].first, crossings[k + 1].second});
                }
            if (line.segments.empty()) continue;
            // Labelled where it leaves the image: parallels on the left, meridians at the bottom.
            double best = latitude ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
            for (const auto& s : line.segments)
                for (int e = 0; e < 2; ++e) {
                    const double x = s[2 * e], y = s[2 * e + 1];
                    if (latitude ? x < best : y > best) {
                        best = latitude ? x : y;
                        line.labelX = x;
                        line.labelY = y;
                    }
                }
            lines.push_back(std::move(line));
        }
    }
    return lines;
}

} // namespace jezero
