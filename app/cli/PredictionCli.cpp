#include "PredictionCli.h"

#include "jezero/core/Comparison.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/ml/LearnedFusion.h"
#include "jezero/core/SpectralCube.h"
#include "jezero/io/ImageWriter.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

namespace jezero::cli {

void addPredictionOptions(CLI::App* cmd, PredictionSettings& o) {
    cmd->add_option("--model", o.model, "Checkpoint (.pt), or a shipped model: carbonate, carbonate-pca, fal, unet, diffusion")->required();
    cmd->add_option("--samples", o.scene.sampling.samples, "Diffusion: samples per tile (default 8)")->check(CLI::Range(1, 1024));
    cmd->add_option("--steps", o.scene.sampling.steps, "Diffusion: sampler steps (default 18)")->check(CLI::Range(1, 1000));
    cmd->add_option("--sampler", o.scene.sampling.sampler, "Diffusion: heun (default), euler, dpm")->check(CLI::IsMember({"heun", "euler", "dpm"}));
    cmd->add_option("--image-guidance", o.scene.sampling.imageGuidance, "Diffusion: image guidance scale (default 1)");
    cmd->add_option("--metadata-guidance", o.scene.sampling.metadataGuidance, "Diffusion: metadata guidance scale (default 1)");
    cmd->add_option("--seed", o.scene.sampling.seed, "Diffusion: random seed (default 0)");
    cmd->add_option("--location", o.scene.location,
                    "Location name for the metadata conditioning (default unknown; a name the model does not know warns and predicts as unknown)");
    cmd->add_option("--overlap", o.scene.overlap, "Tile overlap in pixels, less than the tile (default a quarter tile)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--threshold", o.scene.threshold, "Carbonate threshold of the exceedance band (default 0.01; 0.5 for a carbonate-probability model)");
    cmd->add_option("--device", o.device, "auto (default), cpu, cuda, cuda:N");
    cmd->add_option_function<std::string>(
           "--fuse", [&o](const std::string& name) { o.scene.fusion = parseFusionMethod(name); },
           "A CaSSIS image: how the prediction made at the model's pixel comes back to the image's grid: gs (default), guided, hpf, bicubic, "
           "sr (the learned fusion network, --fusion-model)")
        ->check(CLI::IsMember({"guided", "hpf", "gs", "bicubic", "sr"}));
    cmd->add_option("--fusion-model", o.fusionModel, "--fuse sr: the fusion checkpoint, or a shipped one: fusion (U-Net, default), fusion-diffusion (SR3-style diffusion)");
    cmd->add_option("--fusion-samples", o.scene.fusionSampling.samples, "--fuse sr with a diffusion fusion model: samples per tile (default 4)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--fusion-steps", o.scene.fusionSampling.steps, "--fuse sr with a diffusion fusion model: sampler steps (default 10, dpm)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--model-pixel", o.scene.modelPixelMetres, "A CaSSIS image: the model's training pixel in metres (default 18, CRISM MTRDR)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--psf-mtf", o.scene.psfMtfAtNyquist,
                    "A CaSSIS image: the MTF the PSF between the grids leaves at the model grid's Nyquist frequency (default 0.3; sets its sigma)")
        ->check(CLI::Range(0.01, 0.99));
    cmd->add_flag("--no-rescale", [&o](std::int64_t) { o.scene.rescale = false; },
                  "A CaSSIS image: predict on its own pixels as they are (no PSF, no resampling to the model's pixel, no fusion)");
    cmd->add_flag("--match-training", o.scene.matchTrainingStatistics,
                  "A CaSSIS image: bring its model-input bands, at the model's scale, to the training inputs' mean by one gain per band (no CRISM "
                  "overlap needed; keeps the scene's contrast, removes its own brightness difference too)");
    cmd->add_option("--pixel-size", o.scene.imagePixelMetres, "A CaSSIS image: its pixel in metres when its CRS does not say (CaSSIS: 4.6)")
        ->check(CLI::PositiveNumber);
}

void writePredictionGeoTiff(const std::string& path, const ml::ScenePrediction& prediction, const SpectralCube& cube, const ml::Predictor& predictor,
                            const PredictionSettings& settings) {
    const ml::SamplingOptions& sampling = settings.scene.sampling;
    std::map<std::string, std::string> meta{{"JEZERO_PRODUCT", "model prediction"},
                                            {"JEZERO_SOURCE_SCENE", cube.metadata().productId},
                                            {"JEZERO_SOURCE_PATH", cube.metadata().sourcePath},
                                            {"JEZERO_MODEL", resolveModel(settings.model)},
                                            {"JEZERO_MODEL_SUMMARY", predictor.summary()},
                                            {"JEZERO_MODEL_CONFIG", nlohmann::json::parse(predictor.configJson()).dump()},
                                            {"JEZERO_INPUT", predictor.inputKind()},
                                            {"JEZERO_TARGET", predictor.target()},
                                            {"JEZERO_TILE", std::to_string(predictor.tile())},
                                            {"JEZERO_OVERLAP", std::to_string(prediction.overlap)}};
    if (predictor.stochastic()) {
        meta["JEZERO_SAMPLES"] = std::to_string(sampling.samples);
        meta["JEZERO_STEPS"] = std::to_string(sampling.steps);
        meta["JEZERO_SAMPLER"] = sampling.sampler;
        meta["JEZERO_IMAGE_GUIDANCE"] = std::to_string(sampling.imageGuidance);
        meta["JEZERO_METADATA_GUIDANCE"] = std::to_string(sampling.metadataGuidance);
        meta["JEZERO_SEED"] = std::to_string(sampling.seed);
    }
    if (predictor.usesMetadata()) meta["JEZERO_LOCATION"] = prediction.location;
    if (prediction.carbonateChannel >= 0) meta["JEZERO_CARBONATE_THRESHOLD"] = std::to_string(prediction.threshold);
    if (!prediction.noiseSigma.empty()) meta["JEZERO_FILTER_IMAGE"] = filterImageReport(prediction).dump();
    if (!prediction.fusion.empty()) {
        meta["JEZERO_FUSION"] = prediction.fusion;
        meta["JEZERO_SCALE_FACTOR"] = std::to_string(prediction.scaleFactor);
        meta["JEZERO_PSF_SIGMA_PX"] = std::to_string(prediction.psfSigma);
        if (settings.scene.fusionModel) {
            meta["JEZERO_FUSION_MODEL"] = resolveModel(settings.fusionModel);
            meta["JEZERO_FUSION_MODEL_SUMMARY"] = settings.scene.fusionModel->summary();
            if (settings.scene.fusionModel->stochastic()) {
                const ml::SamplingOptions& f = settings.scene.fusionSampling;
                meta["JEZERO_FUSION_SAMPLING"] = nlohmann::json{{"samples", f.samples}, {"steps", f.steps}, {"sampler", f.sampler}, {"seed", f.seed}}.dump();
            }
        }
    }
    // Beside a filter image's prediction, written first so that the main file (what batch-predict's
    // resume looks for) comes last: the prediction at the model's scale before fusion, and the model's
    // input as the harmonisation made it, each on the model's grid. Older ones are removed when there is
    // none, never shown as this prediction's.
    SceneMetadata modelGrid = cube.metadata();
    if (modelGrid.geoTransform && prediction.scaleFactor > 1) {
        auto& gt = *modelGrid.geoTransform;
        for (int i : {1, 2, 4, 5}) gt[i] *= prediction.scaleFactor;
    }
    const auto removeQuietly = [](const std::string& file) {
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
    };
    const auto writeBeside = [&](const std::string& sidecar, bool present, const ImageStack& image, const std::string& product) {
        if (!present) return removeQuietly(sidecar);
        std::map<std::string, std::string> sidecarMeta = meta;
        sidecarMeta["JEZERO_PRODUCT"] = product;
        io::writeGeoTiff(sidecar, image, modelGrid, sidecarMeta);
    };
    writeBeside(modelScalePredictionPath(path), prediction.scaleFactor > 1 && prediction.coarse.width > 0, prediction.coarse,
                "model prediction at the model's scale, before fusion");
    writeBeside(modelInputPath(path), !prediction.noiseSigma.empty() && prediction.modelInput.width > 0, prediction.modelInput,
                "model input as the network was given it (after calibration, PSF, resampling and training match)");
    try {
        io::writeGeoTiff(path, prediction.image, cube.metadata(), meta);
    } catch (...) {
        // Never this prediction's sidecars beside an older main file.
        for (const std::string& sidecar : {modelScalePredictionPath(path), modelInputPath(path)}) removeQuietly(sidecar);
        throw;
    }
}

nlohmann::json modelCard(const std::string& checkpoint) {
    const std::filesystem::path card = std::filesystem::path(checkpoint).replace_extension(".card.json");
    std::ifstream in(card);
    if (!in) return nullptr;
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("skill") || !j.contains("intended_use"))
        throw Error("the model card " + card.string() + " is not JSON with \"skill\" and \"intended_use\"");
    return j;
}

