#include "jezero/ml/Lpips.h"

#include "Checkpoint.h"
#include "jezero/core/Error.h"

#include <torch/script.h>

#include <filesystem>

namespace jezero::ml {

struct LpipsScorer::Impl {
    mutable torch::jit::Module module;
    torch::Device device{torch::kCPU};
};

LpipsScorer::LpipsScorer() : mImpl(std::make_unique<Impl>()) {}
LpipsScorer::LpipsScorer(LpipsScorer&&) noexcept = default;
LpipsScorer::~LpipsScorer() = default;

LpipsScorer LpipsScorer::load(const std::string& path, const std::string& device) {
    if (!std::filesystem::is_regular_file(path)) throw Error("cannot read LPIPS network " + path + ": no such file");
    LpipsScorer scorer;
    scorer.mImpl->device = device == "cpu" || !torch::cuda::is_available() ? torch::Device(torch::kCPU) : torch::Device(device == "auto" ? "cuda" : device);
    try {
        scorer.mImpl->module = torch::jit::load(path, scorer.mImpl->device);
        scorer.mImpl->module.eval();
    } catch (const c10::Error& e) {
        throw Error("cannot read LPIPS network " + path + ": not a TorchScript module (" + detail::firstLine(e) + ")");
    }
    return scorer;
}

double LpipsScorer::distance(const std::vector<float>& a, const std::vector<float>& b, int height, int width) const {
    const std::size_t n = static_cast<std::size_t>(3) * height * width;
    if (a.size() != n || b.size() != n) throw Error("LPIPS compares two 3-channel images of the same size");
    torch::NoGradGuard noGrad;
    const auto scaled = [&](const std::vector<float>& v) {
        return (torch::from_blob(const_cast<float*>(v.data()), {1, 3, height, width}).clone().nan_to_num(127.5) / 127.5 - 1.0).to(mImpl->device);
    };
    try {
        const torch::Tensor d = mImpl->module.forward({scaled(a), scaled(b)}).toTensor();
        if (d.numel() != 1) throw Error("the LPIPS network returned " + std::to_string(d.numel()) + " values for one image pair");
        return d.item<double>();
    } catch (const c10::Error& e) {
        throw Error("the LPIPS network failed: " + detail::firstLine(e));
    }
}

} // namespace jezero::ml
