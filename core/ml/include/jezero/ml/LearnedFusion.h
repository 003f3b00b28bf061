#pragma once
// The learned fusion (--fuse sr, issue 16): a network trained on synthetic pairs (core/FusionDataset;
// SR3-style when it is a diffusion model: Saharia et al. 2021, "Image Super-Resolution via Iterative
// Refinement") brings a prediction made at the model's scale to the filter image's grid, one channel at
// a time, from what core/ScaleFusion learnedFusionInput gives it: the channel upsampled and
// standardised, and the image's four filter bands. A diffusion model's ensemble mean is the fused value.
#include "jezero/core/ImageStack.h"
#include "jezero/ml/Predictor.h"

namespace jezero {
class TaskControl;
}

namespace jezero::ml {

// Throws Error unless the model was trained on a fusion dataset (input fusion, target DETAIL).
void requireFusionModel(const Predictor& model);

// coarse: the prediction on the model's grid; fineBands: the filter image's bands (BLU, PAN, RED, NIR)
// on its own grid; factor: coarse pixel / fine pixel. Every channel is fused by the network except an
// ensemble's spread ("… std", upsampled bicubically: a spread is not a field with detail) and a
// constant channel (or one with fewer than 2 valid pixels); where a filter band has no data the
// bicubic value stays. sampling: the fusion model's (a diffusion model), its seed mixed with each tile's
// origin and channel. Throws Error; TaskCanceled.
ImageStack fuseLearned(const Predictor& model, const ImageStack& coarse, const ImageStack& fineBands, double factor, const SamplingOptions& sampling,
                       TaskControl* control = nullptr);

} // namespace jezero::ml
