#pragma once
// Private (includes LibTorch): the checkpoint file. One torch archive holding the model weights, the
// optimizer, the run's config (JSON), the normalisation statistics, the position and a format version.
#include "UNet.h"
#include "jezero/ml/TrainingConfig.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace jezero::ml::detail {

constexpr int kCheckpointFormat = 1;

struct Normalisation {
    std::vector<double> inputMean, inputStd, targetMean, targetStd;
};

struct Position {
    int epoch = 0;           // epochs completed
    long batch = 0;          // batches done in the next epoch (resume mid-epoch)
    long step = 0;           // optimizer steps so far
    double bestValLoss = 1e300;
};

// Writes atomically (temporary file, then rename). Throws Error.
void saveCheckpoint(const std::string& path, UNet& model, torch::optim::Adam* optimizer, const std::string& configJson,
                    const Normalisation& normalisation, const Position& position, int tile, const std::vector<std::string>& inputChannels, const std::vector<std::string>& targetChannels);

struct LoadedCheckpoint {
    TrainingConfig config;
    std::string configJson;
    Normalisation normalisation;
    Position position;
    int tile = 0;
    std::vector<std::string> inputChannels, targetChannels;
};
// Reads everything but the weights and optimizer; throws Error for a file that is not a Jezero checkpoint.
LoadedCheckpoint readCheckpoint(const std::string& path);
// Loads weights (and the optimizer state when given) into existing objects.
void loadCheckpointState(const std::string& path, UNet& model, torch::optim::Adam* optimizer);

UNet makeModel(const TrainingConfig& config, int inputChannels, int outputChannels);

} // namespace jezero::ml::detail
