#pragma once
// Private (includes LibTorch). The regression baseline: a U-Net with GroupNorm and SiLU, widths
// base · 2^level, max-pool down, bilinear up with skip concatenation, a 1×1 head.
#include <torch/torch.h>

namespace jezero::ml::detail {

struct ConvBlockImpl : torch::nn::Module {
    ConvBlockImpl(int in, int out);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(ConvBlock);

struct UNetImpl : torch::nn::Module {
    UNetImpl(int inputChannels, int outputChannels, int baseWidth, int depth);
    torch::Tensor forward(torch::Tensor x);
    torch::nn::ModuleList down, up;
    torch::nn::Conv2d head{nullptr};
    int depth;
};
TORCH_MODULE(UNet);

} // namespace jezero::ml::detail
