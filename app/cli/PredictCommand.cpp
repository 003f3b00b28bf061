// jezero-cli predict: a whole scene through a trained model, tile by tile with blended overlaps; a
// diffusion model's ensemble mean, standard deviation and carbonate exceedance probability. Written as a
// float32 GeoTIFF with the scene's CRS and geotransform, band descriptions and the settings as metadata.
#include "Commands.h"
#include "PredictionCli.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"
#include "jezero/io/SceneReader.h"
#include "jezero/ml/Predictor.h"
#include "jezero/ml/ScenePrediction.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

namespace jezero::cli {
namespace {

struct Options {
    std::string scene, out;
    PredictionSettings prediction;
    bool json = false;
};

void predict(const Options& o) {
    const std::string modelPath = resolveModel(o.prediction.model);
    const auto predictor = ml::Predictor::load(modelPath, o.prediction.device);
    // The card's suggested overlay threshold, for the workstation (a calibrated probability model whose
    // probabilities stay below the 0.5 detection threshold says where its map is worth reading).
    const nlohmann::json card = modelCard(modelPath);
    const nlohmann::json overlayThreshold = card.is_object() && card.contains("overlay_threshold") ? card["overlay_threshold"] : nlohmann::json(nullptr);
    const SpectralCube cube = io::readScene(o.scene);
    std::optional<SpectralCube> reference;
    ml::ScenePredictionOptions options = o.prediction.scene;
    const auto fusionModel = loadFusionModel(o.prediction, options);
    if (!o.prediction.calibrationReference.empty()) {
        if (!isFilterImage(cube.metadata())) throw Error("--calibrate-with is for CaSSIS images; " + o.scene + " is a spectrometer scene");
        reference = io::readScene(o.prediction.calibrationReference);
        if (!io::sameCrs(cube.metadata().crsWkt, reference->metadata().crsWkt))
            throw Error(o.prediction.calibrationReference + " is not in the CRS of " + o.scene + " (or one has none); reproject it first (e.g. gdalwarp)");
        options.calibrationReference = &*reference;
    }
    TaskControl control;
    int lastPercent = -1;
    control.setProgressCallback([&](double fraction, const std::string&) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent / 10 == lastPercent / 10) return;
        lastPercent = percent;
        if (o.json) std::cout << nlohmann::json{{"event", "progress"}, {"fraction", fraction}}.dump() << std::endl;
        else std::cerr << "predicting: " << percent << " %\n";
    });
    const ml::ScenePrediction prediction = ml::predictScene(predictor, cube, options, &control);
    for (const auto& warning : prediction.warnings) std::cerr << "warning: " << warning << '\n';
    PredictionSettings used = o.prediction;
    used.scene = options; // with the fusion model loaded
    writePredictionGeoTiff(o.out, prediction, cube, predictor, used);
    const ImageStack& result = prediction.image;
    const std::vector<std::string>& bands = result.channelNames;
    if (o.json) {
        std::cout << nlohmann::json{{"event", "done"},        {"out", o.out},
                                   {"bands", bands},         {"width", result.width},
                                   {"height", result.height}, {"input", predictor.inputKind()},
                                   {"target", predictor.target()}, {"threshold", prediction.threshold},
                                   {"location", predictor.usesMetadata() ? nlohmann::json(prediction.location) : nlohmann::json(nullptr)},
                                   {"fusion", prediction.fusion.empty() ? nlohmann::json(nullptr) : nlohmann::json(prediction.fusion)},
                                   {"scale_factor", prediction.scaleFactor},
                                   {"psf_sigma_px", prediction.psfSigma},
                                   {"filter_image", prediction.noiseSigma.empty() ? nlohmann::json(nullptr) : filterImageReport(prediction)},
                                   {"overlay_threshold", overlayThreshold}}
                         .dump()
                  << std::endl;
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
    cmd->add_option("scene", o->scene, "CRISM scene (TRR3 .lbl/.img, MTRDR, ENVI, GeoTIFF) or CaSSIS image (PDS4 .xml, GeoTIFF)")->required();
    cmd->add_option("--out", o->out, "Output GeoTIFF")->required();
    addPredictionOptions(cmd, o->prediction);
    // One image and the CRISM scene it overlaps (batch-predict has no such pairs).
    cmd->add_option("--calibrate-with", o->prediction.calibrationReference,
                    "A CaSSIS image: a CRISM scene overlapping it (same CRS); each filter band is fitted to the bands CRISM gives before predicting")
        ->excludes("--match-training");
    cmd->add_flag("--json", o->json, "Progress and result as JSON lines on stdout");
    return {{cmd, [o] {
                 requireTiff(o->out);
                 requireNotInput(o->out, o->scene);
                 predict(*o);
             }}};
}

} // namespace jezero::cli
