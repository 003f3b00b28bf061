#pragma once
// One parameter shown as a map: its values coloured by a colour table between two limits — the
// limits from percentiles of the scene (a look) or fixed numbers (the same stretch on every scene, as
// the CRISM browse products use).
#include "jezero/core/Composite.h"
#include "jezero/core/ImageStack.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace jezero {

// grey; viridis (perceptually uniform, readable in greyscale and by most colour-blind readers; nine
// points of matplotlib's table, linearly interpolated); rainbow (blue–cyan–green–yellow–red, the look of
// CRISM's published parameter maps).
enum class ColourTable { Grey, Viridis, Rainbow };
ColourTable parseColourTable(const std::string& name); // "grey", "viridis", "rainbow"; throws Error
std::string colourTableName(ColourTable table);
const std::vector<std::string>& colourTableNames();
// The colour at t in [0, 1] (clamped).
std::array<std::uint8_t, 3> colourAt(ColourTable table, double t);

struct MapScale {
    double low = 0, high = 1; // values shown as the table's first and last colours (beyond: clamped)
    ColourTable table = ColourTable::Grey;
};

// Limits between two percentiles of the channel's finite values (0 and 1 when it has none).
MapScale percentileScale(const ImageStack& image, int channel, double lowPercent, double highPercent, ColourTable table);

// How a channel's finite values fall between two limits (the stretch control's histogram): counts
// per bin as shares of the finite values, bins of equal width over [low, high) (the last closed),
// and the shares below low and above high (what the stretch clips).
struct ValueHistogram {
    std::vector<double> shares;
    double below = 0, above = 0;
};
ValueHistogram channelHistogram(const ImageStack& image, int channel, double low, double high, int bins);

// The channel coloured by scale; NaN pixels transparent. channels[0..2] all carry {channel, low, high}.
CompositeImage renderScalarMap(const ImageStack& image, int channel, const MapScale& scale, const std::string& name);

} // namespace jezero
