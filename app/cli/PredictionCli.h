#pragma once
// What predict and batch-predict share: the model and sampling options, and the GeoTIFF they write
// for a scene (the prediction's bands, the scene's CRS and geotransform, and as metadata what made it).
#include "jezero/ml/Predictor.h"
#include "jezero/ml/ScenePrediction.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace jezero {
class SpectralCube;
}

namespace jezero::cli {

struct PredictionSettings {
    std::string model, device = "auto";
    ml::ScenePredictionOptions scene; // sampling, location, overlap, threshold
    std::string calibrationReference; // predict: a CRISM scene a CaSSIS image is calibrated against
};

// What a filter image's prediction found out about it, for the JSON line: noise per filter, fitted lines.
nlohmann::json filterImageReport(const ml::ScenePrediction& prediction);

// --model, --device, the diffusion sampling options, --location, --overlap and --threshold.
void addPredictionOptions(CLI::App* cmd, PredictionSettings& settings);

void writePredictionGeoTiff(const std::string& path, const ml::ScenePrediction& prediction, const SpectralCube& cube, const ml::Predictor& predictor,
                            const std::string& modelPath, const ml::SamplingOptions& sampling);

} // namespace jezero::cli
