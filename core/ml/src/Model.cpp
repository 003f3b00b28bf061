#include "Model.h"

#include "Checkpoint.h"
#include "Denoiser.h"
#include "Networks.h"
#include "jezero/core/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/impl/LocalDispatchKeySet.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <sstream>

namespace jezero::ml::detail {

torch::Tensor maskedMse(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask) {
    return ((prediction - target).pow(2) * mask).sum() / mask.sum().clamp_min(1.0);
}

torch::Tensor maskedCorrelationLoss(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask) {
    const c10::impl::ExcludeDispatchKeyGuard noAutocast(c10::autocast_dispatch_keyset); // variances need float32, also under CUDA's bf16 autocast
    const auto sum = [](const torch::Tensor& x) { return x.sum({2, 3}); };
    const torch::Tensor p = prediction.to(torch::kFloat32), t = target.to(torch::kFloat32), m = mask.to(torch::kFloat32);
    const torch::Tensor count = sum(m).clamp_min(1.0);
    const torch::Tensor dp = (p - (sum(p * m) / count).view({p.size(0), p.size(1), 1, 1})) * m;
    const torch::Tensor dt = (t - (sum(t * m) / count).view({t.size(0), t.size(1), 1, 1})) * m;
    // The floor keeps r finite (and 0) where a tile's channel has no spread. It damps r only where both
    // standard deviations are about 0.03 of the split's (standardised units) or less: tiles of noise alone.
    const torch::Tensor r = sum(dp * dt) / (sum(dp * dp) * sum(dt * dt) + 1e-6 * count * count).sqrt();
    return (1 - r).mean();
}

torch::Tensor maskedSsim(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask) {
    // Autocast would run the window filters in bf16 on CUDA, whose rounding (~2e-3 near 0.25) exceeds C2.
    const c10::impl::ExcludeDispatchKeyGuard noAutocast(c10::autocast_dispatch_keyset);
    const auto n = prediction.size(0), c = prediction.size(1), h = prediction.size(2), w = prediction.size(3);
    const torch::Tensor m = mask.to(torch::kFloat32).reshape({n * c, 1, h, w});
    const torch::Tensor t = target.to(torch::kFloat32).reshape({n * c, 1, h, w}), p = prediction.to(torch::kFloat32).reshape({n * c, 1, h, w});
    // The target's range per tile and channel, over its valid pixels.
    const torch::Tensor big = torch::full_like(t, 1e30f);
    const torch::Tensor low = torch::where(m > 0, t, big).amin({2, 3}, true), high = torch::where(m > 0, t, -big).amax({2, 3}, true);
    const torch::Tensor range = (high - low).clamp_min(1e-2); // standardised units: real tiles span far more; keeps gradients bounded
    const torch::Tensor ps = (p - low) / range * m, ts = (t - low) / range * m;
    const torch::Tensor g1 = torch::exp(-torch::arange(-5, 6, t.options()).pow(2) / (2 * 1.5 * 1.5));
    const torch::Tensor window = (g1.view({11, 1}) * g1.view({1, 11}) / g1.sum().pow(2)).view({1, 1, 11, 11});
    const auto filter = [&](const torch::Tensor& x) { return torch::conv2d(x, window); }; // valid windows only
    const torch::Tensor mp = filter(ps), mt = filter(ts);
    const torch::Tensor vp = filter(ps * ps) - mp * mp, vt = filter(ts * ts) - mt * mt, cpt = filter(ps * ts) - mp * mt;
    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const torch::Tensor map = (2 * mp * mt + c1) * (2 * cpt + c2) / ((mp * mp + mt * mt + c1) * (vp + vt + c2));
    const torch::Tensor whole = (torch::conv2d(1 - m, torch::ones({1, 1, 11, 11}, t.options())) < 0.5).to(torch::kFloat32);
    const torch::Tensor perChannel = (map * whole).sum({1, 2, 3}) / whole.sum({1, 2, 3}).clamp_min(1.0);
    return perChannel.mean();
}

torch::Tensor maskedBalancedBce(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask, double positiveWeight) {
    const auto weight = torch::full({1}, positiveWeight, logits.options());
    return torch::binary_cross_entropy_with_logits(logits, target, mask, weight, at::Reduction::Sum) / mask.sum().clamp_min(1.0);
}

std::pair<double, double> fitPlatt(const std::vector<double>& z, const std::vector<double>& y) {
    double a = 1, b = 0;
    if (z.empty() || std::all_of(y.begin(), y.end(), [&](double v) { return v == y.front(); })) return {a, b}; // one class: nothing to fit
    const auto loss = [&](double pa, double pb) {
        double l = 0;
        for (std::size_t i = 0; i < z.size(); ++i) {
            const double t = pa * z[i] + pb; // log(1 + e^t) − y t, computed stably
            l += (t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t))) - y[i] * t;
        }
        return l;
    };
    double current = loss(a, b);
    for (int iteration = 0; iteration < 100; ++iteration) {
        double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
        for (std::size_t i = 0; i < z.size(); ++i) {
            const double p = 1 / (1 + std::exp(-(a * z[i] + b))), r = p - y[i], w = p * (1 - p);
            ga += r * z[i], gb += r;
            haa += w * z[i] * z[i], hab += w * z[i], hbb += w;
        }
        const double det = haa * hbb - hab * hab;
        if (!(det > 0)) break;
        double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
        // Backtracking: Newton steps can overshoot on separable data.
        double step = 1, next = loss(a - da, b - db);
        while (next > current && step > 1e-6) {
            step /= 2;
            next = loss(a - step * da, b - step * db);
        }
        if (next > current) break;
        a -= step * da, b -= step * db;
        const bool converged = current - next < 1e-10 * std::max(1.0, current);
        current = next;
        if (converged) break;
    }
    return {a, b};
}

