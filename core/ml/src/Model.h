#pragma once
// Private (includes LibTorch). What the trainer and the predictor need of any model, so neither knows
// which kind it drives: the regression U-Nets (unet, resnet34) and the conditional diffusion model.
// Everything here works in normalised units (the run's train-split statistics).
#include "CheckpointInfo.h"
#include "Samplers.h"
#include "jezero/core/TrainingConfig.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace jezero::ml::detail {

// What a prediction is conditioned on.
struct Conditioning {
    torch::Tensor image;    // N × Cin × H × W, normalised, NaN → 0
    torch::Tensor metadata; // N × kMetadataFeatures (zeros: unknown)
    torch::Tensor location; // N, int64 (0: unknown)
};
// c with the metadata and location of the samples where keep (N, bool) is false set to unknown (zeros):
// the metadata dropout of training.
Conditioning withMetadataKept(const Conditioning& c, const torch::Tensor& keep);
// Latitude/longitude as sin/cos features with a "present" flag; NaN gives the unknown (zero) row.
std::vector<float> metadataFeatures(double latitudeDeg, double longitudeDeg);

struct SampleSettings {
    int steps = 18;
    Sampler sampler = Sampler::Heun;
    double imageGuidance = 1.0, metadataGuidance = 1.0;
};

struct ModelShape {
    int channelsIn = 0, channelsOut = 0;
    std::vector<std::string> locations; // known location names; embedding index = position + 1
    Normalisation normalisation;
    // A carbonate-probability model (the one target channel is CARBONATE, the 0/1 label): trained with
    // class-balanced binary cross-entropy on logits, predicting Platt-calibrated probabilities.
    bool probability = false;
    double positiveWeight = 1.0; // training only: negative / positive label pixels of the train split
};

// An input value as the network takes it before standardisation (TrainingConfig::inputTransform);
// NaN stays NaN.
inline float transformedInput(float value, bool logInput) { return logInput ? std::log(std::max(value, 1e-4f)) : value; }

class Model {
public:
    virtual ~Model() = default;
    virtual std::vector<torch::Tensor> trainableParameters() = 0;
    // The training loss on a batch (train mode); seed draws its noise levels, noise and dropout.
    virtual torch::Tensor trainingLoss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t seed) = 0;
    // The same loss with the weights used for prediction (EMA) and no dropout; deterministic per seed.
    virtual torch::Tensor validationLoss(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask, std::uint64_t seed) = 0;
    virtual void afterStep(long step) { (void)step; }
    // One prediction (N × Cout × H × W); a diffusion model draws its starting noise from generator.
    virtual torch::Tensor predict(const Conditioning& c, const SampleSettings& settings, at::Generator& generator) = 0;
    virtual bool stochastic() const = 0;
    virtual void setTraining(bool training) = 0;
    virtual void to(torch::Device device) = 0;
    // Measures what the model learns from the data before training (a diffusion model's σ_data).
    virtual void calibrate(const Conditioning& c, const torch::Tensor& target, const torch::Tensor& mask) { (void)c, (void)target, (void)mask; }
    // Fits what maps raw outputs to calibrated ones on held-out batches (a probability model's Platt
    // scaling); saved with the weights. No-op for the others.
    virtual void fitCalibration(const std::vector<Conditioning>& c, const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& masks) {
        (void)c, (void)targets, (void)masks;
    }
    virtual void save(torch::serialize::OutputArchive& archive) = 0;
    virtual void load(torch::serialize::InputArchive& archive) = 0;
    // Every tensor a prediction uses (weights, buffers, EMA and embedded weights): checked finite at load.
    virtual std::vector<torch::Tensor> predictionTensors() = 0;
    virtual std::string summary() const = 0; // for logs and model cards
};

// The model a config names. With forTraining, a residual diffusion model reads its regression
// checkpoint from the config's path; otherwise load() restores it from the checkpoint. Throws Error.
std::unique_ptr<Model> makeModel(const TrainingConfig& config, const ModelShape& shape, bool forTraining);

torch::Tensor maskedMse(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask);
// mean over tiles and channels of (1 − Pearson r) between prediction and target over the valid pixels
// (N × C × H × W each); a channel of a tile without spread (or under two valid pixels) counts r = 0.
torch::Tensor maskedCorrelationLoss(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask);
// The mean SSIM over tiles and channels as the evaluation computes it (both scaled by the target's
// min–max over the valid pixels of that tile and channel, data range 1; Gaussian 11 × 11, σ 1.5,
// population statistics; windows wholly inside the tile and holding no masked pixel). Differentiable.
torch::Tensor maskedSsim(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask);
// Binary cross-entropy on logits over the valid pixels, positives weighted by positiveWeight.
torch::Tensor maskedBalancedBce(const torch::Tensor& logits, const torch::Tensor& target, const torch::Tensor& mask, double positiveWeight);
// Platt scaling: a, b minimising the cross-entropy of sigmoid(a·z + b) against y (Newton's method).
std::pair<double, double> fitPlatt(const std::vector<double>& logits, const std::vector<double>& labels);
// A CPU generator seeded for one job (reproducible whatever the device).
at::Generator seededGenerator(std::uint64_t seed);

} // namespace jezero::ml::detail
