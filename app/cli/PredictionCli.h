#pragma once
// What predict and batch-predict share: the model and sampling options, and the GeoTIFF they write
// for a scene (the prediction's bands, the scene's CRS and geotransform, and as metadata what made it).
#include "jezero/ml/Predictor.h"
#include "jezero/ml/ScenePrediction.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace jezero {
class SpectralCube;
}

namespace jezero::cli {

struct PredictionSettings {
    std::string model, device = "auto";
    ml::ScenePredictionOptions scene; // sampling, location, overlap, threshold
    std::string calibrationReference; // predict (its --calibrate-with): a CRISM scene a CaSSIS image is calibrated against
    std::string fusionModel = "fusion"; // --fuse sr: the learned fusion's checkpoint (or the shipped name)
};

// --fuse sr: the fusion model loaded and set in options (which then point into the returned holder);
// null otherwise. Throws Error for a checkpoint that is not a fusion model.
std::unique_ptr<ml::Predictor> loadFusionModel(const PredictionSettings& settings, ml::ScenePredictionOptions& options);

// The model card beside a checkpoint (NAME.card.json next to NAME.pt): what the model can and cannot
// do, in the words of whoever evaluated it, and optionally "overlay_threshold" (the probability above
// which the workstation's overlay marks pixels by default). Null when there is none; an unreadable card
// is an error.
nlohmann::json modelCard(const std::string& checkpoint);

// What a filter image's prediction found out about it, for the JSON line: noise per filter, fitted lines.
nlohmann::json filterImageReport(const ml::ScenePrediction& prediction);

// --model, --device, the diffusion sampling options, --location, --overlap and --threshold.
void addPredictionOptions(CLI::App* cmd, PredictionSettings& settings);

// Also, for a filter image, the model-scale prediction and the harmonised model input beside it
// (core/Comparison modelScalePredictionPath, modelInputPath). settings.scene.fusionModel, when set, is
// recorded with its sampling.
void writePredictionGeoTiff(const std::string& path, const ml::ScenePrediction& prediction, const SpectralCube& cube, const ml::Predictor& predictor,
                            const PredictionSettings& settings);

} // namespace jezero::cli