at::Generator seededGenerator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

Conditioning withMetadataKept(const Conditioning& c, const torch::Tensor& keep) {
    return {c.image, c.metadata * keep.to(torch::kFloat32).view({-1, 1}), c.location * keep.to(torch::kLong)};
}

std::vector<float> metadataFeatures(double latitudeDeg, double longitudeDeg) {
    if (!std::isfinite(latitudeDeg) || !std::isfinite(longitudeDeg)) return std::vector<float>(kMetadataFeatures, 0.0f);
    const double lat = latitudeDeg * M_PI / 180, lon = longitudeDeg * M_PI / 180;
    return {static_cast<float>(std::sin(lat)), static_cast<float>(std::cos(lat)), static_cast<float>(std::sin(lon)),
            static_cast<float>(std::cos(lon)), 1.0f};
}

namespace {

std::size_t parameterCount(const std::vector<torch::Tensor>& parameters) {
    std::size_t n = 0;
    for (const auto& p : parameters) n += static_cast<std::size_t>(p.numel());
    return n;
}

void appendParametersAndBuffers(const torch::nn::Module& module, std::vector<torch::Tensor>& tensors) {
    for (const auto& p : module.parameters()) tensors.push_back(p);
    for (const auto& b : module.buffers()) tensors.push_back(b);
}

// A regression U-Net (unet or resnet34): masked MSE, prediction = forward; or, for the carbonate
// label, BCE on logits with positives weighted per the config's positive_weight, prediction = Platt-calibrated sigmoid.
class RegressionModel : public Model {
public:
    RegressionModel(const TrainingConfig& config, const ModelShape& shape)
        : mConfig(config), mNet(makeRegressionNet(config, shape.channelsIn, shape.channelsOut, static_cast<int>(shape.locations.size()))),
          mProbability(shape.probability), mPositiveWeight(shape.positiveWeight), mLocations(shape.locations.size()) {
        if (mProbability && (config.correlationLoss > 0 || config.ssimLoss > 0))
            throw Error("correlation_loss and ssim_loss are for image targets, not the carbonate label");
    }
    std::vector<torch::Tensor> trainableParameters() override { return mNet->parameters(); }
    torch::Tensor trainingLoss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t seed) override {
        if (!mConfig.metadata) return loss(c, target, mask);
        // A metadata U-Net also learns to predict without the location (one sample in ten, as the
        // diffusion model's default), so a scene of unknown place still gets its best guess.
        auto generator = seededGenerator(seed);
        return loss(withMetadataKept(c, (torch::rand({c.image.size(0)}, generator) >= kMetadataDropout).to(c.image.device())), target, mask);
    }
    torch::Tensor validationLoss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t) override {
        return loss(c, target, mask);
    }
    torch::Tensor predict(const Conditioning& c, const SampleSettings&, at::Generator&) override {
        const torch::Tensor out = mNet->forward(c.image, c.metadata, c.location);
        return mProbability ? torch::sigmoid(out.to(torch::kFloat32) * mPlattA + mPlattB) : out;
    }
    void fitCalibration(const std::vector<Conditioning>& c, const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& masks) override {
        if (!mProbability) return;
        std::vector<double> z, y;
        for (std::size_t i = 0; i < c.size(); ++i) {
            const torch::Tensor logits = mNet->forward(c[i].image, c[i].metadata, c[i].location).to(torch::kCPU, torch::kFloat32).contiguous();
            const torch::Tensor t = targets[i].to(torch::kCPU, torch::kFloat32).contiguous(), m = masks[i].to(torch::kCPU, torch::kFloat32).contiguous();
            const float *pz = logits.data_ptr<float>(), *pt = t.data_ptr<float>(), *pm = m.data_ptr<float>();
            for (int64_t k = 0; k < logits.numel(); ++k)
                if (pm[k] > 0) z.push_back(pz[k]), y.push_back(pt[k]);
        }
        std::tie(mPlattA, mPlattB) = fitPlatt(z, y);
    }
    bool stochastic() const override { return false; }
    void setTraining(bool training) override { mNet->train(training); }
    void to(torch::Device device) override { mNet->to(device); }
    void save(torch::serialize::OutputArchive& archive) override {
        torch::serialize::OutputArchive weights;
        mNet->save(weights);
        archive.write("model", weights);
        if (mProbability) archive.write("platt", torch::tensor({mPlattA, mPlattB}, torch::kFloat64));
    }
    void load(torch::serialize::InputArchive& archive) override {
        torch::serialize::InputArchive weights;
        archive.read("model", weights);
        mNet->load(weights);
        torch::Tensor platt;
        if (mProbability && archive.try_read("platt", platt) && platt.numel() == 2) {
            mPlattA = platt[0].item<double>();
            mPlattB = platt[1].item<double>();
        }
    }
    std::vector<torch::Tensor> predictionTensors() override {
        std::vector<torch::Tensor> tensors;
        appendParametersAndBuffers(*mNet, tensors);
        return tensors;
    }
    std::string summary() const override {
        std::ostringstream s;
        s << (mConfig.model == "resnet34" ? "ResNet34-encoder U-Net" : "GroupNorm/SiLU U-Net") << ", base width " << mConfig.baseWidth;
        if (mConfig.model == "unet") s << ", depth " << mConfig.depth;
        if (mConfig.metadata) s << ", metadata-conditioned (" << mLocations << " locations)";
        if (mConfig.correlationLoss > 0 || mConfig.ssimLoss > 0) {
            s << ", loss MSE";
            if (mConfig.correlationLoss > 0) s << " + " << mConfig.correlationLoss << " × (1 − per-tile r)";
            if (mConfig.ssimLoss > 0) s << " + " << mConfig.ssimLoss << " × (1 − SSIM)";
        }
        s << ", " << parameterCount(mNet->parameters()) << " parameters";
        if (mProbability) s << "; carbonate probability (BCE, positive weight " << mConfig.positiveWeight << ", Platt scaling " << mPlattA << ", " << mPlattB << ")";
        return s.str();
    }
    RegressionNet net() const { return mNet; }

