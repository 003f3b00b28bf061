#pragma once
// A prediction beside its ground truth, as the comparison view and the evaluation report's panels
// show it: input | ground truth | prediction | |error| | uncertainty. Truth and prediction share one
// stretch (the truth's percentiles) so equal colours mean equal values; |error| and uncertainty are grey,
// black 0 and white at ≥ 50 % of the truth's displayed range, averaged over the target channels. A
// carbonate probability is the exception: its 0/1 label is drawn on 0–1 and the probability from 0 to
// its 99th percentile (at least kMinimumProbabilityScale; prediction.channels says the range), so
// that a calibrated model with weak skill still shows where it ranks carbonate higher.
#include "jezero/core/Composite.h"
#include "jezero/core/ImageStack.h"

#include <optional>
#include <string>
#include <vector>

namespace jezero {

constexpr double kMinimumProbabilityScale = 0.05;

struct ComparisonImages {
    CompositeImage input, truth, prediction, error, uncertainty; // truth/error fully transparent without truth
};

// truth and stddev may be null (a scene without the target's wavelengths; a deterministic model).
// Without truth the prediction is stretched by its own percentiles. truthIsPrediction: "truth" is
// another prediction (a CaSSIS image's at the model's scale), so a carbonate probability there is
// drawn on the prediction's range, not the 0–1 of a label. Throws Error when sizes differ.
ComparisonImages renderComparison(const ImageStack& input, const ImageStack* truth, const ImageStack& prediction,
                                  const ImageStack* stddev, const Stretch& stretch = {}, bool truthIsPrediction = false);

// The images left to right with gap white pixels between them (all must have the same height).
CompositeImage sideBySide(const std::vector<const CompositeImage*>& images, int gap);

// The bands of a prediction GeoTIFF (jezero-cli predict): "<ch> mean" and "<ch> std" of a diffusion
// ensemble, plain "<ch>" of a deterministic model, and "P(<ch> > t)" the carbonate exceedance.
struct PredictionLayers {
    ImageStack mean;                       // channels named without " mean"
    std::optional<ImageStack> stddev;      // channels named without " std"
    std::optional<ImageStack> probability; // one channel
    std::string probabilityName;           // "P(BD2500_2 > 0.01)"
};
// Throws Error when there is no prediction band, or std bands do not match the mean bands.
PredictionLayers splitPredictionBands(const ImageStack& bands);
// Whether a prediction band is an ensemble's spread ("<ch> std").
bool isSpreadBand(const std::string& name);
// Where jezero-cli predict writes, beside a filter image's (CaSSIS) prediction, the prediction made at
// the model's scale before it was fused back ("out.tif" → "out.model-scale.tif"; on its own grid).
std::string modelScalePredictionPath(const std::string& predictionPath);
// Where it writes, beside a filter image's prediction, the model's input bands as the network was given
// them — after the harmonisation (calibration, PSF, resampling, training match), on the model's grid
// ("out.tif" → "out.model-input.tif").
std::string modelInputPath(const std::string& predictionPath);
// The image on a grid `factor` times finer, each coarse pixel repeated (how the model's-scale prediction
// is shown beside the fused one), cropped or NaN-padded to width × height.
ImageStack repeatPixels(const ImageStack& coarse, double factor, int width, int height);

// Only the named channels of image, in that order; throws Error naming a missing one.
ImageStack selectChannels(const ImageStack& image, const std::vector<std::string>& names);

} // namespace jezero
