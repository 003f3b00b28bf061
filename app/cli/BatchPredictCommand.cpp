// jezero-cli batch-predict: many scenes through one loaded model — a manifest of scene paths, one
// GeoTIFF per scene in the output folder (predict's), one JSON status line per scene, and a summary CSV
// of per-scene carbonate statistics. Resumable (a scene whose GeoTIFF exists is not predicted again; the
// GeoTIFFs are written atomically, so an existing one is whole) and shardable (--shard I/N takes every
// N-th scene from the I-th, so the shards of a Slurm job array cover the manifest exactly once).
#include "Commands.h"
#include "PredictionCli.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/CsvText.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/io/ImageReader.h"
#include "jezero/io/SceneReader.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

namespace fs = std::filesystem;

namespace jezero::cli {
namespace {

struct Options {
    std::string manifest, out, shard = "0/1";
    PredictionSettings prediction;
};

struct Shard {
    int index = 0, count = 1;
};

Shard parseShard(const std::string& text) {
    Shard s;
    char slash = 0;
    std::istringstream in(text);
    if (!(in >> s.index >> slash >> s.count) || slash != '/' || !in.eof() || s.count < 1 || s.index < 0 || s.index >= s.count)
        throw Error("--shard takes I/N with 0 <= I < N (e.g. 0/4 … 3/4), not '" + text + "'");
    return s;
}

// The manifest's scenes: one path per line, relative to the manifest's folder; blank lines and lines
// starting with # are skipped.
std::vector<std::string> readManifest(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read the manifest " + path);
    const fs::path base = fs::path(path).parent_path();
    std::vector<std::string> scenes;
    std::string line;
    while (std::getline(in, line)) {
        const auto first = line.find_first_not_of(" \t\r"), last = line.find_last_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        const fs::path scene(line.substr(first, last - first + 1));
        scenes.push_back((scene.is_absolute() ? scene : base / scene).lexically_normal().string());
    }
    if (scenes.empty()) throw Error("the manifest " + path + " lists no scene");
    return scenes;
}

// OUT/<scene file stem>_prediction.tif; two scenes with one stem would write one file: an error.
std::map<std::string, std::string> outputPaths(const std::vector<std::string>& scenes, const std::string& outDir) {
    std::map<std::string, std::string> byScene, byOutput;
    for (const auto& scene : scenes) {
        const std::string out = (fs::path(outDir) / (fs::path(scene).stem().string() + "_prediction.tif")).string();
        if (const auto clash = byOutput.find(out); clash != byOutput.end() && clash->second != scene)
            throw Error("the scenes " + clash->second + " and " + scene + " would both be written to " + out + "; rename one");
        byOutput[out] = scene;
        byScene[scene] = out;
    }
    return byScene;
}

// Per-scene carbonate statistics from the prediction's carbonate probability: a probability model's
// CARBONATE band, else the exceedance band "P(… > t)" (a diffusion ensemble's share of samples above
// the threshold; a regression model's 0/1 mask). Valid pixels, pixels with P > 0.5, their share, the
// mean and the maximum P.
struct CarbonateStatistics {
    std::string band;
    long valid = 0, flagged = 0;
    double meanProbability = NAN, maxProbability = NAN;
};

CarbonateStatistics carbonateStatistics(const ImageStack& image) {
    CarbonateStatistics s;
    int band = -1;
    for (int c = 0; c < image.channels(); ++c)
        if (image.channelNames[c].rfind("P(", 0) == 0) band = c;
    for (int c = 0; c < image.channels(); ++c)
        if (image.channelNames[c] == kCarbonateLabelChannel) band = c;
    if (band >= 0) s.band = image.channelNames[band];
    if (band < 0) return s;
    double sum = 0, worst = 0;
    for (std::size_t p = 0; p < image.pixelCount(); ++p) {
        const float v = image.values[p * image.channels() + band];
        if (!std::isfinite(v)) continue;
        ++s.valid;
        s.flagged += v > 0.5f;
        sum += v;
        worst = std::max(worst, static_cast<double>(v));
    }
    if (s.valid) s.meanProbability = sum / s.valid, s.maxProbability = worst;
    return s;
}

std::string number(double v) {
    if (!std::isfinite(v)) return "";
    std::ostringstream s;
    s << v;
    return s.str();
}

void batchPredict(const Options& o) {
    const Shard shard = parseShard(o.shard);
    const auto scenes = readManifest(o.manifest);
    fs::create_directories(o.out);
    const auto outputs = outputPaths(scenes, o.out);
    const std::string modelPath = resolveModel(o.prediction.model);
    const auto predictor = ml::Predictor::load(modelPath, o.prediction.device);
    ml::ScenePredictionOptions options = o.prediction.scene;
    const auto fusionModel = loadFusionModel(o.prediction, options);
    PredictionSettings used = o.prediction;
    used.scene = options; // with the fusion model loaded, as the GeoTIFFs record it
    const std::string summaryPath =
        (fs::path(o.out) / ("summary-shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".csv")).string();
    std::string summary = "scene,status,output,width,height,probability_band,valid_pixels,carbonate_pixels,carbonate_fraction,mean_probability,max_probability,seconds,error\n";
    int done = 0, skipped = 0, failed = 0;
    bool warned = false;
    for (std::size_t i = static_cast<std::size_t>(shard.index); i < scenes.size(); i += static_cast<std::size_t>(shard.count)) {
        const std::string& scene = scenes[i];
        const std::string& out = outputs.at(scene);
        const auto started = std::chrono::steady_clock::now();
        std::string status = "done", error;
        ImageStack image;
        try {
            if (fs::exists(out)) {
                status = "skipped"; // a whole GeoTIFF from an earlier run (written atomically)
                image = io::readImageStack(out).first;
            } else {
                requireNotInput(out, scene);
                const SpectralCube cube = io::readScene(scene);
                const ml::ScenePrediction prediction = ml::predictScene(predictor, cube, options);
                if (!warned)
                    for (const auto& warning : prediction.warnings) std::cerr << "warning: " << warning << '\n';
                warned = true;
                writePredictionGeoTiff(out, prediction, cube, predictor, used);
                image = prediction.image;
            }
        } catch (const Error& e) {
            status = "failed", error = e.what();
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        (status == "done" ? done : status == "skipped" ? skipped : failed) += 1;
        const CarbonateStatistics c = carbonateStatistics(image);
        const double fraction = c.valid ? static_cast<double>(c.flagged) / c.valid : NAN;
        nlohmann::json line{{"event", "scene"}, {"index", i}, {"scene", scene}, {"status", status}, {"seconds", seconds}};
        if (status != "failed") line["out"] = out, line["width"] = image.width, line["height"] = image.height;
        if (!c.band.empty()) line["carbonate_fraction"] = fraction, line["mean_probability"] = c.meanProbability;
        if (!error.empty()) line["error"] = error;
        std::cout << line.dump() << std::endl;
        summary += csvField(scene) + ',' + status + ',' + (status == "failed" ? "" : csvField(out)) + ',' + (status == "failed" ? "" : std::to_string(image.width)) +
                   ',' + (status == "failed" ? "" : std::to_string(image.height)) + ',' + csvField(c.band) + ',' + (c.band.empty() ? "" : std::to_string(c.valid)) +
                   ',' + (c.band.empty() ? "" : std::to_string(c.flagged)) + ',' + number(fraction) + ',' + number(c.meanProbability) + ',' +
                   number(c.maxProbability) + ',' + number(seconds) + ',' + csvField(error) + '\n';
        writeTextFileAtomically(summaryPath, summary); // after every scene: a killed shard leaves what it did
    }
    std::cout << nlohmann::json{{"event", "finished"}, {"shard", o.shard}, {"done", done}, {"skipped", skipped}, {"failed", failed}, {"summary", summaryPath}}.dump()
              << std::endl;
    if (failed) throw Error(std::to_string(failed) + " of " + std::to_string(done + skipped + failed) + " scenes failed (their errors are in " + summaryPath + ")");
}

} // namespace

std::vector<Command> addBatchPredictCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("batch-predict", "Predict every scene of a manifest with one model: a GeoTIFF each, JSON status lines, a summary CSV");
    cmd->add_option("manifest", o->manifest, "Text file: one scene path per line (relative to its folder; # comments)")->required();
    cmd->add_option("--out", o->out, "Output folder (SCENE_prediction.tif per scene, summary-shard-I-of-N.csv)")->required();
    cmd->add_option("--shard", o->shard, "I/N: this process takes scenes I, I+N, I+2N, … (default 0/1: all)");
    addPredictionOptions(cmd, o->prediction);
    return {{cmd, [o] { batchPredict(*o); }}};
}

} // namespace jezero::cli