private:
    static constexpr double kMetadataDropout = 0.1;

    torch::Tensor loss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask) {
        const torch::Tensor out = mNet->forward(c.image, c.metadata, c.location);
        if (mProbability) return maskedBalancedBce(out, target, mask, mPositiveWeight);
        torch::Tensor total = maskedMse(out, target, mask);
        if (mConfig.correlationLoss > 0) total = total + mConfig.correlationLoss * maskedCorrelationLoss(out, target, mask);
        if (mConfig.ssimLoss > 0) total = total + mConfig.ssimLoss * (1 - maskedSsim(out, target, mask));
        return total;
    }

    TrainingConfig mConfig;
    RegressionNet mNet;
    bool mProbability = false;
    double mPositiveWeight = 1.0;
    double mPlattA = 1.0, mPlattB = 0.0;
    std::size_t mLocations = 0;
};

// A frozen regression model inside a residual diffusion model, with its own normalisation mapped
// onto the diffusion run's (both are per-channel affine maps of the same physical values). A regression
// model on log inputs gets the run's standardised I/F turned back into I/F, then into its own log scale.
struct EmbeddedRegression {
    std::string configJson;
    Normalisation normalisation;
    RegressionNet net;
    bool logInput = false;
    torch::Tensor inScale, inShift, outScale, outShift; // 1 × C × 1 × 1
    torch::Tensor runInMean, runInStd, ownInMean, ownInStd; // log inputs: I/F = x·std + mean, then (ln I/F − mean)/std

