#include "jezero/ml/Predictor.h"

#include "Checkpoint.h"
#include "Denoiser.h"
#include "Model.h"
#include "jezero/core/Error.h"

#include <ATen/Context.h>
#include <torch/version.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace jezero::ml {

struct Predictor::Impl {
    detail::CheckpointInfo info;
    std::unique_ptr<detail::Model> model; // inference changes nothing, but LibTorch's forward is not const
    torch::Device device{torch::kCPU};
};

Predictor::Predictor() : mImpl(std::make_unique<Impl>()) {}
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor::~Predictor() = default;

Predictor Predictor::load(const std::string& path, const std::string& device) {
    Predictor p;
    Impl& d = *p.mImpl;
    d.info = detail::readCheckpoint(path);
    if (device == "cpu" || (device == "auto" && !torch::cuda::is_available())) {
        d.device = torch::kCPU;
    } else if (!torch::cuda::is_available()) {
        throw Error("device " + device + " asked for, but no CUDA device is available (use auto or cpu)");
    } else {
        d.device = torch::Device(device == "auto" ? "cuda" : device);
    }
    d.model = detail::makeModel(d.info.config, d.info.shape(), false);
    d.model->to(d.device);
    detail::loadCheckpointState(path, *d.model, nullptr);
    d.model->setTraining(false);
    return p;
}

bool Predictor::stochastic() const { return mImpl->model->stochastic(); }
int Predictor::inputChannels() const { return static_cast<int>(mImpl->info.inputChannels.size()); }
int Predictor::outputChannels() const { return static_cast<int>(mImpl->info.targetChannels.size()); }
int Predictor::tile() const { return mImpl->info.tile; }
std::string Predictor::inputKind() const { return mImpl->info.inputKind; }
std::string Predictor::target() const { return mImpl->info.target; }
std::vector<std::string> Predictor::inputChannelNames() const { return mImpl->info.inputChannels; }
std::vector<std::string> Predictor::targetChannelNames() const { return mImpl->info.targetChannels; }
std::vector<std::string> Predictor::locations() const { return mImpl->info.locations; }
bool Predictor::usesMetadata() const { return mImpl->info.config.model == "diffusion" && mImpl->info.config.diffusion.metadata; }

std::string Predictor::knownLocation(const std::string& name) const {
    const auto key = [](const std::string& s) {
        std::string k;
        for (const char ch : s)
            if (ch != ' ' && ch != '_' && ch != '-') k += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return k;
    };
    for (const auto& known : mImpl->info.locations)
        if (!name.empty() && key(known) == key(name)) return known;
    return {};
}

std::string Predictor::configJson() const { return mImpl->info.configJson; }
std::string Predictor::summary() const { return mImpl->model->summary(); }
std::string Predictor::device() const { return mImpl->device.str(); }

std::vector<float> Predictor::predictTile(const std::vector<float>& input, const TileContext& context) const {
    return predictEnsemble(input, context, SamplingOptions{}).mean;
}

TilePrediction Predictor::predictEnsemble(const std::vector<float>& input, const TileContext& context, const SamplingOptions& options,
                                          int probabilityChannel, double threshold) const {
    const Impl& d = *mImpl;
    const int t = tile(), ci = inputChannels(), co = outputChannels();
    const std::size_t plane = static_cast<std::size_t>(t) * t;
    if (input.size() != ci * plane)
        throw Error("a tile for this model has " + std::to_string(ci * plane) + " values (" + std::to_string(ci) + " × " + std::to_string(t) + "²), not " +
                    std::to_string(input.size()));
    if (options.samples < 1 || options.steps < 1) throw Error("samples and steps must be at least 1");
    if (probabilityChannel >= co) throw Error("no target channel " + std::to_string(probabilityChannel));
    detail::SampleSettings settings;
    try {
        settings = {options.steps, detail::parseSampler(options.sampler), options.imageGuidance, options.metadataGuidance};
    } catch (const std::invalid_argument& e) {
        throw Error(e.what());
    }
    const auto& n = d.info.normalisation;
    const bool logInput = d.info.config.inputTransform == "log";
    std::vector<float> normalised(input.size());
    for (int c = 0; c < ci; ++c)
        for (std::size_t p = 0; p < plane; ++p) {
            const float v = input[c * plane + p];
            normalised[c * plane + p] =
                std::isfinite(v) ? static_cast<float>((detail::transformedInput(v, logInput) - n.inputMean[c]) / n.inputStd[c]) : 0.0f;
        }
    const int samples = stochastic() ? options.samples : 1;
    auto metadata = detail::metadataFeatures(context.latitudeDeg, context.longitudeDeg);
    const auto known = std::find(d.info.locations.begin(), d.info.locations.end(), context.location);
    const int64_t location = known == d.info.locations.end() ? 0 : 1 + (known - d.info.locations.begin());
    torch::NoGradGuard noGrad;
    detail::Conditioning c;
    c.image = torch::from_blob(normalised.data(), {1, ci, t, t}).clone().expand({samples, ci, t, t}).contiguous().to(d.device);
    c.metadata = torch::from_blob(metadata.data(), {1, detail::kMetadataFeatures}).clone().expand({samples, detail::kMetadataFeatures}).contiguous().to(d.device);
    c.location = torch::full({samples}, location, torch::kLong).to(d.device);
    at::Generator generator = detail::seededGenerator(options.seed);
    const torch::Tensor std_ = torch::tensor(n.targetStd, torch::kFloat32).view({1, -1, 1, 1});
    const torch::Tensor mean_ = torch::tensor(n.targetMean, torch::kFloat32).view({1, -1, 1, 1});
    const torch::Tensor y = d.model->predict(c, settings, generator).to(torch::kCPU, torch::kFloat32) * std_ + mean_; // samples × co × t × t
    TilePrediction out;
    const torch::Tensor m = y.mean(0).contiguous();
    const torch::Tensor s = samples > 1 ? y.std(0, /*unbiased=*/false).contiguous() : torch::zeros_like(m);
    out.mean.assign(m.data_ptr<float>(), m.data_ptr<float>() + co * plane);
    out.stddev.assign(s.data_ptr<float>(), s.data_ptr<float>() + co * plane);
    if (probabilityChannel >= 0) {
        const torch::Tensor share = (y.select(1, probabilityChannel) > threshold).to(torch::kFloat32).mean(0).contiguous();
        out.exceedance.assign(share.data_ptr<float>(), share.data_ptr<float>() + plane);
    }
    return out;
}

ComputeDevices computeDevices() {
    ComputeDevices d;
    d.libtorchCuda = at::hasCUDA();
    d.libtorchVersion = TORCH_VERSION;
    d.cudaDevices = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
    d.cudnn = d.cudaDevices > 0 && torch::cuda::cudnn_is_available();
    return d;
}

} // namespace jezero::ml
