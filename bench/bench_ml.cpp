// Model speed on this machine: a training step and a prediction per tile for each model kind, through
// the same private model code the trainer and predictor run. tools/bench runs bench/torch_peer.py next
// to it: the same GroupNorm/SiLU U-Net training step in Python PyTorch (Debian's python3-torch, the
// same 1.13 as libtorch-dev), so the C++ step time is read as a ratio to its Python peer.
#include "../core/ml/src/Model.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <thread>



namespace mld = jezero::ml::detail;
using jezero::TrainingConfig;

namespace {

mld::ModelShape shape() {
    mld::ModelShape s;
    s.channelsIn = 3;
    s.channelsOut = 3;
    s.locations = {"Jezero", "Nili Fossae"};
    s.normalisation = {{0, 0, 0}, {1, 1, 1}, {0, 0, 0}, {1, 1, 1}};
    return s;
}

TrainingConfig config(const std::string& model, int baseWidth) {
    TrainingConfig c;
    c.dataset = "-";
    c.model = model;
    c.baseWidth = baseWidth;
    c.depth = 4;
    c.diffusion.mode = "plain";
    return c;
}

mld::Conditioning conditioning(int batch, int tile) {
    torch::manual_seed(1);
    return {torch::randn({batch, 3, tile, tile}), torch::zeros({batch, 5}), torch::zeros({batch}, torch::kLong)};
}

void threads() {
    const char* n = std::getenv("JEZERO_BENCH_THREADS");
    torch::set_num_threads(n ? std::atoi(n) : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

// One optimizer step on a batch (forward, masked loss, backward, Adam).
void trainingStep(benchmark::State& state, const std::string& model, int baseWidth) {
    threads();
    const int batch = static_cast<int>(state.range(0)), tile = static_cast<int>(state.range(1));
    auto m = mld::makeModel(config(model, baseWidth), shape(), false);
    m->setTraining(true);
    torch::optim::Adam adam(m->trainableParameters(), torch::optim::AdamOptions(1e-3));
    const auto c = conditioning(batch, tile);
    const auto target = torch::randn({batch, 3, tile, tile}), mask = torch::ones({batch, 3, tile, tile});
    long step = 0;
    for (auto _ : state) {
        adam.zero_grad();
        const auto loss = m->trainingLoss(c, target, mask, static_cast<std::uint64_t>(step++));
        loss.backward();
        adam.step();
        benchmark::DoNotOptimize(loss.item<double>());
    }
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * batch, benchmark::Counter::kIsRate);
}

// One 256² tile predicted (diffusion: one sample, DPM-Solver++ 8 steps = 8 denoiser calls).
void predictTile(benchmark::State& state, const std::string& model, int baseWidth) {
    threads();
    auto m = mld::makeModel(config(model, baseWidth), shape(), false);
    m->setTraining(false);
    const auto c = conditioning(1, 256);
    const mld::SampleSettings settings{8, mld::Sampler::DpmSolver2M};
    torch::NoGradGuard noGrad;
    for (auto _ : state) {
        at::Generator generator = mld::seededGenerator(1);
        benchmark::DoNotOptimize(m->predict(c, settings, generator).sum().item<double>());
    }
}

} // namespace

BENCHMARK_CAPTURE(trainingStep, unet_w16, std::string("unet"), 16)->Args({4, 128})->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK_CAPTURE(trainingStep, resnet34_w16, std::string("resnet34"), 16)->Args({4, 128})->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK_CAPTURE(trainingStep, diffusion_w16, std::string("diffusion"), 16)->Args({4, 128})->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK_CAPTURE(predictTile, unet_w16, std::string("unet"), 16)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK_CAPTURE(predictTile, resnet34_w16, std::string("resnet34"), 16)->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK_CAPTURE(predictTile, diffusion_w16_dpm8, std::string("diffusion"), 16)->Unit(benchmark::kMillisecond)->MinTime(2);

BENCHMARK_MAIN();
