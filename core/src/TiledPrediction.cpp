#include "jezero/core/TiledPrediction.h"

#include "jezero/core/Error.h"
#include "jezero/core/Task.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

namespace jezero {

std::vector<int> tileOrigins(int size, int tile, int overlap) {
    if (tile < 1 || overlap < 0 || overlap >= tile) throw Error("the tile overlap must be at least 0 and less than the tile (" + std::to_string(tile) + ")");
    std::vector<int> origins{0};
    if (size <= tile) return origins;
    const int stride = tile - overlap;
    while (origins.back() + tile < size) origins.push_back(std::min(origins.back() + stride, size - tile));
    return origins;
}

double blendWeight(int i, int tile, int overlap) {
    const int fromEdge = std::min(i, tile - 1 - i); // 0 at the edge
    return std::min(1.0, (fromEdge + 1.0) / (overlap + 1.0));
}

ImageStack predictTiledBatches(const ImageStack& input, int tile, int overlap, int tilesPerBatch, const std::vector<std::string>& outputNames,
                               const TileBatchFunction& fn, TaskControl* control) {
    if (tilesPerBatch < 1) throw Error("tiles per batch must be at least 1");
    const int ci = input.channels(), co = static_cast<int>(outputNames.size());
    const std::size_t plane = static_cast<std::size_t>(tile) * tile;
    const auto xs = tileOrigins(input.width, tile, overlap), ys = tileOrigins(input.height, tile, overlap);
    std::vector<std::pair<int, int>> origins;
    for (const int y0 : ys)
        for (const int x0 : xs) origins.emplace_back(x0, y0);
    std::vector<double> sum(input.pixelCount() * co, 0.0), weight(input.pixelCount(), 0.0);
    std::vector<double> axisWeight(tile);
    for (int i = 0; i < tile; ++i) axisWeight[i] = blendWeight(i, tile, overlap);
    for (std::size_t first = 0; first < origins.size(); first += tilesPerBatch) {
        if (control) control->throwIfCanceled();
        const std::size_t last = std::min(origins.size(), first + tilesPerBatch);
        std::vector<TileRequest> batch(last - first);
        for (std::size_t k = first; k < last; ++k) {
            TileRequest& r = batch[k - first];
            std::tie(r.x, r.y) = origins[k];
            r.inputChw.resize(ci * plane);
            for (int c = 0; c < ci; ++c)
                for (int y = 0; y < tile; ++y)
                    for (int x = 0; x < tile; ++x) {
                        const bool inside = r.x + x < input.width && r.y + y < input.height;
                        r.inputChw[c * plane + y * tile + x] = inside ? input.at(r.x + x, r.y + y, c) : std::numeric_limits<float>::quiet_NaN();
                    }
        }
        const std::vector<std::vector<float>> outputs = fn(batch);
        if (outputs.size() != batch.size())
            throw Error("the model returned " + std::to_string(outputs.size()) + " tiles for a batch of " + std::to_string(batch.size()));
        for (std::size_t k = 0; k < batch.size(); ++k) {
            const std::vector<float>& out = outputs[k];
            const int x0 = batch[k].x, y0 = batch[k].y;
            if (out.size() != co * plane)
                throw Error("the model returned " + std::to_string(out.size()) + " values for a tile, not " + std::to_string(co * plane));
            for (int y = 0; y < tile && y0 + y < input.height; ++y)
                for (int x = 0; x < tile && x0 + x < input.width; ++x) {
                    const std::size_t pixel = static_cast<std::size_t>(y0 + y) * input.width + x0 + x;
                    const double w = axisWeight[x] * axisWeight[y];
                    weight[pixel] += w;
                    for (int c = 0; c < co; ++c) sum[pixel * co + c] += w * out[c * plane + y * tile + x];
                }
        }
        if (control) control->setProgress(static_cast<double>(last) / origins.size(), "predicting tiles");
    }
    ImageStack result(input.width, input.height, outputNames);
    for (std::size_t pixel = 0; pixel < input.pixelCount(); ++pixel) {
        bool valid = true;
        for (int c = 0; c < ci; ++c) valid &= std::isfinite(input.values[pixel * ci + c]);
        for (int c = 0; c < co; ++c)
            result.values[pixel * co + c] = valid ? static_cast<float>(sum[pixel * co + c] / weight[pixel]) : std::numeric_limits<float>::quiet_NaN();
    }
    return result;
}

ImageStack predictTiled(const ImageStack& input, int tile, int overlap, const std::vector<std::string>& outputNames, const TileFunction& fn,
                        TaskControl* control) {
    return predictTiledBatches(input, tile, overlap, 1, outputNames,
                               [&](const std::vector<TileRequest>& tiles) { return std::vector<std::vector<float>>{fn(tiles.front().inputChw, tiles.front().x, tiles.front().y)}; },
                               control);
}

} // namespace jezero
