#pragma once
// Where one training process stands in a data-parallel run: its rank, how many ranks there are and
// where they meet. Ranks all-reduce their gradients through LibTorch's c10d — NCCL when every rank has
// a GPU of its own and the LibTorch has NCCL, else Gloo; the batch of the config is the global batch,
// split across the ranks, so a config trains the same curve with any number of ranks.
#include <string>
#include <vector>

namespace jezero::ml {

struct DistributedSetup {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0; // the rank among those on this machine: a GPU run takes CUDA device localRank
    // "tcp://HOST:PORT" (rank 0 serves the store there) or "file:PATH" (a file every rank can reach:
    // a local temporary file, or one on a shared file system). Empty for a single process.
    std::string rendezvous;
    int threadsPerRank = 0; // CPU threads of each rank when the config says 0 (auto); 0 = every core
    // The c10d backend: "auto" (NCCL when the LibTorch has it and every rank trains on a GPU no other
    // rank uses, else Gloo), "gloo" or "nccl" (an error where NCCL cannot serve every rank).
    std::string backend = "auto";

    bool distributed() const { return worldSize > 1; }
    // Whether this process joins a process group: several ranks, or one rank given a meeting point (a
    // group of one runs every collective through the backend: how a backend is checked on one GPU).
    bool grouped() const { return distributed() || !rendezvous.empty(); }

    // The setup of this process from its environment: JEZERO_RANK, JEZERO_WORLD_SIZE, JEZERO_RENDEZVOUS
    // (set by `jezero-cli train --nproc N` for its local ranks) and JEZERO_BACKEND, else a Slurm job step of several tasks
    // (srun: SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID, SLURM_CPUS_PER_TASK) meeting at rendezvous, or
    // JEZERO_RENDEZVOUS, or tcp://MASTER_ADDR:MASTER_PORT. A single process when none is set. Throws
    // Error for inconsistent values (a rank outside the world, a Slurm step without a meeting point).
    static DistributedSetup fromEnvironment(const std::string& rendezvous = {});
};

// What one rank offers a process group: whether its LibTorch has NCCL, its host and its GPU (empty: it
// trains on the CPU).
struct RankPlacement {
    bool ncclAvailable = false;
    std::string host;
    std::string gpu;
};

// The backend every rank uses, from what each offers (by rank) and what was asked for (auto, gloo,
// nccl): auto gives NCCL when every rank has it and a GPU no other rank of its host uses, else Gloo.
// Throws Error when nccl is asked for and cannot serve every rank (it allows one rank per GPU).
std::string chooseBackend(const std::vector<RankPlacement>& ranks, const std::string& requested);

} // namespace jezero::ml
