#include "jezero/ml/Predictor.h"

#include "Checkpoint.h"
#include "jezero/core/Error.h"

#include <cmath>

namespace jezero::ml {

struct Predictor::Impl {
    detail::LoadedCheckpoint checkpoint;
    mutable detail::UNet model{nullptr}; // forward() is not const in LibTorch; inference changes nothing
    torch::Device device{torch::kCPU};
};

Predictor::Predictor() : mImpl(std::make_unique<Impl>()) {}
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor::~Predictor() = default;

Predictor Predictor::load(const std::string& path, const std::string& device) {
    Predictor p;
    Impl& d = *p.mImpl;
    d.checkpoint = detail::readCheckpoint(path);
    d.device = device == "cpu" || !torch::cuda::is_available() ? torch::Device(torch::kCPU) : torch::Device(device == "auto" ? "cuda" : device);
    d.model = detail::makeModel(d.checkpoint.config, static_cast<int>(d.checkpoint.inputChannels.size()),
                                static_cast<int>(d.checkpoint.targetChannels.size()));
    detail::loadCheckpointState(path, d.model, nullptr);
    d.model->to(d.device);
    d.model->eval();
    return p;
}

int Predictor::inputChannels() const { return static_cast<int>(mImpl->checkpoint.inputChannels.size()); }
int Predictor::outputChannels() const { return static_cast<int>(mImpl->checkpoint.targetChannels.size()); }
int Predictor::tile() const { return mImpl->checkpoint.tile; }
std::string Predictor::configJson() const { return mImpl->checkpoint.configJson; }

std::vector<float> Predictor::predictTile(const std::vector<float>& input) const {
    const Impl& d = *mImpl;
    const int t = tile(), ci = inputChannels(), co = outputChannels();
    const std::size_t plane = static_cast<std::size_t>(t) * t;
    if (input.size() != ci * plane)
        throw Error("a tile for this model has " + std::to_string(ci * plane) + " values (" + std::to_string(ci) + " × " + std::to_string(t) + "²), not " +
                    std::to_string(input.size()));
    const auto& n = d.checkpoint.normalisation;
    std::vector<float> normalised(input.size());
    for (int c = 0; c < ci; ++c)
        for (std::size_t p = 0; p < plane; ++p) {
            const float v = input[c * plane + p];
            normalised[c * plane + p] = std::isfinite(v) ? static_cast<float>((v - n.inputMean[c]) / n.inputStd[c]) : 0.0f;
        }
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::from_blob(normalised.data(), {1, ci, t, t}).clone().to(d.device);
    const torch::Tensor y = d.model->forward(x).to(torch::kCPU).contiguous();
    std::vector<float> out(co * plane);
    const float* v = y.data_ptr<float>();
    for (int c = 0; c < co; ++c)
        for (std::size_t p = 0; p < plane; ++p) out[c * plane + p] = static_cast<float>(v[c * plane + p] * n.targetStd[c] + n.targetMean[c]);
    return out;
}

} // namespace jezero::ml
