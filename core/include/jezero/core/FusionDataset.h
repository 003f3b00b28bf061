#pragma once
// Training data for the learned fusion (issue 16, SR3-style): synthetic pairs (core/SyntheticPairs)
// whose 4.6 m truth is taken to the model's scale through the PSF — what a perfect model would predict
// at 18 m — and set beside the CaSSIS view, so a network learns each channel's fine detail from the
// coarse channel and the filter bands (core/ScaleFusion learnedFusionInput). Each pair gives one
// training "scene" per truth channel: FAL's R2529, R1506 and R1080 of the noise-free ground, and, where
// the ground holds carbonate, the 0/1 carbonate label — whose coarse view is the carbonate fraction of
// each 18 m footprint, the shape of a carbonate-probability map. A dataset (core/Dataset) with input
// "fusion" (COARSE, BLU, PAN, RED, NIR) and target "detail" (DETAIL); a pair's channels all go to one
// split.
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SyntheticPairs.h"

#include <functional>
#include <string>

namespace jezero {

class TaskControl;

struct FusionDatasetOptions {
    std::string directory;
    SynthesisOptions synthesis; // size is the fine grid's; seed, carbonate fraction
    PairOptions pair;
    int count = 60;             // pairs
    int tile = 128;             // fine pixels
    int cropsPerScene = 0;      // random crops per channel; 0: the regular grid
    bool allowEmptySplits = false;
};

// Writes the dataset (the folder must not hold one); log gets one line per pair. Throws Error for bad
// options; TaskCanceled when control is canceled (the folder then holds no dataset).
void buildFusionDataset(const SynthesisInputs& inputs, const FusionDatasetOptions& options, const std::function<void(const std::string&)>& log = {},
                        TaskControl* control = nullptr);

} // namespace jezero
