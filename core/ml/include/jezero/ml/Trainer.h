#pragma once
// Trains a model on a built dataset. Runs inline (the CLI) or on a worker thread; reports progress,
// honours cancellation by saving the latest checkpoint first. Checkpoints (RUN_DIR/latest.pt after
// every epoch and on cancel, RUN_DIR/best.pt when validation improves) are written atomically and hold
// the weights (and a diffusion model's EMA weights and embedded regression model), the config, the
// normalisation statistics, the format version and the exact position (epoch, batch); latest.pt also
// holds the optimizer, so a resumed run continues the same curve.
#include "jezero/core/TrainingConfig.h"
#include "jezero/ml/Distributed.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace jezero {
class TaskControl;
}

namespace jezero::ml {

struct TrainingProgress {
    std::string event;     // "step", "epoch" or "canceled"
    int epoch = 0;         // 1-based
    long step = 0;         // optimizer steps so far
    double loss = 0;       // mean training loss of the epoch so far (normalised units)
    double valLoss = -1;   // epoch events: validation loss (normalised units), -1 when no val split
    double valRmse = -1;   // epoch events: validation RMSE in target units (mean over channels)
    double imagesPerSecond = 0;
    double etaSeconds = 0;
    double learningRate = 0;
    // Data-parallel runs, epoch events: each rank's weights digest (hex), by rank — all equal, or the
    // run stops with an error. Empty for a single process.
    std::vector<std::string> weightDigests{};
};

class Trainer {
public:
    // Prepares a run in runDirectory (created); with resume, continues from its latest.pt with the
    // config saved there (config is ignored) — or, with keepGivenConfig, with config (e.g. more epochs;
    // the network's shape and the dataset's channels must stay). With a distributed setup this process
    // is one rank of a data-parallel run: every rank constructs its Trainer with the same arguments;
    // the config's batch is the global batch, split across the ranks; gradients are summed over the
    // ranks every step; only rank 0 writes checkpoints and the log and reports progress; a cancel on
    // any rank stops them all at the same step. Throws Error.
    Trainer(TrainingConfig config, std::string runDirectory, bool resume, bool keepGivenConfig = false, const DistributedSetup& distributed = {});
    // The config the run in runDirectory was trained with (its latest.pt). Throws Error.
    static TrainingConfig savedConfig(const std::string& runDirectory);
    ~Trainer();
    // Trains to the last epoch, or until control is canceled (then saves latest.pt and returns).
    void run(TaskControl& control, const std::function<void(const TrainingProgress&)>& onProgress);
    std::string device() const;
    // Whether the dataset has validation tiles (without them best.pt is simply the last epoch).
    bool hasValidation() const;
    std::string modelSummary() const; // kind, size and parameter count
    int rank() const;
    int ranks() const;
    std::string backend() const; // the ranks' c10d backend ("gloo", "nccl"); empty for a single process
    // Bytes this rank has sent (= received) in gradient all-reduces so far; 0 for a single process.
    double bytesCommunicated() const;

private:
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

} // namespace jezero::ml
