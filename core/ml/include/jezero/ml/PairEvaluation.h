#pragma once
// Predicting on a CaSSIS image, scored where CaSSIS sees (issue 16): synthetic pairs (core/SyntheticPairs:
// one ground as CaSSIS sees it at 4.6 m and as CRISM sees it at 18 m, the truth at 4.6 m) through the
// whole chain of predictScene — the CaSSIS view degraded to the model's scale, predicted, fused back to
// 4.6 m by each method — and scored against the 4.6 m truth: the carbonate model's average precision
// against the carbonate label (pooled over the scenes' pixels), the FAL model's RMSE, ERGAS, SAM, SSIM
// and PSNR against the noise-free FAL parameters (mean over scenes). Bicubic upsampling of the 18 m
// prediction is the bar every fusion must beat. The harmonisation check: the CaSSIS view miscalibrated
// (×1.1 + 0.01 in every filter) predicted as it is, and calibrated against the CRISM view (core/
// Harmonisation), beside the true view — calibration must bring it back.
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SyntheticPairs.h"
#include "jezero/ml/Predictor.h"
#include "jezero/ml/ScenePrediction.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jezero {
class TaskControl;
}

namespace jezero::ml {

struct PairEvaluationOptions {
    int count = 4;                  // pairs
    int size = 384;                 // the fine grid (pixels of finePixelMetres)
    std::uint64_t seed = 11;
    double carbonateFraction = 0.5;
    PairOptions pair;
    std::vector<FusionMethod> methods{FusionMethod::Bicubic, FusionMethod::Guided, FusionMethod::HighPass, FusionMethod::GramSchmidt};
    SamplingOptions sampling;       // diffusion models
    const Predictor* fusionModel = nullptr; // FusionMethod::Learned (sr): the fusion network
    SamplingOptions fusionSampling = ScenePredictionOptions{}.fusionSampling;
    bool harmonisation = true;
};

struct PairMethodScore {
    std::string method;
    double carbonateAp = 0; // NaN without a carbonate model or a labelled positive
    FusionScore fal;        // zeros without a FAL model
};

struct HarmonisationCheck {
    std::string method;                                     // the fusion used (the first of options.methods)
    double apTrue = 0, apMiscalibrated = 0, apCalibrated = 0; // carbonate AP at 4.6 m
    double falRmseTrue = 0, falRmseMiscalibrated = 0, falRmseCalibrated = 0;
    double meanGain = 0, meanOffset = 0;                    // the fitted lines, averaged over filters and scenes
};

struct PairEvaluation {
    std::vector<std::string> scenes;
    int carbonateScenes = 0;
    std::size_t labelledPixels = 0;
    double baseRate = 0;   // carbonate-labelled share of the 4.6 m pixels
    double factor = 0;     // coarse / fine pixel
    std::vector<PairMethodScore> methods;
    std::optional<HarmonisationCheck> harmonisation;
};

// carbonate and fal may each be null (not both). Throws Error; TaskCanceled when control is canceled.
PairEvaluation evaluateSyntheticPairs(const SynthesisInputs& inputs, const Predictor* carbonate, const Predictor* fal,
                                      const PairEvaluationOptions& options, TaskControl* control = nullptr);

} // namespace jezero::ml
