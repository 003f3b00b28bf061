// Opening a scene: jezero's readScene (open, read into the pixel-interleaved cube, mask no-data) next to
// one GDAL RasterIO of the whole file into GDAL's own band-sequential layout, measured in the same run on
// the same file (an MTRDR-sized 640 × 480 × 489 float32 ENVI BIL cube, in the page cache after the first
// read, as a scene opened twice is). GDAL is included here, outside core/io, only as the peer measured
// against. Then a memory report: the peak resident memory of a process that reads a 2 GB cube, as a
// multiple of the cube. Run: tools/bench.
#include "jezero/core/Resources.h"
#include "jezero/core/SpectralCube.h"
#include "jezero/core/WavelengthTable.h"
#include "jezero/io/EnviWriter.h"
#include "jezero/io/SceneReader.h"

#include <benchmark/benchmark.h>
#include <gdal_priv.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

namespace fs = std::filesystem;

namespace {

const fs::path& workFolder() {
    static const fs::path folder = [] {
        fs::path f = fs::temp_directory_path() / ("jezero-bench-read-" + std::to_string(getpid()));
        fs::create_directories(f);
        return f;
    }();
    return folder;
}

// A cube with realistic values (a sloped continuum, per-pixel albedo, noise, a little no-data) on the
// MTRDR grid, written as the ENVI BIL float32 file jezero writes.
void writeCube(const std::string& path, int width, int height) {
    const auto axis = jezero::readMtrdrAxisTable(jezero::resourcePath("crism/wavelengths/mtrdr_axis.tab"));
    jezero::SpectralCube cube(width, height, axis.wavelengthsNm);
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.002f);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float* s = cube.spectrum(x, y);
            const float albedo = 0.15f + 0.2f * static_cast<float>((x * 7 + y * 13) % 101) / 100.0f;
            for (int b = 0; b < cube.bands(); ++b) s[b] = albedo * (1.0f + 0.05f * static_cast<float>(b) / cube.bands()) + noise(rng);
            if ((x * 31 + y * 17) % 97 == 0) s[cube.bands() / 2] = std::nanf("");
        }
    jezero::io::writeEnviCube(path, cube, "bench_read cube");
}

const std::string& mtrdrSizedCube() {
    static const std::string path = [] {
        const std::string p = (workFolder() / "cube.img").string();
        writeCube(p, 640, 480);
        return p;
    }();
    return path;
}

std::size_t cubeBytes(const std::string& path) { return fs::file_size(path); }

void GdalRasterIOBaseline(benchmark::State& state) {
    GDALAllRegister();
    const std::string& path = mtrdrSizedCube();
    for (auto _ : state) {
        auto* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
        const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize(), n = ds->GetRasterCount();
        std::vector<float> values(static_cast<std::size_t>(w) * h * n);
        if (ds->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, GDT_Float32, n, nullptr, 0, 0, 0, nullptr) != CE_None)
            state.SkipWithError("GDAL could not read the cube");
        benchmark::DoNotOptimize(values.data());
        GDALClose(ds);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes(path)));
}

void ReadScene(benchmark::State& state) {
    const std::string& path = mtrdrSizedCube();
    for (auto _ : state) benchmark::DoNotOptimize(jezero::io::readScene(path));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * cubeBytes(path)));
}

// Runs f in a child process; its peak resident set (bytes), or -1 when it failed.
template <typename F>
long long peakResidentOfChild(F f) {
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child == 0) {
        int code = 0;
        try {
            f();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_read: %s\n", e.what());
            code = 1;
        }
        std::fflush(nullptr);
        _exit(code);
    }
    int status = 0;
    rusage usage{};
    if (child < 0 || wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    return static_cast<long long>(usage.ru_maxrss) * 1024;
}

// The peak resident memory of reading a 2 GB cube (1024 × 1024 × 489 float32), against the cube's size and
// against a process that only starts (libraries, no cube).
void memoryReport() {
    const std::string path = (workFolder() / "cube-2gb.img").string();
    if (peakResidentOfChild([&] { writeCube(path, 1024, 1024); }) < 0) {
        std::printf("memory report: could not write the 2 GB cube\n");
        return;
    }
    const double cube = static_cast<double>(cubeBytes(path));
    const long long idle = peakResidentOfChild([] {});
    const long long reading = peakResidentOfChild([&] { benchmark::DoNotOptimize(jezero::io::readScene(path)); });
    fs::remove(path);
    if (reading < 0) {
        std::printf("memory report: reading the 2 GB cube failed\n");
        return;
    }
    std::printf("memory report: reading a %.2f GB cube (1024 x 1024 x 489 float32) peaks at %.2f GB resident = %.3f x the cube "
                "(%.3f x without the %.0f MB a process holds before reading)\n",
                cube / 1e9, reading / 1e9, reading / cube, (reading - idle) / cube, idle / 1e6);
}

} // namespace

BENCHMARK(GdalRasterIOBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
BENCHMARK(ReadScene)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    memoryReport();
    // Both read from the page cache: the first read of the file is not timed.
    benchmark::DoNotOptimize(jezero::io::readScene(mtrdrSizedCube()));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::error_code ignored;
    fs::remove_all(workFolder(), ignored);
    return 0;
}
