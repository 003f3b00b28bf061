#include "Commands.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/FusionDataset.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/SyntheticDataset.h"
#include "jezero/io/BrowseReader.h"
#include "jezero/io/SceneReader.h"
#include "jezero/io/SceneCatalog.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

namespace jezero::cli {
namespace {

struct Options {
    std::vector<std::string> sceneDirs;
    std::string out, input = "pnr", target = "fal", splitBy = "scene", ranges, dir, targetSource = "observed";
    int tile = 256, smoothing = 0, crops = 0;
    std::uint64_t seed = 1;
    bool json = false, allowEmptySplits = false, strict = false;
    // dataset synth
    int count = 300, size = 256;
    double carbonateFraction = 0.3;
    std::vector<std::string> also; // INPUT:TARGET:DIR
    // dataset pairs
    PairOptions pair;
};

void build(const Options& o) {
    if (o.tile < 16 || o.tile > 2048) throw Error("--tile must be between 16 and 2048");
    if (o.crops < 0 || o.crops > 1000) throw Error("--crops must be between 0 and 1000");
    if (o.smoothing < 0 || o.smoothing > 63) throw Error("--smooth must be between 0 and 63 pixels");
    const InputKind kind = parseInputKind(o.input);
    const TargetSpec target = parseTarget(o.target);
    const bool labelTarget = target.name == "carbonate";
    if (labelTarget && (o.smoothing > 0 || o.targetSource != "observed"))
        throw Error("--target carbonate is the per-pixel label: --smooth and --target-source apply to parameter targets");
    if (kind != InputKind::Rectangular && !o.ranges.empty()) throw Error("--ranges applies to --input rect only");
    const auto& known = summaryParameterNames();
    for (const auto& p : target.parameters)
        if (!labelTarget && std::find(known.begin(), known.end(), p) == known.end()) throw Error("unknown summary parameter '" + p + "' in --target");
    const RectangularRanges ranges = o.ranges.empty() ? RectangularRanges{} : parseRanges(o.ranges);
    std::vector<io::CatalogScene> scenes;
    for (const auto& dir : o.sceneDirs)
        for (auto& s : io::discoverScenes(dir)) scenes.push_back(std::move(s));
    std::vector<SplitUnit> units;
    for (const auto& s : scenes) units.push_back({s.name, s.region, s.carbonateBearing});
    if (scenes.empty()) throw Error("no scenes to build a dataset from");
    const auto split = assignSplits(units, o.splitBy, o.seed);
    requireHeldOutSplits(split, o.splitBy, o.allowEmptySplits);
    const FilterSet filters = cassisFilters();

    DatasetManifest manifest;
    manifest.input = inputKindName(kind);
    manifest.target = target.name;
    manifest.targetChannels = target.parameters;
    manifest.targetSource = labelTarget ? "label" : o.targetSource;
    manifest.targetSmoothing = labelTarget ? 0 : o.smoothing;
    manifest.cropsPerScene = o.crops;
    manifest.tile = o.tile;
    manifest.seed = o.seed;
    manifest.splitBy = o.splitBy;
    std::set<std::string> rules;
    for (const auto& s : scenes) rules.insert(io::carbonateLabelRule(s));
    for (const auto& r : rules) manifest.labelRule += (manifest.labelRule.empty() ? "" : "; ") + r;
    std::unique_ptr<DatasetWriter> writer;
    const TilingOptions tiling{o.tile, o.crops, o.seed, 0.5};
    std::vector<std::pair<std::string, std::string>> skipped;
    for (const io::CatalogScene& s : scenes) {
        std::optional<SpectralCube> cube;
        ImageStack input, targets;
        std::vector<std::uint8_t> label;
        try {
            cube.emplace(io::readScene(s.ifPath));
            input = makeModelInput(*cube, kind, filters, ranges);
            label = io::carbonateLabel(s, *cube);
            targets = io::sceneTargets(s, *cube, target, manifest.targetSource == "label" ? "observed" : manifest.targetSource, &label);
        } catch (const Error& e) {
            // One unreadable scene does not end a build of hundreds (unless --strict): it is left out,
            // said here and in the manifest.
            if (o.strict) throw;
            std::cerr << "skipped " << s.name << ": " << e.what() << '\n';
            skipped.emplace_back(s.name, e.what());
            continue;
        }
        if (manifest.targetSmoothing > 1) targets = meanFilter(targets, manifest.targetSmoothing);
        if (!writer) {
            manifest.inputChannels = input.channelNames;
            writer = std::make_unique<DatasetWriter>(o.out, manifest);
        }
        TilingScene scene;
        scene.name = s.name;
        scene.region = s.region;
        scene.latitudeDeg = s.latitude;
        scene.longitudeDeg = s.longitude;
        scene.input = &input;
        scene.targets = &targets;
        scene.label = &label;
        if (const PixelGeolocator* g = cube->geolocator()) scene.locate = [g](double column, double row) { return g->latLon(column, row); };
        const TilingResult kept = addSceneTiles(*writer, split.at(s.name), scene, tiling);
        std::cout << s.name << " → " << split.at(s.name) << ": " << kept.kept << " tiles"
                  << (kept.skipped ? " (" + std::to_string(kept.skipped) + " mostly no-data skipped)" : "") << '\n';
    }
    if (!writer) throw Error("none of the " + std::to_string(scenes.size()) + " scenes could be read (" + skipped.front().first + ": " + skipped.front().second + ")");
    for (const auto& [scene, reason] : skipped) writer->skipScene(scene, reason);
    requireHeldOutTiles(*writer, o.allowEmptySplits);
    writer->finish();
    std::cout << "wrote dataset to " << o.out << '\n';
}

void synthesize(const Options& o) {
    SyntheticDatasetOptions d;
    d.synthesis = SynthesisOptions{o.size, o.seed, o.carbonateFraction};
    if (o.size < 16 || o.size > 4096) throw Error("--size must be between 16 and 4096");
    if (o.carbonateFraction < 0 || o.carbonateFraction > 1) throw Error("--carbonate-fraction must be between 0 and 1");
    d.count = o.count;
    d.outputs.push_back({o.out, o.input, o.target});
    for (const auto& also : o.also) {
        const auto first = also.find(':'), second = also.find(':', first == std::string::npos ? first : first + 1);
        if (first == std::string::npos || second == std::string::npos)
            throw Error("--also takes INPUT:TARGET:DIR (e.g. pnr:carbonate:data/pnr-carbonate), not '" + also + "'");
        d.outputs.push_back({also.substr(second + 1), also.substr(0, first), also.substr(first + 1, second - first - 1)});
    }
    bool anyRect = false, allLabels = true;
    for (const auto& out : d.outputs) anyRect |= parseInputKind(out.input) == InputKind::Rectangular, allLabels &= parseTarget(out.target).name == "carbonate";
    if (!anyRect && !o.ranges.empty()) throw Error("--ranges applies to rect inputs only");
    if (allLabels && (o.smoothing > 0 || o.targetSource != "observed"))
        throw Error("--target carbonate is the per-pixel label: --smooth and --target-source apply to parameter targets");
    d.ranges = o.ranges.empty() ? RectangularRanges{} : parseRanges(o.ranges);
    d.targetSource = o.targetSource;
    d.smoothing = o.smoothing;
    d.tile = o.tile;
    d.cropsPerScene = o.crops;
    d.splitBy = o.splitBy;
    d.allowEmptySplits = o.allowEmptySplits;
    const SynthesisInputs inputs = defaultSynthesisInputs(io::readSynthesisStructure());
    buildSyntheticDataset(inputs, d, [](const std::string& line) { std::cout << line << '\n' << std::flush; });
    for (const auto& out : d.outputs) std::cout << "wrote dataset to " << out.directory << '\n';
}

void pairs(const Options& o) {
    if (o.size < 32 || o.size > 4096) throw Error("--size must be between 32 and 4096");
    if (o.carbonateFraction < 0 || o.carbonateFraction > 1) throw Error("--carbonate-fraction must be between 0 and 1");
    FusionDatasetOptions d;
    d.directory = o.out;
    d.synthesis = SynthesisOptions{o.size, o.seed, o.carbonateFraction};
    d.pair = o.pair;
    d.count = o.count;
    d.tile = o.tile;
    d.cropsPerScene = o.crops;
    d.allowEmptySplits = o.allowEmptySplits;
    buildFusionDataset(defaultSynthesisInputs(io::readSynthesisStructure()), d, [](const std::string& line) { std::cout << line << '\n' << std::flush; });
    std::cout << "wrote dataset to " << o.out << '\n';
}

void info(const Options& o) {
    const DatasetManifest m = TileDataset::readManifest(o.dir);
    nlohmann::json j{{"input", m.input}, {"target", m.target}, {"tile", m.tile}, {"input_channels", m.inputChannels},
                     {"target_channels", m.targetChannels}, {"split_by", m.splitBy}, {"format_version", m.formatVersion},
                     {"target_source", m.targetSource}, {"target_smoothing", m.targetSmoothing}, {"label_rule", m.labelRule},
                     {"crops_per_scene", m.cropsPerScene}, {"splits", nlohmann::json::object()}};
    if (m.fusionFactor > 0) j["fusion_factor"] = m.fusionFactor;
    for (const auto& [name, summary] : m.splits) {
        const TileDataset data = TileDataset::open(o.dir, name); // checks the files against the manifest
        nlohmann::json s{{"tiles", summary.tiles}, {"carbonate_tiles", summary.carbonateTiles},
                         {"carbonate_prevalence", summary.tiles ? static_cast<double>(summary.carbonateTiles) / summary.tiles : 0.0}};
        const auto stats = [&](bool targets) {
            const SplitStatistics st = splitStatistics(data, targets);
            nlohmann::json out = nlohmann::json::array();
            for (std::size_t c = 0; c < st.mean.size(); ++c)
                out.push_back({{"channel", (targets ? m.targetChannels : m.inputChannels)[c]}, {"mean", st.mean[c]}, {"std", st.stddev[c]}});
            return out;
        };
        std::set<std::string> sceneNames, carbonateScenes;
        std::size_t labelled = 0, carbonatePixels = 0;
        for (std::size_t i = 0; i < data.size(); ++i) {
            sceneNames.insert(data.record(i).scene);
            if (const std::uint8_t* l = data.label(i)) {
                bool any = false;
                for (std::size_t p = 0; p < static_cast<std::size_t>(m.tile) * m.tile; ++p) {
                    labelled += l[p] != kLabelNoData;
                    carbonatePixels += l[p] == kLabelCarbonate;
                    any |= l[p] == kLabelCarbonate;
                }
                if (any) carbonateScenes.insert(data.record(i).scene);
            }
        }
        s["scenes"] = sceneNames.size();
        if (data.hasLabels()) {
            s["carbonate_scenes"] = carbonateScenes.size();
            s["carbonate_pixel_fraction"] = labelled ? static_cast<double>(carbonatePixels) / labelled : 0.0;
        }
        s["input_stats"] = stats(false);
        s["target_stats"] = stats(true);
        j["splits"][name] = s;
    }
    j["skipped_scenes"] = nlohmann::json::array();
    for (const auto& [scene, reason] : m.skippedScenes) j["skipped_scenes"].push_back({{"scene", scene}, {"reason", reason}});
    if (o.json) {
        std::cout << j.dump(2) << '\n';
        return;
    }
    for (const auto& [scene, reason] : m.skippedScenes) std::cout << "skipped " << scene << ": " << reason << '\n';
    std::cout << "input " << m.input << ", target " << m.target << " (" << m.targetSource << (m.targetSmoothing > 1 ? ", smoothed " + std::to_string(m.targetSmoothing) + " px" : "")
              << "), tile " << m.tile << ", split by " << m.splitBy << '\n';
    if (!m.labelRule.empty()) std::cout << "carbonate label: " << m.labelRule << '\n';
    for (const auto& [name, s] : j["splits"].items()) {
        std::cout << name << ": " << s["tiles"] << " tiles from " << s["scenes"] << " scenes, " << s["carbonate_tiles"] << " carbonate-bearing tiles";
        if (s.contains("carbonate_scenes"))
            std::cout << ", " << s["carbonate_scenes"] << " scenes with carbonate, carbonate pixels " << s["carbonate_pixel_fraction"].get<double>() * 100 << " %";
        std::cout << '\n';
    }
}

} // namespace

std::vector<Command> addDatasetCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* dataset = app.add_subcommand("dataset", "Build and inspect training datasets");
    dataset->require_subcommand(1);
    // What both build and synth ask: the tiles, the input and the target.
    const auto addTileOptions = [&o](CLI::App* cmd) {
        cmd->add_option("--out", o->out, "Dataset folder")->required();
        cmd->add_option("--tile", o->tile, "Tile size in pixels (default 256)");
        cmd->add_option("--crops", o->crops, "Random crops per scene instead of the regular grid of tiles (default 0: grid)");
        cmd->add_option("--input", o->input, "pnr | 4band | pca | rect (default pnr)");
        cmd->add_option("--ranges", o->ranges, "rect: wavelength ranges in nm");
        cmd->add_option("--target", o->target, "fal | car | carbonate (the label as a probability target) | three parameter names A,B,C (default fal)");
        cmd->add_option("--target-source", o->targetSource,
                        "observed (default: the scene's parameter product or its cube, as an MTRDR SU product holds them) | clean (noise-free; synthetic scenes)")
            ->check(CLI::IsMember({"observed", "clean"}));
        cmd->add_option("--smooth", o->smoothing, "Average the targets over N x N pixels (default 0: none)");
        cmd->add_option("--split-by", o->splitBy, "scene | region (default scene)");
        cmd->add_flag("--allow-empty-splits", o->allowEmptySplits, "Accept a val or test split without scenes (otherwise an error)");
    };
    auto* buildCmd = dataset->add_subcommand("build", "Tile scenes into input/target training pairs with per-pixel carbonate labels");
    buildCmd->add_option("SCENE_DIR", o->sceneDirs, "Folders of scenes (jezero-cli synth output, MTRDR or TRR3 files)")->required();
    addTileOptions(buildCmd);
    buildCmd->add_option("--seed", o->seed, "Seed of the split (default 1)");
    buildCmd->add_flag("--strict", o->strict, "Stop at the first scene that cannot be read (default: skip it, say why, list it in the manifest)");
    auto* synthCmd = dataset->add_subcommand("synth", "Synthesize scenes straight into datasets (the cubes are not kept)");
    addTileOptions(synthCmd);
    synthCmd->add_option("--count", o->count, "Number of scenes (default 300)");
    synthCmd->add_option("--size", o->size, "Scene width and height in pixels (default 256)");
    synthCmd->add_option("--seed", o->seed, "Seed of the scenes and the split (default 1)");
    synthCmd->add_option("--carbonate-fraction", o->carbonateFraction, "Share of carbonate-bearing scenes, exact: round(count x share) (default 0.3)");
    synthCmd->add_option("--also", o->also, "INPUT:TARGET:DIR: another dataset from the same scenes, splits and tiles (repeatable)");
    auto* pairsCmd = dataset->add_subcommand("pairs", "Synthesize CaSSIS/CRISM pairs into a dataset for the learned fusion (--fuse sr): "
                                                       "each truth channel's 18 m view and the 4.6 m filter bands -> its 4.6 m detail");
    pairsCmd->add_option("--out", o->out, "Dataset folder")->required();
    pairsCmd->add_option("--count", o->count, "Number of pairs (default 300)");
    pairsCmd->add_option("--size", o->size, "Fine grid width and height in pixels (default 256)");
    pairsCmd->add_option("--tile", o->tile, "Tile size in fine pixels (default 256; 128 suits the learned fusion)");
    pairsCmd->add_option("--crops", o->crops, "Random crops per channel instead of the regular grid of tiles (default 0: grid)");
    pairsCmd->add_option("--seed", o->seed, "Seed of the pairs and the split (default 1)");
    pairsCmd->add_option("--carbonate-fraction", o->carbonateFraction, "Share of carbonate-bearing pairs (default 0.3)");
    pairsCmd->add_option("--fine-pixel", o->pair.finePixelMetres, "The fine pixel in metres (default 4.6, CaSSIS)")->check(CLI::PositiveNumber);
    pairsCmd->add_option("--coarse-pixel", o->pair.coarsePixelMetres, "The coarse pixel in metres (default 18, CRISM MTRDR)")->check(CLI::PositiveNumber);
    pairsCmd->add_flag("--allow-empty-splits", o->allowEmptySplits, "Accept a val or test split without pairs (otherwise an error)");
    auto* infoCmd = dataset->add_subcommand("info", "Tiles per split, carbonate prevalence, input/target statistics");
    infoCmd->add_option("DIR", o->dir, "Dataset folder")->required();
    infoCmd->add_flag("--json", o->json, "Print JSON");
    return {{buildCmd, [o] { build(*o); }}, {synthCmd, [o] { synthesize(*o); }}, {pairsCmd, [o] { pairs(*o); }}, {infoCmd, [o] { info(*o); }}};
}

} // namespace jezero::cli
