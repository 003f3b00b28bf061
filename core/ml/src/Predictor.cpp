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
Predictor::InputStatistics Predictor::inputStatistics() const {
    const auto& n = mImpl->info.normalisation;
    return {n.inputMean, n.inputStd, mImpl->info.config.inputTransform == "log"};
}
std::string Predictor::target() const { return mImpl->info.target; }
std::vector<std::string> Predictor::inputChannelNames() const { return mImpl->info.inputChannels; }
std::vector<std::string> Predictor::targetChannelNames() const { return mImpl->info.targetChannels; }
double Predictor::fusionFactor() const { return mImpl->info.fusionFactor; }
std::vector<std::string> Predictor::locations() const { return mImpl->info.locations; }
bool Predictor::usesMetadata() const {
    const TrainingConfig& c = mImpl->info.config;
    return c.model == "diffusion" ? c.diffusion.metadata : c.metadata;
}

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

namespace {

// A tile in the network's units: the run's (log) standardisation, no data as the mean (0).
std::vector<float> normalisedTile(const std::vector<float>& input, const detail::CheckpointInfo& info, int channels, std::size_t plane) {
    const auto& n = info.normalisation;
    const bool logInput = info.config.inputTransform == "log";
    std::vector<float> out(input.size());
    for (int c = 0; c < channels; ++c)
        for (std::size_t p = 0; p < plane; ++p) {
            const float v = input[c * plane + p];
            out[c * plane + p] = std::isfinite(v) ? static_cast<float>((detail::transformedInput(v, logInput) - n.inputMean[c]) / n.inputStd[c]) : 0.0f;
        }
    return out;
}

} // namespace

TilePrediction Predictor::predictEnsemble(const std::vector<float>& input, const TileContext& context, const SamplingOptions& options,
                                          int probabilityChannel, double threshold) const {
    return predictTiles({input}, {context}, options, {options.seed}, probabilityChannel, threshold).front();
}

std::vector<TilePrediction> Predictor::predictTiles(const std::vector<std::vector<float>>& inputs, const std::vector<TileContext>& contexts,
                                                    const SamplingOptions& options, const std::vector<std::uint64_t>& seeds, int probabilityChannel,
                                                    double threshold) const {
    const Impl& d = *mImpl;
    const int t = tile(), ci = inputChannels(), co = outputChannels();
    const std::size_t plane = static_cast<std::size_t>(t) * t;
    if (contexts.size() != inputs.size() || seeds.size() != inputs.size()) throw Error("predictTiles needs one context and one seed per tile");
    for (const auto& input : inputs)
        if (input.size() != ci * plane)
            throw Error("a tile for this model has " + std::to_string(ci * plane) + " values (" + std::to_string(ci) + " × " + std::to_string(t) +
                        "²), not " + std::to_string(input.size()));
    if (options.samples < 1 || options.steps < 1) throw Error("samples and steps must be at least 1");
    if (probabilityChannel >= co) throw Error("no target channel " + std::to_string(probabilityChannel));
    detail::SampleSettings settings;
    try {
        settings = {options.steps, detail::parseSampler(options.sampler), options.imageGuidance, options.metadataGuidance};
    } catch (const std::invalid_argument& e) {
        throw Error(e.what());
    }
    // A diffusion model draws an ensemble per tile (samples × one tile per pass, each tile its own seed);
    // a regression model gives one answer per tile, all tiles in one pass.
    const bool ensemble = stochastic();
    const std::size_t passes = ensemble ? inputs.size() : (inputs.empty() ? 0 : 1);
    const torch::Tensor std_ = torch::tensor(d.info.normalisation.targetStd, torch::kFloat32).view({1, -1, 1, 1});
    const torch::Tensor mean_ = torch::tensor(d.info.normalisation.targetMean, torch::kFloat32).view({1, -1, 1, 1});
    std::vector<TilePrediction> results;
    torch::NoGradGuard noGrad;
    for (std::size_t pass = 0; pass < passes; ++pass) {
        const std::size_t first = ensemble ? pass : 0, count = ensemble ? 1 : inputs.size();
        const int64_t rows = ensemble ? options.samples : static_cast<int64_t>(count);
        std::vector<float> images, metadata;
        std::vector<int64_t> locations;
        for (int64_t r = 0; r < rows; ++r) {
            const std::size_t i = first + (ensemble ? 0 : static_cast<std::size_t>(r));
            if (ensemble && r > 0) {
                images.insert(images.end(), images.begin(), images.begin() + static_cast<std::ptrdiff_t>(ci * plane));
                metadata.insert(metadata.end(), metadata.begin(), metadata.begin() + detail::kMetadataFeatures);
                locations.push_back(locations.front());
                continue;
            }
            const auto n = normalisedTile(inputs[i], d.info, ci, plane);
            images.insert(images.end(), n.begin(), n.end());
            const auto features = detail::metadataFeatures(contexts[i].latitudeDeg, contexts[i].longitudeDeg);
            metadata.insert(metadata.end(), features.begin(), features.end());
            const auto known = std::find(d.info.locations.begin(), d.info.locations.end(), contexts[i].location);
            locations.push_back(known == d.info.locations.end() ? 0 : 1 + (known - d.info.locations.begin()));
        }
        detail::Conditioning c;
        c.image = torch::from_blob(images.data(), {rows, ci, t, t}).clone().to(d.device);
        c.metadata = torch::from_blob(metadata.data(), {rows, detail::kMetadataFeatures}).clone().to(d.device);
        c.location = torch::tensor(locations, torch::kLong).to(d.device);
        at::Generator generator = detail::seededGenerator(seeds[first]);
        const torch::Tensor y = d.model->predict(c, settings, generator).to(torch::kCPU, torch::kFloat32) * std_ + mean_; // rows × co × t × t
        // One tile's ensemble: rows of y (all samples of one tile, or one row per tile).
        const auto summarise = [&](const torch::Tensor& samples) {
            TilePrediction out;
            const torch::Tensor m = samples.mean(0).contiguous();
            const torch::Tensor s = samples.size(0) > 1 ? samples.std(0, /*unbiased=*/false).contiguous() : torch::zeros_like(m);
            out.mean.assign(m.data_ptr<float>(), m.data_ptr<float>() + co * plane);
            out.stddev.assign(s.data_ptr<float>(), s.data_ptr<float>() + co * plane);
            if (probabilityChannel >= 0) {
                const torch::Tensor share = (samples.select(1, probabilityChannel) > threshold).to(torch::kFloat32).mean(0).contiguous();
                out.exceedance.assign(share.data_ptr<float>(), share.data_ptr<float>() + plane);
            }
            return out;
        };
        if (ensemble) results.push_back(summarise(y));
        else
            for (int64_t r = 0; r < rows; ++r) results.push_back(summarise(y.slice(0, r, r + 1)));
    }
    return results;
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