std::unique_ptr<ml::Predictor> loadFusionModel(const PredictionSettings& settings, ml::ScenePredictionOptions& options) {
    if (options.fusion != FusionMethod::Learned) return nullptr;
    auto model = std::make_unique<ml::Predictor>(ml::Predictor::load(resolveModel(settings.fusionModel), settings.device));
    ml::requireFusionModel(*model);
    options.fusionModel = model.get();
    options.fusionSampling.seed = options.sampling.seed;
    return model;
}

nlohmann::json filterImageReport(const ml::ScenePrediction& prediction) {
    nlohmann::json noise = nlohmann::json::object(), calibration = nlohmann::json::array();
    for (std::size_t i = 0; i < prediction.noiseSigma.size() && i < prediction.filterNames.size(); ++i)
        noise[prediction.filterNames[i]] = std::isfinite(prediction.noiseSigma[i]) ? nlohmann::json(prediction.noiseSigma[i]) : nlohmann::json(nullptr);
    for (const BandFit& f : prediction.calibration)
        calibration.push_back({{"band", f.band}, {"gain", f.gain}, {"offset", f.offset}, {"pixels", f.pixels}, {"r2", f.r2}});
    nlohmann::json matched = nlohmann::json::array();
    for (const BandFit& f : prediction.trainingMatch) matched.push_back({{"band", f.band}, {"gain", f.gain}, {"offset", f.offset}, {"pixels", f.pixels}});
    return {{"filters", prediction.filterNames}, {"noise_sigma", noise}, {"calibration", calibration}, {"training_match", matched},
            {"training_match_units", prediction.trainingMatchUnits.empty() ? nlohmann::json(nullptr) : nlohmann::json(prediction.trainingMatchUnits)}};
}

} // namespace jezero::cli
