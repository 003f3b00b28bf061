#pragma once
// A whole scene through a trained model: the model's input bands simulated from the cube, overlapping
// tiles blended (core/TiledPrediction), a diffusion model's ensemble mean, standard deviation and
// carbonate exceedance probability. The one way to predict a scene: jezero-cli predict (which the
// workstation runs as a child process), batch runs and tools/gpu-check call it.
#include "jezero/core/ImageStack.h"
#include "jezero/core/Harmonisation.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/ml/Predictor.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace jezero {
class SpectralCube;
class TaskControl;
} // namespace jezero

namespace jezero::ml {

struct ScenePredictionOptions {
    SamplingOptions sampling;   // diffusion; sampling.seed is the job's, each tile's seed derives from it and the tile's origin
    std::string location;       // a location name for metadata conditioning ("" = unknown)
    int overlap = -1;           // tile overlap in pixels; < 0: a quarter tile
    double threshold = std::numeric_limits<double>::quiet_NaN(); // carbonate threshold; NaN: defaultCarbonateThreshold
    int tilesPerBatch = 16;     // regression models: tiles per network pass
    // A filter image (CaSSIS) with pixels finer than the model's is predicted at the model's scale —
    // degraded through the PSF of core/ScaleFusion — and the prediction fused back to its own grid.
    // gs by default: ahead of guided and hpf on the synthetic pairs' 4.6 m truth, close behind hpf in Wald's protocol (README).
    FusionMethod fusion = FusionMethod::GramSchmidt;
    // FusionMethod::Learned: the fusion network (ml/LearnedFusion; must outlive the call) and its
    // sampling — a diffusion fusion model's ensemble is smaller and its sampler faster than a scene
    // model's by default, as it runs once per channel.
    const Predictor* fusionModel = nullptr;
    SamplingOptions fusionSampling{4, 10, "dpm", 1.0, 1.0, 0};
    double modelPixelMetres = 18.0; // the training data's pixel (CRISM MTRDR, nominally 18 m)
    // The scale step, switchable: off, a filter image is predicted on its own grid as it is (no PSF, no
    // resampling, no fusion); on, the PSF between the grids puts the MTF at the model grid's Nyquist
    // frequency at psfMtfAtNyquist (core/ScaleFusion psfSigmaForReduction).
    bool rescale = true;
    double psfMtfAtNyquist = 0.3;
    double imagePixelMetres = 0;    // 0: the image's geotransform (a projected CRS in metres), else CaSSIS's nominal 4.6 m
    // A filter image calibrated against an overlapping CRISM scene in the same CRS (core/Harmonisation;
    // the caller checks the CRS, e.g. with io::sameCrs) before anything else; null: as it is. The lines
    // are fitted at the reference's resolution (the image blurred through the PSF between the grids).
    // Must outlive the call.
    const SpectralCube* calibrationReference = nullptr;
    // A filter image's model-input bands brought, at the model's scale, to the training inputs' mean by
    // one gain on I/F per band (an offset in ln I/F for a log-input model; the scene's own contrast is
    // kept) — for an image with no overlapping CRISM scene. It also removes the scene's own brightness
    // difference from the training average: a harmonisation, not a calibration.
    bool matchTrainingStatistics = false;
};

struct ScenePrediction {
    ImageStack image;           // the target channels (a diffusion model: "<name> mean", then "<name> std"), then "P(<name> > t)" when there is a carbonate channel
    std::string location = "unknown"; // what the model was conditioned on
    std::vector<std::string> warnings; // said, never silently applied: an ignored or unknown location
    int overlap = 0;
    double threshold = 0;       // the exceedance band's threshold (when there is a carbonate channel)
    int carbonateChannel = -1;  // among the target channels, or -1
    // A filter image predicted at the model's scale: the coarse prediction, the factor between the
    // grids, the PSF σ (fine pixels) and the fusion that brought it back. Factor 1: predicted as it is.
    ImageStack coarse;
    double scaleFactor = 1;
    double psfSigma = 0;
    std::string fusion;
    // A filter image: its filters, each one's noise σ (Immerkær) and, when calibrated, the fitted lines.
    std::vector<std::string> filterNames;
    std::vector<double> noiseSigma;
    std::vector<BandFit> calibration;
    std::vector<BandFit> trainingMatch; // matchTrainingStatistics: per band, in the network's units…
    std::string trainingMatchUnits;     // …"ln I/F" (a log-input model: the gain on I/F is exp(offset)) or "I/F"
    // The model's input bands as the network was given them (I/F; before its log or normalisation): for
    // a filter image after calibration, the PSF, resampling to the model's grid and the training match —
    // what the harmonisation made of the image (jezero-cli predict writes it beside the prediction).
    ImageStack modelInput;
};

// The tile's seed: the job's seed mixed with the tile's origin (the same scene and seed give the same samples).
std::uint64_t tileSeed(std::uint64_t seed, int x, int y);

// The pixel size of a georeferenced scene in metres (a projected CRS in metres), else 0.
double pixelMetres(const SpectralCube& cube);

// Throws Error when the model takes input bands the cube cannot give; TaskCanceled when control is canceled.
ScenePrediction predictScene(const Predictor& predictor, const SpectralCube& cube, const ScenePredictionOptions& options,
                             TaskControl* control = nullptr);

} // namespace jezero::ml
