#include "Networks.h"

#include "CheckpointInfo.h"
#include "Denoiser.h"
#include "jezero/core/Error.h"
#include "jezero/core/TrainingConfig.h"

namespace jezero::ml::detail {

int groupCount(int channels) { return channels % 8 == 0 ? 8 : channels % 4 == 0 ? 4 : 1; }

namespace {
torch::nn::Conv2d conv(int in, int out, int kernel, int stride = 1, bool bias = true) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(bias));
}
torch::Tensor upsampledTo(const torch::Tensor& x, const torch::Tensor& like, torch::nn::functional::InterpolateFuncOptions options) {
    return torch::nn::functional::interpolate(x, options.size(std::vector<int64_t>{like.size(2), like.size(3)}));
}
} // namespace

ConvBlockImpl::ConvBlockImpl(int in, int out)
    : conv1(register_module("conv1", conv(in, out, 3))), conv2(register_module("conv2", conv(out, out, 3))),
      norm1(register_module("norm1", torch::nn::GroupNorm(groupCount(out), out))),
      norm2(register_module("norm2", torch::nn::GroupNorm(groupCount(out), out))) {}

torch::Tensor ConvBlockImpl::forward(torch::Tensor x) {
    x = torch::silu(norm1(conv1(x)));
    return torch::silu(norm2(conv2(x)));
}

UNetImpl::UNetImpl(int inputChannels, int outputChannels, int baseWidth, int depth_, bool metadata, int locations) : depth(depth_) {
    const int embedding = 4 * baseWidth;
    const auto addFilm = [&](int width) {
        torch::nn::Linear l(embedding, 2 * width);
        torch::NoGradGuard noGrad;
        l->weight.zero_();
        l->bias.zero_();
        film->push_back(l);
    };
    int channels = inputChannels;
    for (int level = 0; level < depth; ++level) {
        down->push_back(ConvBlock(channels, baseWidth << level));
        channels = baseWidth << level;
        if (metadata) addFilm(channels);
    }
    for (int level = depth - 2; level >= 0; --level) {
        up->push_back(ConvBlock(channels + (baseWidth << level), baseWidth << level));
        channels = baseWidth << level;
        if (metadata) addFilm(channels);
    }
    register_module("down", down);
    register_module("up", up);
    head = register_module("head", conv(channels, outputChannels, 1));
    if (metadata) {
        register_module("film", film);
        metadataLinear = register_module("metadata", torch::nn::Linear(kMetadataFeatures, embedding));
        locationEmbedding = register_module("location", torch::nn::Embedding(locations + 1, embedding));
    }
}

torch::Tensor UNetImpl::forward(torch::Tensor x) { return forward(std::move(x), torch::Tensor(), torch::Tensor()); }

torch::Tensor UNetImpl::forward(torch::Tensor x, const torch::Tensor& metadata, const torch::Tensor& location) {
    torch::Tensor embedding;
    if (metadataLinear) {
        if (!metadata.defined() || !location.defined()) throw Error("this U-Net is conditioned on metadata; none was given");
        embedding = torch::silu(metadataLinear(metadata.to(x.dtype())) + locationEmbedding(location));
    }
    std::size_t block = 0;
    const auto modulated = [&](torch::Tensor h) {
        if (!embedding.defined()) return h;
        const auto params = film[block++]->as<torch::nn::Linear>()->forward(embedding).unsqueeze(2).unsqueeze(3).chunk(2, 1);
        return h * (1 + params[0]) + params[1];
    };
    std::vector<torch::Tensor> skips;
    for (int level = 0; level < depth; ++level) {
        if (level > 0) x = torch::max_pool2d(x, 2);
        x = modulated(down[level]->as<ConvBlock>()->forward(x));
        skips.push_back(x);
    }
    for (int i = 0; i < depth - 1; ++i) {
        const auto& skip = skips[depth - 2 - i];
        x = upsampledTo(x, skip, torch::nn::functional::InterpolateFuncOptions().mode(torch::kBilinear).align_corners(false));
        x = modulated(up[i]->as<ConvBlock>()->forward(torch::cat({x, skip}, 1)));
    }
    return head(x);
}

