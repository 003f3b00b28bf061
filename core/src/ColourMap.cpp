#include "jezero/core/ColourMap.h"

#include "jezero/core/Error.h"
#include "jezero/core/Statistics.h"

#include <algorithm>
#include <cmath>

namespace jezero {
namespace {

using Rgb = std::array<double, 3>;

// matplotlib's viridis at t = 0, 1/8, …, 1: its 256-entry table at index round(255 t), as Debian 12's
// matplotlib gives it (tests/reference/colour_tables.py).
const std::vector<Rgb> kViridis{{68, 1, 84},    {71, 45, 123}, {59, 82, 139},  {44, 114, 142}, {33, 145, 140},
                                {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};
const std::vector<Rgb> kRainbow{{0, 0, 200}, {0, 200, 255}, {0, 200, 0}, {255, 230, 0}, {220, 0, 0}};

std::array<std::uint8_t, 3> interpolate(const std::vector<Rgb>& points, double t) {
    const double x = t * static_cast<double>(points.size() - 1);
    const std::size_t i = std::min(points.size() - 2, static_cast<std::size_t>(x));
    const double f = x - static_cast<double>(i);
    std::array<std::uint8_t, 3> out{};
    for (int c = 0; c < 3; ++c) out[c] = static_cast<std::uint8_t>(std::lround(points[i][c] + (points[i + 1][c] - points[i][c]) * f));
    return out;
}

} // namespace

const std::vector<std::string>& colourTableNames() {
    static const std::vector<std::string> names{"grey", "viridis", "rainbow"};
    return names;
}

ColourTable parseColourTable(const std::string& name) {
    if (name == "grey") return ColourTable::Grey;
    if (name == "viridis") return ColourTable::Viridis;
    if (name == "rainbow") return ColourTable::Rainbow;
    throw Error("the colour table is grey, viridis or rainbow, not '" + name + "'");
}

std::string colourTableName(ColourTable table) { return colourTableNames()[static_cast<std::size_t>(table)]; }

std::array<std::uint8_t, 3> colourAt(ColourTable table, double t) {
    t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
    switch (table) {
    case ColourTable::Viridis: return interpolate(kViridis, t);
    case ColourTable::Rainbow: return interpolate(kRainbow, t);
    case ColourTable::Grey: break;
    }
    const auto v = static_cast<std::uint8_t>(std::lround(t * 255.0));
    return {v, v, v};
}

MapScale percentileScale(const ImageStack& image, int channel, double lowPercent, double highPercent, ColourTable table) {
    if (channel < 0 || channel >= image.channels()) throw Error("no channel " + std::to_string(channel));
    std::vector<float> values(image.pixelCount());
    for (std::size_t p = 0; p < values.size(); ++p) values[p] = image.values[p * image.channels() + channel];
    const auto limits = finitePercentiles(std::move(values), {lowPercent, highPercent});
    MapScale scale{limits[0], limits[1], table};
    if (!std::isfinite(scale.low) || !std::isfinite(scale.high)) scale.low = 0, scale.high = 1;
    return scale;
}

ValueHistogram channelHistogram(const ImageStack& image, int channel, double low, double high, int bins) {
    if (channel < 0 || channel >= image.channels()) throw Error("no channel " + std::to_string(channel));
    if (bins < 1 || !(high > low)) throw Error("a histogram needs bins >= 1 and high > low");
    ValueHistogram h;
    h.shares.assign(static_cast<std::size_t>(bins), 0.0);
    std::size_t finite = 0;
    for (std::size_t p = 0; p < image.pixelCount(); ++p) {
        const double v = image.values[p * image.channels() + channel];
        if (!std::isfinite(v)) continue;
        ++finite;
        if (v < low) h.below += 1;
        else if (v > high) h.above += 1;
        else h.shares[std::min<std::size_t>(static_cast<std::size_t>((v - low) / (high - low) * bins), static_cast<std::size_t>(bins) - 1)] += 1;
    }
    if (finite == 0) return h;
    for (double& s : h.shares) s /= static_cast<double>(finite);
    h.below /= static_cast<double>(finite);
    h.above /= static_cast<double>(finite);
    return h;
}

CompositeImage renderScalarMap(const ImageStack& image, int channel, const MapScale& scale, const std::string& name) {
    if (channel < 0 || channel >= image.channels()) throw Error("no channel " + std::to_string(channel));
    CompositeImage out;
    out.width = image.width;
    out.height = image.height;
    out.rgb.name = name;
    out.channels.fill(ChannelRange{channel, scale.low, scale.high});
    out.rgba.assign(image.pixelCount() * 4, 0);
    const double span = scale.high - scale.low;
    for (std::size_t p = 0; p < image.pixelCount(); ++p) {
        const float v = image.values[p * image.channels() + channel];
        if (!std::isfinite(v)) continue;
        const auto rgb = colourAt(scale.table, span != 0 ? (v - scale.low) / span : 0.5);
        std::copy(rgb.begin(), rgb.end(), out.rgba.begin() + static_cast<std::ptrdiff_t>(p * 4));
        out.rgba[p * 4 + 3] = 255;
    }
    return out;
}

} // namespace jezero
