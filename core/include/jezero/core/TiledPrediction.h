#pragma once
// Applies a per-tile model to a whole scene of any size: tiles of a fixed size overlap, and their
// outputs are blended with weights that fall linearly towards each tile's edges over the overlap, so
// seams do not show. Pixels where any input channel is NaN (no data) come out NaN; a scene smaller
// than the tile, or its ragged edge, is padded with NaN (the model sees them as no data).
#include "jezero/core/ImageStack.h"

#include <functional>
#include <string>
#include <vector>

namespace jezero {

class TaskControl;

// Tile origins along one axis: 0, stride, 2·stride, … (stride = tile − overlap), the last one flush with
// the end; just 0 when size ≤ tile. Throws Error unless 0 ≤ overlap < tile.
std::vector<int> tileOrigins(int size, int tile, int overlap);

// Weight of pixel i (0 … tile − 1) along one axis: rises from 1/(overlap + 1) at the tile's edge to 1 at
// `overlap` pixels in (1 everywhere when overlap is 0). A pixel's weight is the product over both axes.
double blendWeight(int i, int tile, int overlap);

// inputChw: input channels × tile × tile; returns outputs × tile × tile (CHW).
using TileFunction = std::function<std::vector<float>(const std::vector<float>& inputChw, int x, int y)>;

// One tile of a batch: its input (CHW, NaN outside the scene) and its origin in the scene.
struct TileRequest {
    std::vector<float> inputChw;
    int x = 0, y = 0;
};
// Returns one output (outputs × tile × tile, CHW) per request, in order.
using TileBatchFunction = std::function<std::vector<std::vector<float>>(const std::vector<TileRequest>& tiles)>;

// Runs fn on every tile (reporting progress, throwing TaskCanceled when canceled) and blends the
// results into an image with the given output channel names. Throws Error on a wrong output size.
ImageStack predictTiled(const ImageStack& input, int tile, int overlap, const std::vector<std::string>& outputNames, const TileFunction& fn,
                        TaskControl* control = nullptr);
// The same with up to tilesPerBatch tiles per call of fn (a network then runs them in one pass).
ImageStack predictTiledBatches(const ImageStack& input, int tile, int overlap, int tilesPerBatch, const std::vector<std::string>& outputNames,
                               const TileBatchFunction& fn, TaskControl* control = nullptr);

} // namespace jezero
