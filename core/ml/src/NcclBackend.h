#pragma once
// LibTorch's NCCL process group, in a translation unit of its own: only a CUDA LibTorch built with NCCL
// has it (CMake defines JEZERO_HAVE_C10D_NCCL there), and only this file needs its CUDA headers.
#ifdef JEZERO_HAVE_C10D_NCCL
#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <string>

namespace jezero::ml::detail {

// A process group of `size` ranks meeting through store; this rank's collectives run on CUDA device gpu.
c10::intrusive_ptr<c10d::Backend> makeNcclBackend(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size, std::chrono::milliseconds timeout,
                                                  int gpu);
// The GPU's PCI address (domain:bus:device): the same GPU whatever CUDA_VISIBLE_DEVICES numbers it.
std::string gpuIdentity(int gpu);

} // namespace jezero::ml::detail
#endif
