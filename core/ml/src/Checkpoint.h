#pragma once
// Private (includes LibTorch): the checkpoint file. Its content is one torch archive holding the run's
// config (JSON), what the model maps (input kind and channels, target and channels, tile, known
// locations), the normalisation statistics, the position, the model's weights (and EMA weights and
// embedded regression model, for diffusion) and the optimizer state. Format 3 wraps that archive's
// bytes with their FNV-1a 64 hash, verified at every read, so a damaged file is refused instead of
// predicting from flipped weights; format 2 (the bare archive) is still read, unverified.
#include "CheckpointInfo.h"
#include "Model.h"
#include "jezero/core/TrainingConfig.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace jezero::ml::detail {

constexpr int kCheckpointFormat = 3;

// Serialises in memory, then writes atomically (temporary file, then rename): a full disk or a
// missing permission is an Error and the previous file stays as it was.
void saveCheckpoint(const std::string& path, Model& model, torch::optim::Adam* optimizer, const CheckpointInfo& info);
// Reads everything but the weights and optimizer; throws Error for a file that is not a Jezero checkpoint.
CheckpointInfo readCheckpoint(const std::string& path);
// Loads weights (and the optimizer state when given) into existing objects; non-finite weights are an Error.
void loadCheckpointState(const std::string& path, Model& model, torch::optim::Adam* optimizer);

// Normalisation statistics as archive entries (shared with the regression model a diffusion
// checkpoint embeds).
void writeNormalisation(torch::serialize::OutputArchive& archive, const Normalisation& normalisation);
Normalisation readNormalisation(torch::serialize::InputArchive& archive);
// LibTorch's messages span lines; ours are one.
std::string firstLine(const c10::Error& e);

} // namespace jezero::ml::detail
