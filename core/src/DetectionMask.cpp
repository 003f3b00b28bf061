#include "jezero/core/DetectionMask.h"

#include "jezero/core/Error.h"

#include <cmath>

namespace jezero {

DetectionMask detectionMask(const ImageStack& image, int channel, double threshold, int minBlobPixels) {
    if (channel < 0 || channel >= image.channels()) throw Error("no channel " + std::to_string(channel) + " to threshold");
    DetectionMask out;
    out.width = image.width;
    out.height = image.height;
    const std::size_t n = image.pixelCount();
    std::vector<char> above(n, 0);
    for (std::size_t p = 0; p < n; ++p) {
        const float v = image.values[p * image.channels() + channel];
        above[p] = std::isfinite(v) && v > threshold;
    }
    out.mask.assign(n, 0);
    // Flood fill each blob with an explicit stack (a recursive fill overflows on scene-sized blobs).
    std::vector<char> seen(n, 0);
    std::vector<std::size_t> stack, blob;
    for (std::size_t start = 0; start < n; ++start) {
        if (!above[start] || seen[start]) continue;
        blob.clear();
        stack.assign(1, start);
        seen[start] = 1;
        while (!stack.empty()) {
            const std::size_t p = stack.back();
            stack.pop_back();
            blob.push_back(p);
            const int x = static_cast<int>(p % image.width), y = static_cast<int>(p / image.width);
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int nx = x + dx, ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= image.width || ny >= image.height) continue;
                    const std::size_t q = static_cast<std::size_t>(ny) * image.width + nx;
                    if (above[q] && !seen[q]) {
                        seen[q] = 1;
                        stack.push_back(q);
                    }
                }
        }
        if (static_cast<int>(blob.size()) < minBlobPixels) continue;
        ++out.blobs;
        out.pixels += blob.size();
        for (std::size_t p : blob) out.mask[p] = 1;
    }
    return out;
}

} // namespace jezero