    void bind(const Normalisation& run) {
        const auto perChannel = [](std::vector<double> v) { return torch::tensor(v, torch::kFloat32).view({1, -1, 1, 1}); };
        logInput = TrainingConfig::fromJson(configJson, "").inputTransform == "log";
        runInMean = perChannel(run.inputMean), runInStd = perChannel(run.inputStd);
        ownInMean = perChannel(normalisation.inputMean), ownInStd = perChannel(normalisation.inputStd);
        std::vector<double> inScale_, inShift_, outScale_, outShift_;
        for (std::size_t c = 0; c < run.inputMean.size(); ++c) {
            inScale_.push_back(run.inputStd[c] / normalisation.inputStd[c]);
            inShift_.push_back((run.inputMean[c] - normalisation.inputMean[c]) / normalisation.inputStd[c]);
        }
        for (std::size_t c = 0; c < run.targetMean.size(); ++c) {
            outScale_.push_back(normalisation.targetStd[c] / run.targetStd[c]);
            outShift_.push_back((normalisation.targetMean[c] - run.targetMean[c]) / run.targetStd[c]);
        }
        inScale = perChannel(inScale_), inShift = perChannel(inShift_), outScale = perChannel(outScale_), outShift = perChannel(outShift_);
    }
    torch::Tensor predict(const torch::Tensor& image) const {
        torch::NoGradGuard noGrad;
        const torch::Tensor input = logInput ? ((image * runInStd + runInMean).clamp_min(1e-4).log() - ownInMean) / ownInStd : image * inScale + inShift;
        return net->forward(input) * outScale + outShift;
    }
    void to(torch::Device device) {
        net->to(device);
        inScale = inScale.to(device), inShift = inShift.to(device), outScale = outScale.to(device), outShift = outShift.to(device);
        runInMean = runInMean.to(device), runInStd = runInStd.to(device), ownInMean = ownInMean.to(device), ownInStd = ownInStd.to(device);
    }
};

// The conditional diffusion model (EDM preconditioning, loss and samplers), optionally on the
// residual of an embedded regression model.
class DiffusionModel : public Model {
public:
    DiffusionModel(const TrainingConfig& config, const ModelShape& shape, bool forTraining)
        : mConfig(config), mSettings(config.diffusion), mShape(shape), mResidual(config.diffusion.mode == "residual"),
          mSigmaData(config.diffusion.sigmaData > 0 ? config.diffusion.sigmaData : 1.0) {
        const int conditioning = shape.channelsIn + (mResidual ? shape.channelsOut : 0);
        const auto make = [&] {
            return Denoiser(shape.channelsOut, conditioning, config.baseWidth, config.depth, mSettings.attention, mSettings.metadata,
                            static_cast<int>(shape.locations.size()));
        };
        mNet = make();
        mEma = make();
        copyWeights(mNet, mEma);
        for (auto& p : mEma->parameters()) p.set_requires_grad(false);
        if (mResidual && forTraining) loadRegression(config.diffusion.regression);
    }

