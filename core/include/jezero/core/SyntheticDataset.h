#pragma once
// Training data at scale: scenes synthesised straight into a dataset, tile by tile, without keeping
// the cubes (a 256 × 256 scene is 128 MB of I/F; its tiles a few MB). Splits are assigned before any
// scene is rendered (sceneIdentity is cheap), stratified by carbonate as assignSplits does.
#include "jezero/core/Dataset.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/SceneSynthesizer.h"

#include <functional>
#include <string>
#include <vector>

namespace jezero {

class TaskControl;

// One dataset written from the scenes: its folder, model input and target.
struct SyntheticDatasetOutput {
    std::string directory;
    std::string input = "pnr";  // pnr, 4band, pca, rect
    std::string target = "fal"; // fal, car, carbonate, or three parameter names
};

struct SyntheticDatasetOptions {
    SynthesisOptions synthesis;       // size, seed, carbonate fraction
    int count = 300;                  // scenes
    std::vector<SyntheticDatasetOutput> outputs; // each scene is rendered once and tiled into every one
    RectangularRanges ranges;         // rect only
    std::string targetSource = "observed"; // observed (noisy cube, as an MTRDR SU product) or clean (noise-free cube)
    int smoothing = 0;                // targets averaged over this many pixels square; 0: none
    int tile = 128;
    int cropsPerScene = 0;            // random crops per scene; 0: the regular grid
    std::string splitBy = "scene";    // scene or region
    bool allowEmptySplits = false;    // accept a val or test split without scenes (requireHeldOutSplits)
};

// Writes the datasets (whose folders must not hold one); all share scenes, splits and tile positions.
// log gets one line per scene. Throws Error for bad options; TaskCanceled when control is canceled
// (the folders then hold no dataset).
void buildSyntheticDataset(const SynthesisInputs& inputs, const SyntheticDatasetOptions& options,
                           const std::function<void(const std::string&)>& log = {}, TaskControl* control = nullptr);

} // namespace jezero
