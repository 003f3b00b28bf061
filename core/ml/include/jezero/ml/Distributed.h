#pragma once
// Where one training process stands in a data-parallel run: its rank, how many ranks there are and
// where they meet. Ranks all-reduce their gradients through LibTorch's c10d (Gloo on the CPU); the
// batch of the config is the global batch, split across the ranks, so a config trains the same curve
// with any number of ranks.
#include <string>

namespace jezero::ml {

struct DistributedSetup {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0; // the rank among those on this machine: a GPU run takes CUDA device localRank
    // "tcp://HOST:PORT" (rank 0 serves the store there) or "file:PATH" (a file every rank can reach:
    // a local temporary file, or one on a shared file system). Empty for a single process.
    std::string rendezvous;
    int threadsPerRank = 0; // CPU threads of each rank when the config says 0 (auto); 0 = every core

    bool distributed() const { return worldSize > 1; }

    // The setup of this process from its environment: JEZERO_RANK, JEZERO_WORLD_SIZE, JEZERO_RENDEZVOUS
    // (set by `jezero-cli train --nproc N` for its local ranks), else a Slurm job step of several tasks
    // (srun: SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID, SLURM_CPUS_PER_TASK) meeting at rendezvous, or
    // JEZERO_RENDEZVOUS, or tcp://MASTER_ADDR:MASTER_PORT. A single process when none is set. Throws
    // Error for inconsistent values (a rank outside the world, a Slurm step without a meeting point).
    static DistributedSetup fromEnvironment(const std::string& rendezvous = {});
};

} // namespace jezero::ml
