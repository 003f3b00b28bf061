// jezero-cli predict: a whole scene through a trained model, tile by tile with blended overlaps; a
// diffusion model's ensemble mean, standard deviation and carbonate exceedance probability. Written as a
// float32 GeoTIFF with the scene's CRS and geotransform, band descriptions and the settings as metadata.
#include "Commands.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/SceneReader.h"
#include "jezero/ml/Predictor.h"
#include "jezero/ml/ScenePrediction.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <map>
#include <memory>

namespace jezero::cli {
namespace {

struct Options {
    std::string scene, model, out, location, device = "auto";
    ml::SamplingOptions sampling;
    int overlap = -1;
    double threshold = std::nan(""); // default: 0.5 for a carbonate-probability model, kCarbonateThreshold for a parameter
    bool json = false;
};

void predict(const Options& options) {
    Options o = options;
    const std::string modelPath = resolveModel(o.model);
    const auto predictor = ml::Predictor::load(modelPath, o.device);
    const SpectralCube cube = io::readScene(o.scene);
    TaskControl control;
    int lastPercent = -1;
    control.setProgressCallback([&](double fraction, const std::string&) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent / 10 == lastPercent / 10) return;
        lastPercent = percent;
        if (o.json) std::cout << nlohmann::json{{"event", "progress"}, {"fraction", fraction}}.dump() << std::endl;
        else std::cerr << "predicting: " << percent << " %\n";
    });
    ml::ScenePredictionOptions settings;
    settings.sampling = o.sampling;
    settings.location = o.location;
    settings.overlap = o.overlap;
    settings.threshold = o.threshold;
    const ml::ScenePrediction prediction = ml::predictScene(predictor, cube, settings, &control);
    for (const auto& warning : prediction.warnings) std::cerr << "warning: " << warning << '\n';
    const ImageStack& result = prediction.image;
    const int tile = predictor.tile(), overlap = prediction.overlap;
    const bool ensemble = predictor.stochastic();
    const std::string& location = prediction.location;
    const int carbonate = prediction.carbonateChannel;
    o.threshold = prediction.threshold;
    const std::vector<std::string>& bands = result.channelNames;
    std::map<std::string, std::string> meta{{"JEZERO_PRODUCT", "model prediction"},
                                            {"JEZERO_SOURCE_SCENE", cube.metadata().productId},
                                            {"JEZERO_SOURCE_PATH", cube.metadata().sourcePath},
                                            {"JEZERO_MODEL", modelPath},
                                            {"JEZERO_MODEL_SUMMARY", predictor.summary()},
                                            {"JEZERO_MODEL_CONFIG", nlohmann::json::parse(predictor.configJson()).dump()},
                                            {"JEZERO_INPUT", predictor.inputKind()},
                                            {"JEZERO_TARGET", predictor.target()},
                                            {"JEZERO_TILE", std::to_string(tile)},
                                            {"JEZERO_OVERLAP", std::to_string(overlap)}};
    if (ensemble) {
        meta["JEZERO_SAMPLES"] = std::to_string(o.sampling.samples);
        meta["JEZERO_STEPS"] = std::to_string(o.sampling.steps);
        meta["JEZERO_SAMPLER"] = o.sampling.sampler;
        meta["JEZERO_IMAGE_GUIDANCE"] = std::to_string(o.sampling.imageGuidance);
        meta["JEZERO_METADATA_GUIDANCE"] = std::to_string(o.sampling.metadataGuidance);
        meta["JEZERO_SEED"] = std::to_string(o.sampling.seed);
    }
    if (predictor.usesMetadata()) meta["JEZERO_LOCATION"] = location;
    if (carbonate >= 0) meta["JEZERO_CARBONATE_THRESHOLD"] = std::to_string(o.threshold);
    io::writeGeoTiff(o.out, result, cube.metadata(), meta);
    if (o.json) {
        std::cout << nlohmann::json{{"event", "done"},        {"out", o.out},
                                   {"bands", bands},         {"width", result.width},
                                   {"height", result.height}, {"input", predictor.inputKind()},
                                   {"target", predictor.target()}, {"threshold", o.threshold},
                                   {"location", predictor.usesMetadata() ? nlohmann::json(location) : nlohmann::json(nullptr)}}.dump() << std::endl;
    } else {
        std::cout << "wrote " << o.out << " (" << result.width << " × " << result.height << "; ";
        for (std::size_t b = 0; b < bands.size(); ++b) std::cout << (b ? ", " : "") << bands[b];
        std::cout << ")\n";
    }
}

} // namespace

std::vector<Command> addPredictCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("predict", "Predict a scene's target channels with a trained model (GeoTIFF out)");
    cmd->add_option("scene", o->scene, "CRISM scene (TRR3 .lbl/.img, MTRDR, ENVI, GeoTIFF)")->required();
    cmd->add_option("--model", o->model, "Checkpoint (.pt), or a shipped model: carbonate, fal, unet, diffusion")->required();
    cmd->add_option("--out", o->out, "Output GeoTIFF")->required();
    cmd->add_option("--samples", o->sampling.samples, "Diffusion: samples per tile (default 8)")->check(CLI::Range(1, 1024));
    cmd->add_option("--steps", o->sampling.steps, "Diffusion: sampler steps (default 18)")->check(CLI::Range(1, 1000));
    cmd->add_option("--sampler", o->sampling.sampler, "Diffusion: heun (default), euler, dpm")->check(CLI::IsMember({"heun", "euler", "dpm"}));
    cmd->add_option("--image-guidance", o->sampling.imageGuidance, "Diffusion: image guidance scale (default 1)");
    cmd->add_option("--metadata-guidance", o->sampling.metadataGuidance, "Diffusion: metadata guidance scale (default 1)");
    cmd->add_option("--seed", o->sampling.seed, "Diffusion: random seed (default 0)");
    cmd->add_option("--location", o->location, "Location name for the metadata conditioning (default unknown; a name the model does not know warns and predicts as unknown)");
    cmd->add_option("--overlap", o->overlap, "Tile overlap in pixels, less than the tile (default a quarter tile)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--threshold", o->threshold, "Carbonate threshold of the exceedance band (default 0.01; 0.5 for a carbonate-probability model)");
    cmd->add_option("--device", o->device, "auto (default), cpu, cuda, cuda:N");
    cmd->add_flag("--json", o->json, "Progress and result as JSON lines on stdout");
    return {{cmd, [o] {
                 requireTiff(o->out);
                 requireNotInput(o->out, o->scene);
                 predict(*o);
             }}};
}

} // namespace jezero::cli
