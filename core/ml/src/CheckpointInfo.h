#pragma once
// Private, torch-free: what a checkpoint says besides its weights (its run's config, what the model
// maps, the normalisation statistics, the position), and the check that turns the archive's stored
// records into it. Torch-free so the check is fuzzed on its own (tests/fuzz).
#include "jezero/core/TrainingConfig.h"

#include <string>
#include <vector>

namespace jezero::ml::detail {

// The run's train-split statistics: the network works in standardised units.
struct Normalisation {
    std::vector<double> inputMean, inputStd, targetMean, targetStd;
};

struct Position {
    int epoch = 0;           // epochs completed
    long batch = 0;          // batches done in the next epoch (resume mid-epoch)
    long step = 0;           // optimizer steps so far
    double bestValLoss = 1e300;
};

struct ModelShape;

struct CheckpointInfo {
    TrainingConfig config;
    std::string configJson;
    Normalisation normalisation;
    Position position;
    int tile = 0;
    std::string inputKind, target; // as the dataset names them (pnr, 4band, …; fal, car, …)
    std::vector<std::string> inputChannels, targetChannels, locations;
    double fusionFactor = 0; // a learned fusion model: the coarse / fine pixel of its pairs (0: not one, or not recorded)

    ModelShape shape() const;
};

// The metadata entries as a checkpoint stores them, before they are believed: lists of names are
// one name per line.
struct CheckpointRecords {
    std::string configJson, inputKind, target, inputChannels, targetChannels, locations;
    Normalisation normalisation;
    long long tile = 0, epoch = 0, batch = 0, step = 0;
    double bestValLoss = 0;
    double fusionFactor = 0; // absent in checkpoints written before it was recorded
};

// Parses the records and checks that they agree with each other and with the config (channel counts
// and statistics, finite positive spreads, a tile the network's depth divides, a position ≥ 0), so a
// checkpoint whose metadata was damaged or made up is refused here, not used out of bounds later.
// Throws Error("cannot read checkpoint PATH: why").
CheckpointInfo checkpointInfoFrom(const CheckpointRecords& records, const std::string& path);

// What a tile's side must divide by for the config's network: 32 for resnet34 (its encoder halves five
// times), 2^(depth − 1) for unet and diffusion.
int tileDivisor(const TrainingConfig& config);

// Names one per line, as the records store them.
std::string joinedLines(const std::vector<std::string>& names);

} // namespace jezero::ml::detail