    std::vector<torch::Tensor> trainableParameters() override { return mNet->parameters(); }

    torch::Tensor trainingLoss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t seed) override {
        return loss(mNet, c, target, mask, seed, true);
    }
    torch::Tensor validationLoss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t seed) override {
        torch::NoGradGuard noGrad;
        return loss(mEma, c, target, mask, seed, false);
    }

    void afterStep(long step) override {
        // EMA with a warm-up, so the average does not stay near the random start in short runs.
        const double decay = std::min(mSettings.emaDecay, (1.0 + step) / (10.0 + step));
        torch::NoGradGuard noGrad;
        const auto source = mNet->parameters(), average = mEma->parameters();
        for (std::size_t i = 0; i < source.size(); ++i) average[i].mul_(decay).add_(source[i], 1.0 - decay);
    }

    torch::Tensor predict(const Conditioning& c, const SampleSettings& settings, at::Generator& generator) override {
        torch::NoGradGuard noGrad;
        const torch::Tensor base = mResidual ? mRegression.predict(c.image) : torch::Tensor();
        const auto shape = std::vector<int64_t>{c.image.size(0), mShape.channelsOut, c.image.size(2), c.image.size(3)};
        const auto sigmas = karrasSigmas(settings.steps);
        torch::Tensor x = torch::randn(shape, generator, torch::kFloat32).to(c.image.device()) * sigmas.front();
        const bool plain = settings.imageGuidance == 1.0 && settings.metadataGuidance == 1.0;
        const std::function<torch::Tensor(const torch::Tensor&, double)> denoised = [&](const torch::Tensor& xt, double sigma) {
            if (plain) return denoise(mEma, xt, sigma, c, base);
            // (∅, ∅), (I, ∅), (I, M) in one batch.
            const auto n = xt.size(0);
            const Conditioning none = withoutImage(withoutMetadata(c)), imageOnly = withoutMetadata(c);
            const Conditioning all{torch::cat({none.image, imageOnly.image, c.image}), torch::cat({none.metadata, imageOnly.metadata, c.metadata}),
                                   torch::cat({none.location, imageOnly.location, c.location})};
            const torch::Tensor bases = base.defined() ? torch::cat({torch::zeros_like(base), base, base}) : base;
            const auto d = denoise(mEma, torch::cat({xt, xt, xt}), sigma, all, bases).split(n);
            return guided(d[0], d[1], d[2], settings.imageGuidance, settings.metadataGuidance);
        };
        x = sampleProbabilityFlow<torch::Tensor>(denoised, x, sigmas, settings.sampler);
        return base.defined() ? x + base : x;
    }

    bool stochastic() const override { return true; }
    void setTraining(bool training) override {
        mNet->train(training);
        mEma->eval();
        if (mRegression.net) mRegression.net->eval();
    }
    void to(torch::Device device) override {
        mNet->to(device);
        mEma->to(device);
        if (mRegression.net) mRegression.to(device);
    }

    void calibrate(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask) override {
        if (mSettings.sigmaData > 0) return;
        // σ_data: the RMS of what the network models (targets are unit-variance per channel; residuals less).
        torch::NoGradGuard noGrad;
        const torch::Tensor modelled = mResidual ? target - mRegression.predict(c.image) : target;
        const double rms = std::sqrt((modelled.pow(2) * mask).sum().item<double>() / std::max(1.0, mask.sum().item<double>()));
        mSigmaData = std::max(0.02, rms);
    }

    void save(torch::serialize::OutputArchive& archive) override {
        torch::serialize::OutputArchive weights, ema, diffusion;
        mNet->save(weights);
        mEma->save(ema);
        archive.write("model", weights);
        archive.write("ema", ema);
        diffusion.write("sigma_data", torch::tensor(mSigmaData, torch::kFloat64));
        if (mResidual) {
            torch::serialize::OutputArchive regression, regressionWeights;
            regression.write("config", c10::IValue(mRegression.configJson));
            writeNormalisation(regression, mRegression.normalisation);
            mRegression.net->save(regressionWeights);
            regression.write("model", regressionWeights);
            diffusion.write("regression", regression);
        }
        archive.write("diffusion", diffusion);
    }

    void load(torch::serialize::InputArchive& archive) override {
        torch::serialize::InputArchive weights, ema, diffusion;
        archive.read("model", weights);
        archive.read("ema", ema);
        archive.read("diffusion", diffusion);
        mNet->load(weights);
        mEma->load(ema);
        torch::Tensor sigma;
        diffusion.read("sigma_data", sigma);
        mSigmaData = sigma.item<double>();
        if (mResidual) {
            torch::serialize::InputArchive regression, regressionWeights;
            diffusion.read("regression", regression);
            c10::IValue config;
            regression.read("config", config);
            mRegression.configJson = config.toStringRef();
            mRegression.normalisation = readNormalisation(regression);
            mRegression.net = makeRegressionNet(TrainingConfig::fromJson(mRegression.configJson, ""), mShape.channelsIn, mShape.channelsOut);
            regression.read("model", regressionWeights);
            mRegression.net->load(regressionWeights);
            mRegression.net->eval();
            mRegression.bind(mShape.normalisation);
            mRegression.to(mNet->parameters().front().device());
        }
    }

    std::vector<torch::Tensor> predictionTensors() override {
        std::vector<torch::Tensor> tensors;
        appendParametersAndBuffers(*mNet, tensors);
        appendParametersAndBuffers(*mEma, tensors);
        if (mRegression.net) appendParametersAndBuffers(*mRegression.net, tensors);
        return tensors;
    }

    std::string summary() const override {
        std::ostringstream s;
        s << "conditional diffusion (EDM, " << mSettings.mode << (mResidual ? " on a regression U-Net" : "") << ", σ_data " << mSigmaData
          << "), denoiser base width " << mConfig.baseWidth << ", depth " << mConfig.depth << (mSettings.attention ? ", attention at the lowest level" : "")
          << (mSettings.metadata ? ", metadata-conditioned (" + std::to_string(mShape.locations.size()) + " locations)" : "") << ", "
          << parameterCount(mNet->parameters()) << " parameters";
        return s.str();
    }

