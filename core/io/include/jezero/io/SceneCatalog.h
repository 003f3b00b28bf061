#pragma once
// The scenes of a folder as the dataset builder and the scene library see them: synthetic runs
// (synth.json with one sidecar per scene) or real CRISM files (MTRDR I/F, TRR3 VNIR+IR pairs), each
// with its parameter product and place when known; and the ground truth a scene gives a model.
#include "jezero/core/Dataset.h"
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace jezero::io {

struct CatalogScene {
    std::string name, region = "unknown";
    std::string ifPath;        // what readScene opens
    std::string suPath;        // summary-parameter product (MTRDR SR/SU, synthetic su), empty if none
    std::string cleanSuPath;   // synthetic scenes' parameters of the noise-free cube, empty if none
    std::string abundancePath; // synthetic scenes' true mineral abundances, empty if none
    double latitude = std::nan(""), longitude = std::nan("");
    bool carbonateKnown = false;   // synthetic scenes know whether they hold carbonate
    bool carbonateBearing = false;
};

// Throws Error when dir is missing, synth.json or a sidecar is not JSON, or no scene is found.
std::vector<CatalogScene> discoverScenes(const std::string& dir);

// The catalog entry of the folder holding scenePath whose I/F file is scenePath (or, for a TRR3 pair,
// its partner); empty when the folder has no catalog or no entry for it. Never throws.
std::optional<CatalogScene> catalogEntry(const std::string& scenePath);

// The target channels of a scene. source "observed": from its summary-parameter product when that has
// them all on the scene's grid, else computed from the cube (NaN where the cube lacks the
// wavelengths); "clean": from the parameters of the noise-free cube (synthetic scenes only; Error
// otherwise). The target "carbonate" is the carbonate label (labelAsTarget): the one given, when the
// caller has already made it with carbonateLabel, else made here.
ImageStack sceneTargets(const CatalogScene& scene, const SpectralCube& cube, const TargetSpec& target, const std::string& source = "observed",
                        const std::vector<std::uint8_t>* label = nullptr);

// The carbonate label per pixel (kLabelCarbonate, kLabelNone, kLabelNoData): for synthetic scenes the
// true abundance above kCarbonateLabelAbundance; else from the summary parameters averaged over 3 × 3
// pixels — Mg carbonate (MIN2295_2480 > 0.01 and BD2500_2 > 0.01) or Ca/Fe carbonate
// (MIN2345_2537 > 0.01); no data where those parameters are NaN.
std::vector<std::uint8_t> carbonateLabel(const CatalogScene& scene, const SpectralCube& cube);

// The rule carbonateLabel applies to this scene, in words (for dataset manifests and reports).
std::string carbonateLabelRule(const CatalogScene& scene);

} // namespace jezero::io