BasicBlockImpl::BasicBlockImpl(int in, int out, int stride)
    : conv1(register_module("conv1", conv(in, out, 3, stride, false))), conv2(register_module("conv2", conv(out, out, 3, 1, false))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(out))), bn2(register_module("bn2", torch::nn::BatchNorm2d(out))) {
    if (stride != 1 || in != out) {
        shortcut = register_module("shortcut", conv(in, out, 1, stride, false));
        shortcutBn = register_module("shortcut_bn", torch::nn::BatchNorm2d(out));
    }
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
    const torch::Tensor identity = shortcut ? shortcutBn(shortcut(x)) : x;
    const torch::Tensor y = bn2(conv2(torch::relu(bn1(conv1(x)))));
    return torch::relu(y + identity);
}

DecoderStageImpl::DecoderStageImpl(int in, int skip, int out)
    : conv1(register_module("conv1", conv(in + skip, out, 3, 1, false))), conv2(register_module("conv2", conv(out, out, 3, 1, false))),
      bn1(register_module("bn1", torch::nn::BatchNorm2d(out))), bn2(register_module("bn2", torch::nn::BatchNorm2d(out))) {}

torch::Tensor DecoderStageImpl::forward(torch::Tensor x, const torch::Tensor& skip) {
    x = torch::nn::functional::interpolate(
        x, torch::nn::functional::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
    if (skip.defined()) x = torch::cat({x, skip}, 1);
    x = torch::relu(bn1(conv1(x)));
    return torch::relu(bn2(conv2(x)));
}

ResNetUNetImpl::ResNetUNetImpl(int inputChannels, int outputChannels, int base) {
    const auto layer = [&](int in, int out, int blocks, int stride) {
        torch::nn::Sequential s;
        s->push_back(BasicBlock(in, out, stride));
        for (int i = 1; i < blocks; ++i) s->push_back(BasicBlock(out, out, 1));
        return s;
    };
    stem = register_module("stem", conv(inputChannels, base, 7, 2, false));
    stemBn = register_module("stem_bn", torch::nn::BatchNorm2d(base));
    layer1 = register_module("layer1", layer(base, base, 3, 1));
    layer2 = register_module("layer2", layer(base, 2 * base, 4, 2));
    layer3 = register_module("layer3", layer(2 * base, 4 * base, 6, 2));
    layer4 = register_module("layer4", layer(4 * base, 8 * base, 3, 2));
    // Decoder widths 256, 128, 64, 32, 16 at base 64; skips from layer3, layer2, layer1, the stem, none.
    const int widths[5] = {4 * base, 2 * base, base, std::max(1, base / 2), std::max(1, base / 4)};
    const int skips[5] = {4 * base, 2 * base, base, base, 0};
    int in = 8 * base;
    for (int i = 0; i < 5; ++i) {
        decoder->push_back(DecoderStage(in, skips[i], widths[i]));
        in = widths[i];
    }
    register_module("decoder", decoder);
    head = register_module("head", conv(in, outputChannels, 3));
}

torch::Tensor ResNetUNetImpl::forward(torch::Tensor x) {
    const torch::Tensor s1 = torch::relu(stemBn(stem(x)));             // 1/2
    const torch::Tensor s2 = layer1->forward(torch::max_pool2d(s1, 3, 2, 1)); // 1/4
    const torch::Tensor s3 = layer2->forward(s2);                           // 1/8
    const torch::Tensor s4 = layer3->forward(s3);                           // 1/16
    torch::Tensor y = layer4->forward(s4);                                  // 1/32
    const torch::Tensor skips[5] = {s4, s3, s2, s1, torch::Tensor()};
    for (int i = 0; i < 5; ++i) y = decoder[i]->as<DecoderStage>()->forward(y, skips[i]);
    return head(y);
}

RegressionNet makeRegressionNet(const TrainingConfig& config, int inputChannels, int outputChannels, int locations) {
    if (config.model == "unet") return std::make_shared<UNetImpl>(inputChannels, outputChannels, config.baseWidth, config.depth, config.metadata, locations);
    if (config.model == "resnet34") return std::make_shared<ResNetUNetImpl>(inputChannels, outputChannels, config.baseWidth);
    throw Error("model '" + config.model + "' is not a regression network");
}

void checkTileFits(const TrainingConfig& config, int tile) {
    const int divisor = tileDivisor(config);
    if (tile % divisor != 0)
        throw Error("tile " + std::to_string(tile) + " does not divide by " + std::to_string(divisor) + ", which the " + config.model +
                    (config.model == "resnet34" ? "" : " of depth " + std::to_string(config.depth)) + " needs");
}

} // namespace jezero::ml::detail
