#pragma once
// Synthetic scenes on disk: the files `jezero-cli synth` writes for one scene, and the workstation's
// sample scene (what a first start shows) made from them.
#include "jezero/core/SceneSynthesizer.h"

#include <string>

namespace jezero {
class SummaryParameters;
class TaskControl;
} // namespace jezero

namespace jezero::io {

// Writes scene into dir as <name>_if_mtr3.img (observed I/F), <name>_su_mtr3.img and
// <name>_su_clean_mtr3.img (summary parameters of the observed and the noise-free cube), <name>_abundance.img,
// <name>_units.img (ENVI) and <name>.json (region, carbonate, signatures, file names; SceneCatalog
// reads it). parameters must be bound to the scene's wavelengths. Returns the I/F cube's path.
std::string writeSyntheticScene(const SyntheticScene& scene, const SummaryParameters& parameters, const std::string& dir);

// The sample scene: a 256 × 256 synthetic MTRDR-like scene of Jezero crater carrying Mg-carbonate in
// its fractured olivine unit (the first such scene of a fixed seed, so every installation shows the
// same ground), with its truth beside it.
struct SampleScene {
    std::string path;            // the I/F cube (.img)
    int pixelX = -1, pixelY = -1; // a pixel of the carbonate-richest 5 × 5 patch: a spectrum worth showing first
    std::string description;     // "Jezero crater (synthetic), carbonate-bearing (MICA mg_carbonate)"
};

// The sample in dir (made there first when absent, ~3 s; written into a temporary folder that then
// takes its name, so a half-made sample is never seen). Throws Error; Canceled through control.
SampleScene ensureSampleScene(const std::string& dir, TaskControl* control = nullptr);

} // namespace jezero::io
