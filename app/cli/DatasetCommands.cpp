#include "Commands.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/io/SceneReader.h"
#include "jezero/io/SceneCatalog.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>

namespace jezero::cli {
namespace {

struct Options {
    std::vector<std::string> sceneDirs;
    std::string out, input = "pnr", target = "fal", splitBy = "scene", ranges, dir;
    int tile = 256;
    std::uint64_t seed = 1;
    bool json = false;
};

void build(const Options& o) {
    if (o.tile < 16 || o.tile > 2048) throw Error("--tile must be between 16 and 2048");
    const InputKind kind = parseInputKind(o.input);
    const TargetSpec target = parseTarget(o.target);
    const auto& known = summaryParameterNames();
    for (const auto& p : target.parameters)
        if (std::find(known.begin(), known.end(), p) == known.end()) throw Error("unknown summary parameter '" + p + "' in --target");
    const RectangularRanges ranges = o.ranges.empty() ? RectangularRanges{} : parseRanges(o.ranges);
    std::vector<io::CatalogScene> scenes;
    for (const auto& dir : o.sceneDirs)
        for (auto& s : io::discoverScenes(dir)) scenes.push_back(std::move(s));
    std::vector<SplitUnit> units;
    for (const auto& s : scenes) units.push_back({s.name, s.region, s.carbonateBearing});
    const auto split = assignSplits(units, o.splitBy, o.seed);
    const FilterSet filters = cassisFilters();

    DatasetManifest manifest;
    manifest.input = inputKindName(kind);
    manifest.target = target.name;
    manifest.targetChannels = target.parameters;
    manifest.tile = o.tile;
    manifest.seed = o.seed;
    manifest.splitBy = o.splitBy;
    std::unique_ptr<DatasetWriter> writer;
    const int t = o.tile;
    std::vector<float> inputTile, targetTile;
    for (const io::CatalogScene& s : scenes) {
        const SpectralCube cube = io::readScene(s.ifPath);
        const ImageStack input = makeModelInput(cube, kind, filters, ranges);
        const ImageStack targets = io::sceneTargets(s, cube, target);
        const auto carbonate = io::carbonateMask(s, cube);
        if (!writer) {
            manifest.inputChannels = input.channelNames;
            writer = std::make_unique<DatasetWriter>(o.out, manifest);
        }
        const int ci = input.channels(), ct = targets.channels();
        inputTile.resize(static_cast<std::size_t>(ci) * t * t);
        targetTile.resize(static_cast<std::size_t>(ct) * t * t);
        int kept = 0, skipped = 0;
        for (int y0 = 0; y0 + t <= cube.height(); y0 += t)
            for (int x0 = 0; x0 + t <= cube.width(); x0 += t) {
                std::size_t valid = 0, carbonatePixels = 0;
                for (int y = 0; y < t; ++y)
                    for (int x = 0; x < t; ++x) {
                        const std::size_t o2 = static_cast<std::size_t>(y) * t + x;
                        bool ok = true;
                        for (int c = 0; c < ci; ++c) ok &= std::isfinite(inputTile[c * t * t + o2] = input.at(x0 + x, y0 + y, c));
                        for (int c = 0; c < ct; ++c) ok &= std::isfinite(targetTile[c * t * t + o2] = targets.at(x0 + x, y0 + y, c));
                        if (!ok) continue;
                        ++valid;
                        carbonatePixels += carbonate[static_cast<std::size_t>(y0 + y) * cube.width() + x0 + x] != 0;
                    }
                const double validFraction = static_cast<double>(valid) / (static_cast<double>(t) * t);
                if (validFraction < 0.5) {
                    ++skipped; // mostly no-data
                    continue;
                }
                TileRecord r;
                r.scene = s.name;
                r.region = s.region;
                r.x = x0;
                r.y = y0;
                const auto centre = cube.geolocator() ? cube.geolocator()->latLon(x0 + t / 2.0, y0 + t / 2.0) : std::nullopt;
                r.latitudeDeg = centre ? centre->latitudeDeg : s.latitude;
                r.longitudeDeg = centre ? centre->longitudeDeg : s.longitude;
                r.validFraction = validFraction;
                r.carbonateFraction = static_cast<double>(carbonatePixels) / valid;
                r.carbonateBearing = r.carbonateFraction >= kCarbonateTileFraction;
                writer->addTile(split.at(s.name), inputTile.data(), targetTile.data(), r);
                ++kept;
            }
        std::cout << s.name << " → " << split.at(s.name) << ": " << kept << " tiles" << (skipped ? " (" + std::to_string(skipped) + " mostly no-data skipped)" : "")
                  << '\n';
    }
    if (!writer) throw Error("no scenes to build a dataset from");
    writer->finish();
    std::cout << "wrote dataset to " << o.out << '\n';
}

void info(const Options& o) {
    const DatasetManifest m = TileDataset::readManifest(o.dir);
    nlohmann::json j{{"input", m.input}, {"target", m.target}, {"tile", m.tile}, {"input_channels", m.inputChannels},
                     {"target_channels", m.targetChannels}, {"split_by", m.splitBy}, {"splits", nlohmann::json::object()}};
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
        s["input_stats"] = stats(false);
        s["target_stats"] = stats(true);
        j["splits"][name] = s;
    }
    if (o.json) {
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cout << "input " << m.input << ", target " << m.target << ", tile " << m.tile << ", split by " << m.splitBy << '\n';
    for (const auto& [name, s] : j["splits"].items())
        std::cout << name << ": " << s["tiles"] << " tiles, " << s["carbonate_tiles"] << " carbonate-bearing\n";
}

} // namespace

std::vector<Command> addDatasetCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* dataset = app.add_subcommand("dataset", "Build and inspect training datasets");
    dataset->require_subcommand(1);
    auto* buildCmd = dataset->add_subcommand("build", "Tile scenes into input/target training pairs");
    buildCmd->add_option("SCENE_DIR", o->sceneDirs, "Folders of scenes (jezero-cli synth output, MTRDR or TRR3 files)")->required();
    buildCmd->add_option("--out", o->out, "Dataset folder")->required();
    buildCmd->add_option("--tile", o->tile, "Tile size in pixels (default 256)");
    buildCmd->add_option("--input", o->input, "pnr | 4band | pca | rect (default pnr)");
    buildCmd->add_option("--ranges", o->ranges, "rect: wavelength ranges in nm");
    buildCmd->add_option("--target", o->target, "fal | car | three parameter names A,B,C (default fal)");
    buildCmd->add_option("--split-by", o->splitBy, "scene | region (default scene)");
    buildCmd->add_option("--seed", o->seed, "Seed of the split (default 1)");
    auto* infoCmd = dataset->add_subcommand("info", "Tiles per split, carbonate prevalence, input/target statistics");
    infoCmd->add_option("DIR", o->dir, "Dataset folder")->required();
    infoCmd->add_flag("--json", o->json, "Print JSON");
    return {{buildCmd, [o] { build(*o); }}, {infoCmd, [o] { info(*o); }}};
}

} // namespace jezero::cli
