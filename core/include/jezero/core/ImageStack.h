#pragma once
// A small multi-channel float image (pixel-interleaved), named per channel: simulated CaSSIS bands,
// model inputs, parameter maps. NaN marks pixels without a valid value.
#include <cstddef>
#include <string>
#include <vector>

namespace jezero {

struct ImageStack {
    int width = 0;
    int height = 0;
    std::vector<std::string> channelNames;
    std::vector<float> values; // (row * width + column) * channels + channel

    ImageStack() = default;
    ImageStack(int w, int h, std::vector<std::string> names);

    int channels() const { return static_cast<int>(channelNames.size()); }
    std::size_t pixelCount() const { return static_cast<std::size_t>(width) * height; }
    float& at(int x, int y, int c) { return values[(static_cast<std::size_t>(y) * width + x) * channels() + c]; }
    float at(int x, int y, int c) const { return values[(static_cast<std::size_t>(y) * width + x) * channels() + c]; }
    // The index of the channel called name, or -1.
    int channelIndex(const std::string& name) const;
};

// Each channel's NaN-aware mean over a size × size window (size odd); NaN where fewer than half the
// window's pixels are valid. Smooths noisy parameter maps before they are thresholded.
ImageStack meanFilter(const ImageStack& image, int size);

} // namespace jezero
