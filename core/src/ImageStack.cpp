#include "jezero/core/ImageStack.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero {

ImageStack::ImageStack(int w, int h, std::vector<std::string> names)
    : width(w), height(h), channelNames(std::move(names)),
      values(static_cast<std::size_t>(w) * h * channelNames.size(), std::numeric_limits<float>::quiet_NaN()) {}

int ImageStack::channelIndex(const std::string& name) const {
    const auto it = std::find(channelNames.begin(), channelNames.end(), name);
    return it == channelNames.end() ? -1 : static_cast<int>(it - channelNames.begin());
}

ImageStack meanFilter(const ImageStack& image, int size) {
    const int r = size / 2, n = image.channels();
    ImageStack out(image.width, image.height, image.channelNames);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            for (int c = 0; c < n; ++c) {
                double sum = 0;
                int valid = 0;
                for (int dy = -r; dy <= r; ++dy)
                    for (int dx = -r; dx <= r; ++dx) {
                        const int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= image.width || yy >= image.height) continue;
                        const float v = image.at(xx, yy, c);
                        if (std::isnan(v)) continue;
                        sum += v;
                        ++valid;
                    }
                if (2 * valid >= size * size) out.at(x, y, c) = static_cast<float>(sum / valid);
            }
    return out;
}

} // namespace jezero
