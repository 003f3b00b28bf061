#include "jezero/core/SyntheticDataset.h"

#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Error.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/Task.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

namespace jezero {

namespace {

struct Output {
    SyntheticDatasetOutput spec;
    InputKind kind;
    TargetSpec target;
    std::unique_ptr<SummaryParameters> parameters; // null for the label target
    DatasetManifest manifest;
    std::unique_ptr<DatasetWriter> writer;
    bool labelTarget() const { return !parameters; }
};

} // namespace

void buildSyntheticDataset(const SynthesisInputs& inputs, const SyntheticDatasetOptions& o, const std::function<void(const std::string&)>& log,
                           TaskControl* control) {
    if (o.count < 1) throw Error("the scene count must be at least 1");
    if (o.outputs.empty()) throw Error("no dataset to write");
    if (o.tile < 16 || o.tile > o.synthesis.size) throw Error("the tile must be between 16 pixels and the scene size");
    if (o.smoothing < 0 || o.smoothing > 63) throw Error("the target smoothing must be between 0 and 63 pixels");
    if (o.cropsPerScene < 0 || o.cropsPerScene > 1000) throw Error("the crops per scene must be between 0 and 1000");
    if (o.targetSource != "observed" && o.targetSource != "clean") throw Error("the target source must be observed or clean, not '" + o.targetSource + "'");
    const std::string rule = carbonateLabelFromAbundanceRule();
    std::vector<Output> outputs;
    for (const auto& spec : o.outputs) {
        Output out{spec, parseInputKind(spec.input), parseTarget(spec.target), nullptr, {}, nullptr};
        if (out.target.name != "carbonate") out.parameters = std::make_unique<SummaryParameters>(inputs.wavelengthsNm, out.target.parameters);
        DatasetManifest& m = out.manifest;
        m.input = inputKindName(out.kind);
        m.target = out.target.name;
        m.targetChannels = out.target.parameters;
        m.targetSource = out.labelTarget() ? "label" : o.targetSource;
        m.targetSmoothing = out.labelTarget() ? 0 : o.smoothing;
        m.labelRule = rule;
        m.cropsPerScene = o.cropsPerScene;
        m.tile = o.tile;
        m.seed = o.synthesis.seed;
        m.splitBy = o.splitBy;
        outputs.push_back(std::move(out));
    }
    // Splits first, from what each scene will be.
    std::vector<SplitUnit> units;
    for (int i = 0; i < o.count; ++i) {
        const SceneIdentity id = sceneIdentity(inputs, o.synthesis, i);
        units.push_back({id.name, id.region, id.hasCarbonate});
    }
    const auto split = assignSplits(units, o.splitBy, o.synthesis.seed);
    requireHeldOutSplits(split, o.splitBy, o.allowEmptySplits);
    const FilterSet filters = cassisFilters();
    const TilingOptions tiling{o.tile, o.cropsPerScene, o.synthesis.seed, 0.5};
    for (int i = 0; i < o.count; ++i) {
        if (control) control->throwIfCanceled();
        const auto started = std::chrono::steady_clock::now();
        const SyntheticScene scene = synthesizeScene(inputs, o.synthesis, i, control);
        const std::vector<std::uint8_t> label = carbonateLabelFromAbundance(scene.abundances);
        const std::string& to = split.at(scene.name);
        std::map<InputKind, ImageStack> modelInputs;
        int kept = 0;
        for (Output& out : outputs) {
            auto input = modelInputs.find(out.kind);
            if (input == modelInputs.end()) input = modelInputs.emplace(out.kind, makeModelInput(scene.cube, out.kind, filters, o.ranges, nullptr, control)).first;
            ImageStack targets = out.labelTarget() ? labelAsTarget(label, o.synthesis.size, o.synthesis.size)
                                                   : out.parameters->compute(o.targetSource == "clean" ? scene.cleanCube : scene.cube, control);
            if (out.manifest.targetSmoothing > 1) targets = meanFilter(targets, out.manifest.targetSmoothing);
            if (!out.writer) {
                out.manifest.inputChannels = input->second.channelNames;
                out.writer = std::make_unique<DatasetWriter>(out.spec.directory, out.manifest);
            }
            TilingScene tilingScene;
            tilingScene.name = scene.name;
            tilingScene.region = scene.region;
            tilingScene.latitudeDeg = scene.latitudeDeg;
            tilingScene.longitudeDeg = scene.longitudeDeg;
            tilingScene.input = &input->second;
            tilingScene.targets = &targets;
            tilingScene.label = &label;
            if (const PixelGeolocator* g = scene.cube.geolocator()) tilingScene.locate = [g](double column, double row) { return g->latLon(column, row); };
            kept = addSceneTiles(*out.writer, to, tilingScene, tiling).kept;
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (log) {
            char line[256];
            std::snprintf(line, sizeof line, "%s (%s%s) → %s: %d tiles (%.1f s)", scene.name.c_str(), scene.region.c_str(),
                          scene.hasCarbonate ? ", carbonate" : "", to.c_str(), kept, seconds);
            log(line);
        }
        if (control) control->setProgress(static_cast<double>(i + 1) / o.count, scene.name);
    }
    for (Output& out : outputs) requireHeldOutTiles(*out.writer, o.allowEmptySplits);
    for (Output& out : outputs) out.writer->finish();
}

} // namespace jezero
