#include "NcclBackend.h"

#ifdef JEZERO_HAVE_C10D_NCCL
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include <cstdio>

namespace jezero::ml::detail {

c10::intrusive_ptr<c10d::Backend> makeNcclBackend(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size, std::chrono::milliseconds timeout,
                                                  int gpu) {
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(gpu)); // NCCL's communicator and streams live on this rank's GPU
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, options);
}

std::string gpuIdentity(int gpu) {
    const cudaDeviceProp* p = at::cuda::getDeviceProperties(static_cast<c10::DeviceIndex>(gpu));
    char id[32];
    std::snprintf(id, sizeof id, "%04x:%02x:%02x", static_cast<unsigned>(p->pciDomainID), static_cast<unsigned>(p->pciBusID),
                  static_cast<unsigned>(p->pciDeviceID));
    return id;
}

} // namespace jezero::ml::detail
#endif
