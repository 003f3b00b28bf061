#pragma once
// The collectives a data-parallel Trainer needs, over LibTorch's c10d process group (NCCL or Gloo). A
// single-process communicator does nothing and costs nothing, so the Trainer has one code path.
#include "jezero/ml/Distributed.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace jezero::ml::detail {

class Communicator {
public:
    // Meets the other ranks at setup.rendezvous (blocks until all have come, at most timeoutSeconds);
    // they agree on the backend (setup.backend; auto: NCCL when every rank trains on a GPU of its own —
    // device is this rank's — else Gloo). Throws Error when they do not come, the meeting point cannot
    // be used or the backend asked for cannot serve every rank.
    static std::unique_ptr<Communicator> connect(const DistributedSetup& setup, const torch::Device& device, int timeoutSeconds = 600);
    virtual ~Communicator() = default;

    virtual int rank() const { return 0; }
    virtual int size() const { return 1; }
    bool leader() const { return rank() == 0; }
    virtual std::string backend() const { return ""; } // "gloo", "nccl"; empty for a single process

    // Sums the tensors over all ranks, in place, in buckets of at most bucketBytes (one collective per
    // bucket instead of one per tensor). Tensors must be contiguous; CPU tensors are fine with NCCL too
    // (they travel to the GPU and back).
    virtual void sum(std::vector<torch::Tensor>& tensors) { (void)tensors; }
    // Overwrites the tensors with rank 0's.
    virtual void broadcast(std::vector<torch::Tensor>& tensors) { (void)tensors; }
    // Whether any rank says yes (every rank then agrees).
    virtual bool any(bool mine) { return mine; }
    // Every rank's value, by rank.
    virtual std::vector<std::int64_t> gather(std::int64_t mine) { return {mine}; }
    // Bytes one rank sent and received in sum() so far (the ring all-reduce moves 2(N−1)/N of the data each way).
    virtual double bytesReduced() const { return 0; }

    static constexpr std::size_t bucketBytes = 25u << 20; // PyTorch DDP's default bucket size
};

} // namespace jezero::ml::detail
