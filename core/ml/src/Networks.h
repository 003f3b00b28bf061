#pragma once
// Private (includes LibTorch). The regression baselines, both mapping an input image (N × Cin × H × W)
// to the target channels at the same size:
//   UNet        GroupNorm/SiLU U-Net, widths base · 2^level, max-pool down, bilinear up with skip
//               concatenation, a 1×1 head (H, W divisible by 2^(depth−1)).
//   ResNetUNet  the thesis's baseline: a ResNet34 encoder (7×7 stride-2 stem, max-pool, 3-4-6-3 basic
//               blocks with BatchNorm, widths base · 1, 2, 4, 8; base 64 is ResNet34) taking any input
//               channel count, and a U-Net decoder (nearest ×2 up, skip concatenation, two 3×3
//               conv-BN-ReLU per stage, widths base · 4, 2, 1, ½, ¼) as in segmentation_models_pytorch's
//               Unet (H, W divisible by 32).
#include <torch/torch.h>

#include <memory>

namespace jezero {
struct TrainingConfig;
}

namespace jezero::ml::detail {

// Groups for GroupNorm: 8 where the width allows, else fewer.
int groupCount(int channels);

struct RegressionNetImpl : torch::nn::Module {
    virtual torch::Tensor forward(torch::Tensor x) = 0;
    // With the scene's metadata (N × kMetadataFeatures) and location index (N, int64; 0 = unknown):
    // a network that takes none ignores them.
    virtual torch::Tensor forward(torch::Tensor x, const torch::Tensor& metadata, const torch::Tensor& location) {
        (void)metadata, (void)location;
        return forward(std::move(x));
    }
};
using RegressionNet = std::shared_ptr<RegressionNetImpl>;

// The network a config names ("unet" or "resnet34"); locations: the known location names' count (a
// metadata-conditioned unet's embedding). Throws Error for another model or a tile the network cannot take.
RegressionNet makeRegressionNet(const TrainingConfig& config, int inputChannels, int outputChannels, int locations = 0);
void checkTileFits(const TrainingConfig& config, int tile);

struct ConvBlockImpl : torch::nn::Module {
    ConvBlockImpl(int in, int out);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(ConvBlock);

// metadata: each block's output is scaled and shifted (FiLM) by an embedding of the metadata features
// and the location name, zero-initialised so that training starts from the plain U-Net.
struct UNetImpl : RegressionNetImpl {
    UNetImpl(int inputChannels, int outputChannels, int baseWidth, int depth, bool metadata = false, int locations = 0);
    torch::Tensor forward(torch::Tensor x) override;
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& metadata, const torch::Tensor& location) override;
    torch::nn::ModuleList down, up, film;
    torch::nn::Conv2d head{nullptr};
    torch::nn::Linear metadataLinear{nullptr};
    torch::nn::Embedding locationEmbedding{nullptr};
    int depth;
};

struct BasicBlockImpl : torch::nn::Module {
    BasicBlockImpl(int in, int out, int stride);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, shortcutBn{nullptr};
};
TORCH_MODULE(BasicBlock);

struct DecoderStageImpl : torch::nn::Module {
    DecoderStageImpl(int in, int skip, int out);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& skip);
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
};
TORCH_MODULE(DecoderStage);

struct ResNetUNetImpl : RegressionNetImpl {
    ResNetUNetImpl(int inputChannels, int outputChannels, int baseWidth);
    torch::Tensor forward(torch::Tensor x) override;
    torch::nn::Conv2d stem{nullptr}, head{nullptr};
    torch::nn::BatchNorm2d stemBn{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
    torch::nn::ModuleList decoder;
};

} // namespace jezero::ml::detail
