// Throughput of the spectral engine on an MTRDR-sized cube (640 × 480 × 489 float32, 601 MB), next to
// a memory copy of the same cube measured in the same run. Run: tools/bench.
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/CubeCleanup.h"
#include "jezero/core/Resources.h"
#include "jezero/core/SpectralCube.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/WavelengthTable.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <random>

namespace {

// A realistic-looking cube: a sloped continuum with a few absorptions, per-pixel albedo, noise and
// some no-data — so the kernels' medians and NaN checks do the work they do on real data.
const jezero::SpectralCube& cube() {
    static const jezero::SpectralCube c = [] {
        const auto axis = jezero::readMtrdrAxisTable(jezero::resourcePath("crism/wavelengths/mtrdr_axis.tab"));
        jezero::SpectralCube cube(640, 480, axis.wavelengthsNm);
        std::mt19937 rng(7);
        std::normal_distribution<float> noise(0.0f, 0.002f);
        std::uniform_real_distribution<float> albedo(0.15f, 0.35f);
        const auto& w = cube.wavelengthsNm();
        for (int y = 0; y < cube.height(); ++y)
            for (int x = 0; x < cube.width(); ++x) {
                float* s = cube.spectrum(x, y);
                const float a = albedo(rng);
                for (int b = 0; b < cube.bands(); ++b) {
                    const double um = w[b] / 1000.0;
                    const double band = 0.05 * std::exp(-std::pow((um - 2.3) / 0.03, 2)) + 0.04 * std::exp(-std::pow((um - 1.9) / 0.05, 2));
                    s[b] = static_cast<float>(a * (1.0 + 0.05 * um) * (1.0 - band)) + noise(rng);
                }
                if ((x * 31 + y * 17) % 97 == 0) s[cube.bands() / 2] = std::nanf("");
            }
        return cube;
    }();
    return c;
}

std::size_t cubeBytes() { return cube().pixelCount() * cube().bands() * sizeof(float); }

void MemoryCopyBaseline(benchmark::State& state) {
    std::vector<float> target(cube().pixelCount() * cube().bands());
    for (auto _ : state) {
        std::memcpy(target.data(), cube().data(), cubeBytes());
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

void CassisSimulation(benchmark::State& state) {
    const auto filters = jezero::cassisFilters();
    for (auto _ : state) benchmark::DoNotOptimize(jezero::simulateCassis(cube(), filters));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

void AllSummaryParameters(benchmark::State& state) {
    const jezero::SummaryParameters parameters(cube().wavelengthsNm());
    for (auto _ : state) benchmark::DoNotOptimize(parameters.compute(cube()));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

void CarbonateParameters(benchmark::State& state) {
    const jezero::SummaryParameters parameters(cube().wavelengthsNm(),
                                               {"R1080", "R1506", "R2529", "D2300", "BD2500_2", "BD1900_2", "MIN2295_2480", "MIN2345_2537", "CINDEX2"});
    for (auto _ : state) benchmark::DoNotOptimize(parameters.compute(cube()));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

// The two parameters that fit a polynomial to every pixel's VNIR spectrum.
void VnirPeakParameters(benchmark::State& state) {
    const jezero::SummaryParameters parameters(cube().wavelengthsNm(), {"RPEAK1", "BDI1000VIS"});
    for (auto _ : state) benchmark::DoNotOptimize(parameters.compute(cube()));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

// The clean-up steps change the cube, so each iteration works on a fresh copy (the copy is timed too: one
// MemoryCopyBaseline of it is part of these numbers).
void SpikeRemoval(benchmark::State& state) {
    for (auto _ : state) {
        jezero::SpectralCube copy = cube();
        benchmark::DoNotOptimize(jezero::removeSpikes(copy, jezero::BadBands::crismPipeline()));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

void ColumnDestriping(benchmark::State& state) {
    for (auto _ : state) {
        jezero::SpectralCube copy = cube();
        benchmark::DoNotOptimize(jezero::destripeColumns(copy, jezero::BadBands::crismPipeline()));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes()));
}

} // namespace

BENCHMARK(MemoryCopyBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(CassisSimulation)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(AllSummaryParameters)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(CarbonateParameters)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(VnirPeakParameters)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(SpikeRemoval)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(ColumnDestriping)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK_MAIN();
