#pragma once
// Where a map exceeds a threshold, as the carbonate overlay draws it: pixels strictly above threshold,
// grouped into 8-connected blobs, blobs smaller than a minimum size dropped (single noisy pixels are
// not a deposit).
#include "jezero/core/ImageStack.h"

#include <vector>

namespace jezero {

struct DetectionMask {
    int width = 0, height = 0;
    std::vector<char> mask; // row-major, 1 where kept
    int blobs = 0;          // blobs kept
    std::size_t pixels = 0; // pixels kept
};

// NaN pixels are never above. minBlobPixels ≤ 1 keeps every pixel above. Throws Error for a bad channel.
DetectionMask detectionMask(const ImageStack& image, int channel, double threshold, int minBlobPixels);

} // namespace jezero
