#include "jezero/core/Composite.h"

#include "jezero/core/Error.h"
#include "jezero/core/Statistics.h"
#include "jezero/core/Task.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace jezero {
namespace {

// A channel "is present" for a target wavelength when the nearest channel lies within this distance.
constexpr double kPresentToleranceNm = 20.0;

bool hasChannelNear(const std::vector<double>& wavelengths, double target) {
    return std::any_of(wavelengths.begin(), wavelengths.end(),
                       [&](double w) { return std::abs(w - target) <= kPresentToleranceNm; });
}

bool hasAll(const std::vector<double>& wavelengths, const std::array<double, 3>& targets) {
    return std::all_of(targets.begin(), targets.end(), [&](double t) { return hasChannelNear(wavelengths, t); });
}

// The stretch limits of one channel's values (0..0 when none is valid).
ChannelRange percentileRange(std::vector<float> values, int band, const Stretch& stretch) {
    const auto limits = finitePercentiles(std::move(values), {stretch.lowPercent, stretch.highPercent});
    ChannelRange range{band, limits[0], limits[1]};
    if (!std::isfinite(range.low)) range.low = range.high = 0.0;
    return range;
}

// The stretch limits of three channels of an image stack.
std::array<ChannelRange, 3> channelRanges(const ImageStack& image, const std::array<int, 3>& channels, const Stretch& stretch) {
    std::array<ChannelRange, 3> ranges{};
    const int n = image.channels();
    for (int c = 0; c < 3; ++c) {
        std::vector<float> values(image.pixelCount());
        for (std::size_t p = 0; p < values.size(); ++p) values[p] = image.values[p * n + channels[c]];
        ranges[c] = percentileRange(std::move(values), channels[c], stretch);
    }
    return ranges;
}

// image drawn with the given ranges.
CompositeImage drawChannels(const ImageStack& image, const std::array<ChannelRange, 3>& ranges) {
    CompositeImage out;
    out.width = image.width;
    out.height = image.height;
    out.channels = ranges;
    const int n = image.channels();
    fillRgba(out, [&](std::size_t p, int c) { return image.values[p * n + out.channels[c].band]; });
    return out;
}

} // namespace

RgbChannels defaultRgbChannels(const std::vector<double>& wavelengths) {
    const std::array<double, 3> trueColour{600.0, 530.0, 440.0};
    const std::array<double, 3> falseColour{2529.0, 1506.0, 1080.0}; // the FAL browse product
    if (hasAll(wavelengths, trueColour)) return {trueColour, "true colour"};
    if (hasAll(wavelengths, falseColour)) return {falseColour, "IR false colour (FAL)"};
    if (wavelengths.empty()) return {trueColour, "true colour"};
    return {{wavelengths.back(), wavelengths[wavelengths.size() / 2], wavelengths.front()}, "long/middle/short channels"};
}

ChannelRange stretchRange(const SpectralCube& cube, int band, const Stretch& stretch) {
    std::vector<float> values(cube.pixelCount());
    const float* data = cube.data();
    const std::size_t bands = static_cast<std::size_t>(cube.bands());
    for (std::size_t p = 0; p < values.size(); ++p) values[p] = data[p * bands + band];
    return percentileRange(std::move(values), band, stretch);
}

CompositeImage renderComposite(const SpectralCube& cube, const RgbChannels& rgb, const Stretch& stretch,
                               TaskControl* control) {
    CompositeImage image;
    image.width = cube.width();
    image.height = cube.height();
    image.rgb = rgb;
    for (int c = 0; c < 3; ++c) {
        image.channels[c] = stretchRange(cube, cube.nearestBand(rgb.wavelengthsNm[c]), stretch);
        if (control) {
            control->throwIfCanceled();
            control->setProgress((c + 1) / 4.0, "stretching");
        }
    }
    const std::size_t bands = static_cast<std::size_t>(cube.bands());
    const float* data = cube.data();
    fillRgba(image, [&](std::size_t p, int c) { return data[p * bands + image.channels[c].band]; });
    return image;
}

CompositeImage renderChannels(const ImageStack& image, const std::array<int, 3>& channels, const Stretch& stretch,
                              const std::string& name) {
    CompositeImage out = drawChannels(image, channelRanges(image, channels, stretch));
    out.rgb.name = name;
    return out;
}

std::vector<CompositeImage> renderOnOneStretch(const std::vector<const ImageStack*>& images, const std::array<int, 3>& channels,
                                               const Stretch& stretch) {
    for (const ImageStack* image : images)
        for (const int c : channels)
            if (image && (c < 0 || c >= image->channels())) throw Error("no channel " + std::to_string(c) + " in an image of " + std::to_string(image->channels()));
    // Each image's own percentiles, then per channel the range that spans them all.
    std::optional<std::array<ChannelRange, 3>> shared;
    for (const ImageStack* image : images) {
        if (!image) continue;
        const auto own = channelRanges(*image, channels, stretch);
        if (!shared) shared = own;
        else
            for (int c = 0; c < 3; ++c) (*shared)[c] = {own[c].band, std::min((*shared)[c].low, own[c].low), std::max((*shared)[c].high, own[c].high)};
    }
    std::vector<CompositeImage> out(images.size());
    for (std::size_t i = 0; i < images.size(); ++i)
        if (images[i]) out[i] = drawChannels(*images[i], *shared);
    return out;
}

} // namespace jezero
