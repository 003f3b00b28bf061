#include "UNet.h"

namespace jezero::ml::detail {

namespace {
int groups(int channels) { return channels % 8 == 0 ? 8 : channels % 4 == 0 ? 4 : 1; }
} // namespace

ConvBlockImpl::ConvBlockImpl(int in, int out)
    : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1)))),
      conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(out, out, 3).padding(1)))),
      norm1(register_module("norm1", torch::nn::GroupNorm(groups(out), out))),
      norm2(register_module("norm2", torch::nn::GroupNorm(groups(out), out))) {}

torch::Tensor ConvBlockImpl::forward(torch::Tensor x) {
    x = torch::silu(norm1(conv1(x)));
    return torch::silu(norm2(conv2(x)));
}

UNetImpl::UNetImpl(int inputChannels, int outputChannels, int baseWidth, int depth_) : depth(depth_) {
    int channels = inputChannels;
    for (int level = 0; level < depth; ++level) {
        down->push_back(ConvBlock(channels, baseWidth << level));
        channels = baseWidth << level;
    }
    for (int level = depth - 2; level >= 0; --level) {
        up->push_back(ConvBlock(channels + (baseWidth << level), baseWidth << level));
        channels = baseWidth << level;
    }
    register_module("down", down);
    register_module("up", up);
    head = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, outputChannels, 1)));
}

torch::Tensor UNetImpl::forward(torch::Tensor x) {
    std::vector<torch::Tensor> skips;
    for (int level = 0; level < depth; ++level) {
        if (level > 0) x = torch::max_pool2d(x, 2);
        x = down[level]->as<ConvBlock>()->forward(x);
        skips.push_back(x);
    }
    for (int i = 0; i < depth - 1; ++i) {
        const auto& skip = skips[depth - 2 - i];
        x = torch::nn::functional::interpolate(
            x, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{skip.size(2), skip.size(3)}).mode(torch::kBilinear).align_corners(false));
        x = up[i]->as<ConvBlock>()->forward(torch::cat({x, skip}, 1));
    }
    return head(x);
}

} // namespace jezero::ml::detail