private:
    static void copyWeights(Denoiser& from, Denoiser& to) {
        torch::NoGradGuard noGrad;
        const auto a = from->parameters(), b = to->parameters();
        for (std::size_t i = 0; i < a.size(); ++i) b[i].copy_(a[i]);
    }

    void loadRegression(const std::string& path) {
        const CheckpointInfo info = readCheckpoint(path);
        if (info.config.model == "diffusion") throw Error("diffusion.regression must be a regression checkpoint (unet or resnet34), not " + path);
        if (info.config.metadata)
            throw Error("diffusion.regression " + path + " is a metadata-conditioned U-Net; a residual diffusion model refines a U-Net without metadata (give the diffusion model diffusion.metadata instead)");
        if (info.inputChannels.size() != static_cast<std::size_t>(mShape.channelsIn) ||
            info.targetChannels.size() != static_cast<std::size_t>(mShape.channelsOut))
            throw Error("the regression checkpoint " + path + " maps " + std::to_string(info.inputChannels.size()) + " → " +
                        std::to_string(info.targetChannels.size()) + " channels; this dataset " + std::to_string(mShape.channelsIn) + " → " +
                        std::to_string(mShape.channelsOut));
        RegressionModel regression(info.config, info.shape());
        loadCheckpointState(path, regression, nullptr);
        mRegression.configJson = info.configJson;
        mRegression.normalisation = info.normalisation;
        mRegression.net = regression.net();
        mRegression.net->eval();
        mRegression.bind(mShape.normalisation);
    }

    static Conditioning withoutImage(const Conditioning& c) { return {torch::zeros_like(c.image), c.metadata, c.location}; }
    static Conditioning withoutMetadata(const Conditioning& c) { return {c.image, torch::zeros_like(c.metadata), torch::zeros_like(c.location)}; }

    // D(x; σ) = c_skip x + c_out F(c_in x, conditioning; c_noise)  (EDM Table 1)
    torch::Tensor denoise(Denoiser& net, const torch::Tensor& x, const torch::Tensor& sigma, const Conditioning& c, const torch::Tensor& base) const {
        const auto s = sigma.view({-1, 1, 1, 1});
        const double d2 = mSigmaData * mSigmaData;
        const auto total = s.pow(2) + d2;
        std::vector<torch::Tensor> inputs{x * total.rsqrt(), c.image};
        if (base.defined()) inputs.push_back(base);
        const torch::Tensor f = net->forward(torch::cat(inputs, 1), sigma.log() / 4, c.metadata, c.location);
        return x * (d2 / total) + f * (s * mSigmaData * total.rsqrt());
    }
    torch::Tensor denoise(Denoiser& net, const torch::Tensor& x, double sigma, const Conditioning& c, const torch::Tensor& base) const {
        return denoise(net, x, torch::full({x.size(0)}, sigma, x.options()), c, base);
    }

    // The EDM loss λ(σ) ‖D(y + n; σ) − y‖² over valid pixels, σ log-normal; training drops the image and
    // the metadata of some samples so that sampling can use both guidance scales.
    torch::Tensor loss(Denoiser& net, const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t seed, bool dropout) {
        at::Generator generator = seededGenerator(seed);
        const auto n = target.size(0);
        const auto device = target.device();
        const torch::Tensor sigma = (torch::randn({n}, generator, torch::kFloat32) * mSettings.pStd + mSettings.pMean).exp().to(device);
        const torch::Tensor noise = torch::randn(target.sizes(), generator, torch::kFloat32).to(device);
        torch::Tensor base = mResidual ? mRegression.predict(c.image) : torch::Tensor();
        const torch::Tensor clean = (base.defined() ? target - base : target) * mask;
        Conditioning used = c;
        if (dropout) {
            const auto keepImage = (torch::rand({n}, generator) >= mSettings.imageDropout).to(torch::kFloat32).to(device).view({-1, 1, 1, 1});
            const auto keepMetadata = (torch::rand({n}, generator) >= mSettings.metadataDropout).to(device);
            used = withMetadataKept(c, keepMetadata);
            used.image = c.image * keepImage;
            if (base.defined()) base = base * keepImage;
        }
        const torch::Tensor d = denoise(net, clean + noise * sigma.view({-1, 1, 1, 1}), sigma, used, base);
        const double d2 = mSigmaData * mSigmaData;
        const torch::Tensor weight = ((sigma.pow(2) + d2) / (sigma.pow(2) * d2)).view({-1, 1, 1, 1});
        return (weight * (d - clean).pow(2) * mask).sum() / mask.sum().clamp_min(1.0);
    }

    TrainingConfig mConfig;
    DiffusionConfig mSettings;
    ModelShape mShape;
    bool mResidual;
    double mSigmaData;
    Denoiser mNet{nullptr}, mEma{nullptr};
    EmbeddedRegression mRegression;
};

} // namespace

std::unique_ptr<Model> makeModel(const TrainingConfig& config, const ModelShape& shape, bool forTraining) {
    if (config.model == "diffusion") {
        if (shape.probability)
            throw Error("a diffusion model predicts parameters, not the carbonate label; train a unet or resnet34 on a carbonate dataset");
        return std::make_unique<DiffusionModel>(config, shape, forTraining);
    }
    return std::make_unique<RegressionModel>(config, shape);
}

} // namespace jezero::ml::detail
