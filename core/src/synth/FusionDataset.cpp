#include "jezero/core/FusionDataset.h"

#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/Task.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

namespace jezero {
namespace {

std::vector<std::uint8_t> labelBytes(const ImageStack& label) {
    std::vector<std::uint8_t> bytes(label.pixelCount());
    for (std::size_t p = 0; p < bytes.size(); ++p)
        bytes[p] = std::isfinite(label.values[p]) ? (label.values[p] > 0.5f ? kLabelCarbonate : kLabelNone) : kLabelNoData;
    return bytes;
}

} // namespace

void buildFusionDataset(const SynthesisInputs& inputs, const FusionDatasetOptions& o, const std::function<void(const std::string&)>& log,
                        TaskControl* control) {
    if (o.count < 1) throw Error("the pair count must be at least 1");
    if (o.tile < 16 || o.tile > o.synthesis.size) throw Error("the tile must be between 16 pixels and the pair's fine size");
    if (o.cropsPerScene < 0 || o.cropsPerScene > 1000) throw Error("the crops per channel must be between 0 and 1000");
    const double factor = o.pair.coarsePixelMetres / o.pair.finePixelMetres;
    if (!(factor > 1)) throw Error("a fusion dataset needs a coarse pixel larger than the fine one");
    const double sigma = psfSigmaForReduction(factor);

    std::vector<SplitUnit> units;
    for (int i = 0; i < o.count; ++i) {
        const SceneIdentity id = sceneIdentity(inputs, o.synthesis, i);
        units.push_back({id.name, id.region, id.hasCarbonate});
    }
    const auto split = assignSplits(units, "scene", o.synthesis.seed);
    requireHeldOutSplits(split, "scene", o.allowEmptySplits);

    DatasetManifest manifest;
    manifest.input = "fusion";
    manifest.inputChannels = learnedFusionChannels();
    manifest.target = "detail";
    manifest.targetChannels = {kLearnedFusionTarget};
    manifest.targetSource = "clean";
    char rule[320];
    std::snprintf(rule, sizeof rule,
                  "the pair's carbonate label at %.1f m (true abundance > %.2f); DETAIL: the %.1f m truth (FAL R2529, R1506, R1080 of the noise-free ground, "
                  "or the label) standardised by its %.1f m view (PSF sigma %.2f px) less that view upsampled",
                  o.pair.finePixelMetres, kCarbonateLabelAbundance, o.pair.finePixelMetres, o.pair.coarsePixelMetres, sigma);
    manifest.labelRule = rule;
    manifest.cropsPerScene = o.cropsPerScene;
    manifest.fusionFactor = factor;
    manifest.tile = o.tile;
    manifest.seed = o.synthesis.seed;
    manifest.splitBy = "scene";
    DatasetWriter writer(o.directory, manifest);
    const TilingOptions tiling{o.tile, o.cropsPerScene, o.synthesis.seed, 0.5};

    for (int i = 0; i < o.count; ++i) {
        if (control) control->throwIfCanceled();
        const auto started = std::chrono::steady_clock::now();
        const SyntheticPair pair = synthesizePair(inputs, o.synthesis, i, o.pair, control);
        const ImageStack bands = filterImageBands(pair.cassis);
        const std::vector<std::uint8_t> label = labelBytes(pair.carbonateLabel);
        std::vector<ImageStack> truths;
        for (const std::string& name : pair.fal.channelNames) truths.push_back(selectChannels(pair.fal, {name}));
        if (pair.hasCarbonate) truths.push_back(pair.carbonateLabel);
        int kept = 0;
        for (const ImageStack& truth : truths) {
            const LearnedFusionInput view = learnedFusionInput(degradeImage(truth, factor, sigma), bands, factor);
            if (!(view.scale > 0)) continue; // a constant channel holds no detail to learn
            ImageStack target(truth.width, truth.height, {kLearnedFusionTarget});
            const int n = view.input.channels();
            for (std::size_t p = 0; p < target.pixelCount(); ++p)
                target.values[p] = static_cast<float>((truth.values[p] - view.mean) / view.scale - view.input.values[p * n]);
            TilingScene scene;
            scene.name = pair.name + "/" + truth.channelNames.front();
            scene.region = pair.region;
            scene.input = &view.input;
            scene.targets = &target;
            scene.label = &label;
            kept += addSceneTiles(writer, split.at(pair.name), scene, tiling).kept;
        }
        if (log) {
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            char line[256];
            std::snprintf(line, sizeof line, "%s (%s%s) → %s: %d tiles from %zu channels (%.1f s)", pair.name.c_str(), pair.region.c_str(),
                          pair.hasCarbonate ? ", carbonate" : "", split.at(pair.name).c_str(), kept, truths.size(), seconds);
            log(line);
        }
        if (control) control->setProgress(static_cast<double>(i + 1) / o.count, pair.name);
    }
    requireHeldOutTiles(writer, o.allowEmptySplits);
    writer.finish();
}

} // namespace jezero
