#include "jezero/core/ImageStack.h"

#include <algorithm>
#include <limits>

namespace jezero {

ImageStack::ImageStack(int w, int h, std::vector<std::string> names)
    : width(w), height(h), channelNames(std::move(names)),
      values(static_cast<std::size_t>(w) * h * channelNames.size(), std::numeric_limits<float>::quiet_NaN()) {}

int ImageStack::channelIndex(const std::string& name) const {
    const auto it = std::find(channelNames.begin(), channelNames.end(), name);
    return it == channelNames.end() ? -1 : static_cast<int>(it - channelNames.begin());
}

} // namespace jezero
