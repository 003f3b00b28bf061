#include "Denoiser.h"

#include "Networks.h"

#include <cmath>

namespace jezero::ml::detail {
namespace {
torch::nn::Conv2d conv(int in, int out, int kernel) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).padding(kernel / 2));
}
// Sinusoidal features of c_noise = ln(σ)/4 (about −1.6 … 1.1): frequencies from 1 to 200 rad per unit,
// geometrically spaced, so both coarse and fine changes of the noise level are seen.
torch::Tensor sinusoidal(const torch::Tensor& value, int features) {
    const int half = std::max(1, features / 2);
    const auto frequencies = torch::exp(torch::linspace(0.0, std::log(200.0), half, value.options()));
    const auto angles = value.unsqueeze(1) * frequencies.unsqueeze(0);
    return torch::cat({torch::cos(angles), torch::sin(angles)}, 1);
}
} // namespace

ResidualBlockImpl::ResidualBlockImpl(int in, int out, int embedding)
    : norm1(register_module("norm1", torch::nn::GroupNorm(groupCount(in), in))),
      norm2(register_module("norm2", torch::nn::GroupNorm(groupCount(out), out))), conv1(register_module("conv1", conv(in, out, 3))),
      conv2(register_module("conv2", conv(out, out, 3))), scaleShift(register_module("scale_shift", torch::nn::Linear(embedding, 2 * out))) {
    if (in != out) skip = register_module("skip", conv(in, out, 1));
    torch::NoGradGuard noGrad;
    conv2->weight.mul_(1e-2); // each block starts close to the identity
}

torch::Tensor ResidualBlockImpl::forward(torch::Tensor x, const torch::Tensor& embedding) {
    torch::Tensor h = conv1(torch::silu(norm1(x)));
    const auto params = scaleShift(torch::silu(embedding)).unsqueeze(2).unsqueeze(3).chunk(2, 1);
    h = norm2(h) * (1 + params[0]) + params[1];
    h = conv2(torch::silu(h));
    return h + (skip ? skip(x) : x);
}

AttentionBlockImpl::AttentionBlockImpl(int channels)
    : norm(register_module("norm", torch::nn::GroupNorm(groupCount(channels), channels))),
      qkv(register_module("qkv", conv(channels, 3 * channels, 1))), projection(register_module("projection", conv(channels, channels, 1))) {
    torch::NoGradGuard noGrad;
    projection->weight.mul_(1e-2);
}

torch::Tensor AttentionBlockImpl::forward(torch::Tensor x) {
    const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const auto parts = qkv(norm(x)).reshape({n, 3, c, h * w}).unbind(1); // each N × C × HW
    const auto weights = torch::softmax(torch::bmm(parts[0].transpose(1, 2), parts[1]) / std::sqrt(static_cast<double>(c)), -1); // N × HW × HW
    const auto attended = torch::bmm(parts[2], weights.transpose(1, 2)).reshape({n, c, h, w});
    return x + projection(attended);
}

DenoiserImpl::DenoiserImpl(int channels, int conditioning, int base, int depth_, bool attention, bool metadata, int locations)
    : baseWidth(base), depth(depth_), useMetadata(metadata) {
    const int embedding = 4 * base;
    input = register_module("input", conv(channels + conditioning, base, 3));
    noise1 = register_module("noise1", torch::nn::Linear(base, embedding));
    noise2 = register_module("noise2", torch::nn::Linear(embedding, embedding));
    if (useMetadata) {
        metadataLinear = register_module("metadata", torch::nn::Linear(kMetadataFeatures, embedding));
        locationEmbedding = register_module("location", torch::nn::Embedding(locations + 1, embedding));
    }
    int width = base;
    for (int level = 0; level < depth; ++level) {
        down->push_back(ResidualBlock(width, base << level, embedding));
        width = base << level;
    }
    middle1 = register_module("middle1", ResidualBlock(width, width, embedding));
    if (attention) middleAttention = register_module("middle_attention", AttentionBlock(width));
    middle2 = register_module("middle2", ResidualBlock(width, width, embedding));
    for (int level = depth - 1; level >= 0; --level) {
        up->push_back(ResidualBlock(width + (base << level), base << level, embedding));
        width = base << level;
    }
    register_module("down", down);
    register_module("up", up);
    outputNorm = register_module("output_norm", torch::nn::GroupNorm(groupCount(width), width));
    output = register_module("output", conv(width, channels, 3));
    torch::NoGradGuard noGrad;
    output->weight.zero_(); // F starts at 0: D starts as c_skip · x, the best guess without a network
    output->bias.zero_();
}

torch::Tensor DenoiserImpl::forward(const torch::Tensor& x, const torch::Tensor& noise, const torch::Tensor& metadata, const torch::Tensor& location) {
    torch::Tensor embedding = noise2(torch::silu(noise1(sinusoidal(noise, baseWidth))));
    if (useMetadata) embedding = embedding + metadataLinear(metadata) + locationEmbedding(location);
    torch::Tensor h = input(x);
    std::vector<torch::Tensor> skips;
    for (int level = 0; level < depth; ++level) {
        if (level > 0) h = torch::avg_pool2d(h, 2);
        h = down[level]->as<ResidualBlock>()->forward(h, embedding);
        skips.push_back(h);
    }
    h = middle1->forward(h, embedding);
    if (middleAttention) h = middleAttention->forward(h);
    h = middle2->forward(h, embedding);
    for (int i = 0; i < depth; ++i) {
        const auto& skip = skips[depth - 1 - i];
        if (h.size(2) != skip.size(2))
            h = torch::nn::functional::interpolate(
                h, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{skip.size(2), skip.size(3)}).mode(torch::kNearest));
        h = up[i]->as<ResidualBlock>()->forward(torch::cat({h, skip}, 1), embedding);
    }
    return output(torch::silu(outputNorm(h)));
}

} // namespace jezero::ml::detail
