#pragma once
// Private to the synthesizer: the geologic units of a scene and the mineral abundances in them.
#include "SyntheticFields.h"
#include "jezero/core/SceneSynthesizer.h"

#include <string>
#include <vector>

namespace jezero::synth {

struct SceneGeology {
    std::vector<Field> abundance;  // per mineral of SynthesisInputs::minerals, in [0, 1]
    std::vector<int> unit;         // per pixel, the unit index
    Field tone;                    // per pixel, the brightness factor of the ground (units, fractures)
    std::vector<std::string> unitDescriptions;
};

// 2–4 units shaped by real maps, layers or noise, each dominated by one of the region's minerals;
// the first is the carbonate host's unit when the region has one (always when the scene carries
// carbonate, usually otherwise); carbonate only in that unit and only when hasCarbonate.
SceneGeology layOutGeology(const SynthesisInputs& inputs, const GeologicRegion& region, bool hasCarbonate, int size, Rng& rng);

} // namespace jezero::synth
