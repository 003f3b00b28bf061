// jezero-cli predict: a whole scene through a trained model, tile by tile with blended overlaps; a
// diffusion model's ensemble mean, standard deviation and carbonate exceedance probability. Written as a
// float32 GeoTIFF with the scene's CRS and geotransform, band descriptions and the settings as metadata.
#include "Commands.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"
#include "jezero/core/TiledPrediction.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/SceneReader.h"
#include "jezero/ml/Predictor.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
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

std::uint64_t tileSeed(std::uint64_t seed, int x, int y) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (1 + static_cast<std::uint64_t>(y) * 1000003ull + static_cast<std::uint64_t>(x));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void predict(const Options& options) {
    Options o = options;
    const std::string modelPath = resolveModel(o.model);
    const auto predictor = ml::Predictor::load(modelPath, o.device);
    const SpectralCube cube = io::readScene(o.scene);
    const ImageStack input = makeModelInput(cube, parseInputKind(predictor.inputKind()), cassisFilters());
    if (input.channelNames != predictor.inputChannelNames()) throw Error("the model takes other input channels than " + predictor.inputKind() + " gives");
    const int tile = predictor.tile();
    const int overlap = o.overlap >= 0 ? o.overlap : tile / 4;
    const auto targets = predictor.targetChannelNames();
    const int carbonate = carbonateChannel(targets);
    if (!std::isfinite(o.threshold)) o.threshold = defaultCarbonateThreshold(targets);
    const bool ensemble = predictor.stochastic();
    // The location the model is conditioned on; a name it does not know is said, never silently replaced.
    std::string location = "unknown";
    if (!o.location.empty()) {
        if (!predictor.usesMetadata()) {
            std::cerr << "warning: this model takes no location; --location " << o.location << " ignored\n";
        } else if (const std::string known = predictor.knownLocation(o.location); !known.empty()) {
            location = known;
        } else {
            std::string names;
            for (const auto& n : predictor.locations()) names += (names.empty() ? "" : ", ") + n;
            std::cerr << "warning: the model does not know the location \"" << o.location << "\" (it knows " << (names.empty() ? "none" : names)
                      << "); predicting with location unknown\n";
        }
    }
    std::vector<std::string> bands;
    for (const auto& t : targets) bands.push_back(ensemble ? t + " mean" : t);
    if (ensemble)
        for (const auto& t : targets) bands.push_back(t + " std");
    char probabilityName[96] = "";
    if (carbonate >= 0) {
        std::snprintf(probabilityName, sizeof probabilityName, "P(%s > %g)", targets[carbonate].c_str(), o.threshold);
        bands.push_back(probabilityName);
    }
    const std::size_t plane = static_cast<std::size_t>(tile) * tile;
    TaskControl control;
    int lastPercent = -1;
    control.setProgressCallback([&](double fraction, const std::string&) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent / 10 == lastPercent / 10) return;
        lastPercent = percent;
        if (o.json) std::cout << nlohmann::json{{"event", "progress"}, {"fraction", fraction}}.dump() << std::endl;
        else std::cerr << "predicting: " << percent << " %\n";
    });
    const ImageStack result = predictTiled(
        input, tile, overlap, bands,
        [&](const std::vector<float>& in, int x, int y) {
            ml::TileContext context;
            context.location = location;
            if (const auto* geo = cube.geolocator())
                if (const auto centre = geo->latLon(x + tile / 2.0, y + tile / 2.0))
                    context.latitudeDeg = centre->latitudeDeg, context.longitudeDeg = centre->longitudeDeg;
            ml::SamplingOptions sampling = o.sampling;
            sampling.seed = tileSeed(o.sampling.seed, x, y);
            const auto p = predictor.predictEnsemble(in, context, sampling, carbonate, o.threshold);
            std::vector<float> out(p.mean);
            if (ensemble) out.insert(out.end(), p.stddev.begin(), p.stddev.end());
            if (carbonate >= 0) out.insert(out.end(), p.exceedance.begin(), p.exceedance.begin() + static_cast<long>(plane));
            return out;
        },
        &control);
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
    cmd->add_option("--overlap", o->overlap, "Tile overlap in pixels (default a quarter tile)");
    cmd->add_option("--threshold", o->threshold, "Carbonate threshold of the exceedance band (default 0.01; 0.5 for a carbonate-probability model)");
    cmd->add_option("--device", o->device, "auto (default), cpu, cuda, cuda:N");
    cmd->add_flag("--json", o->json, "Progress and result as JSON lines on stdout");
    return {{cmd, [o] {
                 requireTiff(o->out);
                 predict(*o);
             }}};
}

} // namespace jezero::cli
