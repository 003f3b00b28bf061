#include "jezero/ml/LearnedFusion.h"

#include "jezero/core/Comparison.h"
#include "jezero/core/Error.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/Task.h"
#include "jezero/core/TiledPrediction.h"
#include "jezero/ml/ScenePrediction.h"

#include <cmath>

namespace jezero::ml {

void requireFusionModel(const Predictor& model) {
    if (model.inputKind() != "fusion" || model.targetChannelNames() != std::vector<std::string>{kLearnedFusionTarget} ||
        model.inputChannelNames() != learnedFusionChannels())
        throw Error("not a learned fusion model (it takes " + model.inputKind() + " and predicts " + model.target() +
                    "; train one on jezero-cli dataset pairs)");
}

ImageStack fuseLearned(const Predictor& model, const ImageStack& coarse, const ImageStack& fineBands, double factor, const SamplingOptions& sampling,
                       TaskControl* control) {
    requireFusionModel(model);
    const int W = fineBands.width, H = fineBands.height, n = coarse.channels();
    ImageStack out = resampleBicubic(coarse, W, H, 1.0 / factor);
    const int tile = model.tile();
    const int tilesPerBatch = model.stochastic() ? 1 : 16;
    for (int c = 0; c < n; ++c) {
        const std::string& name = coarse.channelNames[c];
        if (isSpreadBand(name)) continue;
        TaskControl channelPart(control, static_cast<double>(c) / n, static_cast<double>(c + 1) / n); // each channel its share
        const LearnedFusionInput view = learnedFusionInput(selectChannels(coarse, {name}), fineBands, factor);
        if (!(view.scale > 0)) continue;
        const ImageStack detail = predictTiledBatches(
            view.input, tile, tile / 4, tilesPerBatch, {kLearnedFusionTarget},
            [&](const std::vector<TileRequest>& tiles) {
                std::vector<std::vector<float>> inputs;
                std::vector<std::uint64_t> seeds;
                for (const TileRequest& t : tiles) inputs.push_back(t.inputChw), seeds.push_back(tileSeed(sampling.seed + static_cast<std::uint64_t>(c), t.x, t.y));
                const auto predictions = model.predictTiles(inputs, std::vector<TileContext>(tiles.size()), sampling, seeds);
                std::vector<std::vector<float>> outputs;
                for (const auto& p : predictions) outputs.push_back(p.mean);
                return outputs;
            },
            &channelPart);
        const int m = view.input.channels();
        for (std::size_t p = 0; p < out.pixelCount(); ++p) {
            const float up = view.input.values[p * m], d = detail.values[p];
            // Where a filter band has no data the network cannot run: the bicubic value stays (as gs, hpf and guided keep it).
            if (std::isfinite(up) && std::isfinite(d)) out.values[p * n + c] = static_cast<float>((up + d) * view.scale + view.mean);
        }
    }
    return out;
}

} // namespace jezero::ml
