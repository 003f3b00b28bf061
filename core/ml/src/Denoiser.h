#pragma once
// Private (includes LibTorch). The diffusion model's network F: a GroupNorm/SiLU U-Net of residual
// blocks (no BatchNorm) taking the scaled noisy target concatenated with its conditioning images, and
// an embedding of the noise level (sinusoidal features of c_noise) plus, optionally, of the metadata
// (sin/cos of latitude and longitude, and a learned location-name embedding; index 0 = unknown or
// dropped). Each block adds the embedding as a scale and shift after its second GroupNorm.
// Self-attention runs only at the lowest resolution.
#include <torch/torch.h>

namespace jezero::ml::detail {

constexpr int kMetadataFeatures = 5; // sin lat, cos lat, sin lon, cos lon, present (0 when unknown/dropped)

struct ResidualBlockImpl : torch::nn::Module {
    ResidualBlockImpl(int in, int out, int embedding);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& embedding);
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
    torch::nn::Linear scaleShift{nullptr};
};
TORCH_MODULE(ResidualBlock);

struct AttentionBlockImpl : torch::nn::Module {
    explicit AttentionBlockImpl(int channels);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::GroupNorm norm{nullptr};
    torch::nn::Conv2d qkv{nullptr}, projection{nullptr};
};
TORCH_MODULE(AttentionBlock);

struct DenoiserImpl : torch::nn::Module {
    // channels: the noisy target's; conditioning: the conditioning images' (input image, and the
    // regression prediction in residual mode); locations: known location names (+1 for unknown).
    DenoiserImpl(int channels, int conditioning, int baseWidth, int depth, bool attention, bool metadata, int locations);
    // x: N × (channels + conditioning) × H × W; noise: N (c_noise); metadata: N × kMetadataFeatures;
    // location: N (int64).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise, const torch::Tensor& metadata, const torch::Tensor& location);

    int baseWidth, depth;
    bool useMetadata;
    torch::nn::Conv2d input{nullptr}, output{nullptr};
    torch::nn::GroupNorm outputNorm{nullptr};
    torch::nn::Linear noise1{nullptr}, noise2{nullptr}, metadataLinear{nullptr};
    torch::nn::Embedding locationEmbedding{nullptr};
    torch::nn::ModuleList down, up;
    ResidualBlock middle1{nullptr}, middle2{nullptr};
    AttentionBlock middleAttention{nullptr};
};
TORCH_MODULE(Denoiser);

} // namespace jezero::ml::detail
