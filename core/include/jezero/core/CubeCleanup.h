#pragma once
// CRISM clean-up before parameters, each step optional and reporting what it changed:
//
// Spike removal — each pixel's spectrum divided by the median spectrum of its 3 × 3 neighbourhood (so what
// the neighbours share — the atmosphere's narrow CO₂ bands, the unit's mineral bands — cancels), over the
// good, valid channels (BadBands): one channel of that ratio lying off the line between its two neighbours,
// or two adjacent channels off the line between the channels either side (the same way), by more than
// `threshold` × that channel's noise (the median second difference of the ratio there, over the scene) and
// `relativeFloor` of its
// level, while those neighbours agree with each other (differ by less than a third of the excursion), is put
// back on that line (times the neighbourhood's value). Detector spikes and cosmic-ray hits are such
// excursions; a band the pixel shares with its neighbours is not. The first and last valid channels are not
// tested, nor a spike that most of the 3 × 3 neighbours share at the same channel (a bad detector element
// along a column: that is a stripe).
//
// Column destriping — per good band, the column-median ratio CRISM users apply to TRR3: each column's
// median over all rows, divided by the running median of those medians over `smoothingColumns` columns
// (the scene's own across-track structure; of the windows ending at, centred on and starting at the
// column, the one whose medians spread least, so a unit's edge is not taken for a stripe), is that
// detector column's gain; the column is divided by it.
// Meant for cubes in sensor geometry (TRR3): in a map-projected cube the columns are not detector columns.
#include "jezero/core/BadBands.h"
#include "jezero/core/SpectralCube.h"

#include <cstddef>
#include <string>
#include <vector>

namespace jezero {

class TaskControl;

struct SpikeRemovalOptions {
    double threshold = 6.0;      // robust standard deviations of the noise
    double relativeFloor = 0.05; // and at least this fraction of the local level
};

struct SpikeRemovalReport {
    std::size_t valuesReplaced = 0;
    std::size_t pixelsTouched = 0;
    std::vector<std::size_t> perBand; // replacements per channel
    std::string summary() const;
};

SpikeRemovalReport removeSpikes(SpectralCube& cube, const BadBands& badBands, const SpikeRemovalOptions& options = {},
                                TaskControl* control = nullptr);

struct DestripeOptions {
    int smoothingColumns = 31; // odd; the running median's window across columns
};

struct DestripeReport {
    int bandsCorrected = 0;
    // Per channel: the column gains divided out (1 where the band was left alone), width values each.
    std::vector<std::vector<float>> gains;
    double meanAbsoluteCorrection = 0; // mean |gain − 1| over corrected bands and columns
    double largestCorrection = 0;      // max |gain − 1|
    std::string summary() const;
};

DestripeReport destripeColumns(SpectralCube& cube, const BadBands& badBands, const DestripeOptions& options = {},
                               TaskControl* control = nullptr);

// The steps a user chose, as the CLI's --despike/--destripe and the workstation's Scene menu offer them.
struct CleanupChoice {
    bool removeSpikes = false;
    bool destripe = false;
    bool any() const { return removeSpikes || destripe; }
    bool operator==(const CleanupChoice& other) const { return removeSpikes == other.removeSpikes && destripe == other.destripe; }
    bool operator!=(const CleanupChoice& other) const { return !(*this == other); }
};

// Runs the chosen steps on a scene with its own bad bands (BadBands::forScene), spikes first (a spike
// would otherwise pull its column's median); one summary line per step. Destriping is skipped, and the
// line says so, for a map-projected scene (a CRS and geotransform: MTRDR, synthetic scenes). Throws Error
// for a filter image (CaSSIS: four channels, nothing to clean this way).
std::vector<std::string> cleanScene(SpectralCube& cube, const CleanupChoice& choice, TaskControl* control = nullptr);

} // namespace jezero
