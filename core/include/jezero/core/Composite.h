#pragma once
// RGB composites of a cube: three channels chosen by wavelength, each stretched linearly between two
// percentiles of its valid values. NaN pixels come out transparent.
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace jezero {

class TaskControl;

struct RgbChannels {
    std::array<double, 3> wavelengthsNm{}; // red, green, blue
    std::string name;                      // "true colour", "IR false colour (FAL)", ...
};

// Nearest channels to 600/530/440 nm when the cube has channels within 20 nm of each; else the IR
// false colour of the FAL browse product (2529/1506/1080 nm); else the cube's longest, middle and
// shortest channels.
RgbChannels defaultRgbChannels(const std::vector<double>& wavelengthsNm);

struct Stretch {
    double lowPercent = 2.0;
    double highPercent = 98.0;
};

struct ChannelRange {
    int band = 0;
    double low = 0.0;  // value shown as 0
    double high = 1.0; // value shown as 255
};

// A composite ready to show: RGBA8 pixels, row-major, alpha 0 where any of the three values is NaN.
struct CompositeImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgba;
    std::array<ChannelRange, 3> channels{};
    RgbChannels rgb;
};

// Value range of one band between two percentiles of its valid values.
ChannelRange stretchRange(const SpectralCube& cube, int band, const Stretch& stretch);

// Fills image.rgba (width × height × 4) from value(pixel, c) for c = 0..2, stretched linearly between
// image.channels[c].low and .high; pixels where any value is not finite are transparent black.
template <class ValueAt>
void fillRgba(CompositeImage& image, ValueAt value) {
    const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
    image.rgba.assign(pixels * 4, 0);
    for (std::size_t p = 0; p < pixels; ++p) {
        std::uint8_t rgb[3];
        bool valid = true;
        for (int c = 0; c < 3 && valid; ++c) {
            const double v = value(p, c);
            valid = std::isfinite(v);
            const ChannelRange& r = image.channels[c];
            const double span = r.high - r.low;
            const double t = span > 0 ? (v - r.low) / span : 0.5;
            rgb[c] = static_cast<std::uint8_t>(std::lround(std::clamp(valid ? t : 0.0, 0.0, 1.0) * 255.0));
        }
        if (!valid) continue;
        std::copy(rgb, rgb + 3, image.rgba.begin() + static_cast<std::ptrdiff_t>(p * 4));
        image.rgba[p * 4 + 3] = 255;
    }
}

CompositeImage renderComposite(const SpectralCube& cube, const RgbChannels& rgb, const Stretch& stretch,
                               TaskControl* control = nullptr);

// Three channels of an image stack (the same index thrice gives grey), each stretched between two
// percentiles of its valid values. The result's rgb.name is `name`.
CompositeImage renderChannels(const ImageStack& image, const std::array<int, 3>& channels, const Stretch& stretch,
                              const std::string& name);
// Images with the same channels drawn on one stretch — per channel, the range spanning every image's own
// percentile range — so that a change of brightness between them shows (a percentile stretch of each
// would hide a gain or an offset) without one image saturating. Null entries give empty images. Throws
// Error when a channel index is out of range.
std::vector<CompositeImage> renderOnOneStretch(const std::vector<const ImageStack*>& images, const std::array<int, 3>& channels,
                                               const Stretch& stretch);

} // namespace jezero
