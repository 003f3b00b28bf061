// jezero-gpu-check: does training and prediction on a GPU give what the CPU gives, and how fast?
// Builds a small synthetic dataset, trains the shipped carbonate U-Net recipe for a few epochs on the
// CPU and on the GPU (float32 both, then the GPU's default bfloat16 autocast), predicts a synthetic
// scene with the shipped carbonate U-Net and one tile with the shipped diffusion model on both, and
// compares them within the tolerances below. Prints one line per check and the images/s of each
// device; exit status 0 when every check passes, 1 when one fails, 2 when there is nothing to compare
// (no CUDA device). Needs only jezero_core and jezero_ml, so it builds on a bare CUDA machine
// (tools/gpu-check). The distributed checks start this program again as the ranks of a data-parallel
// run (--rank-train) and compare their curve with a single process's.
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/Resources.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SyntheticDataset.h"
#include "jezero/core/Task.h"
#include "jezero/core/TrainingConfig.h"
#include "jezero/ml/Distributed.h"
#include "jezero/ml/Predictor.h"
#include "jezero/ml/ScenePrediction.h"
#include "jezero/ml/Trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <ftw.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace jezero;

namespace {

// Tolerances, stated before any GPU run. cuDNN convolutions use TF32 by default on Ampere and later
// (10-bit mantissa, ~1e-3 relative per layer), so float32 results agree to about that, not bitwise.
constexpr double kTrainLossFirstEpoch = 0.01;  // relative, float32 GPU vs CPU: same weights, data and order
constexpr double kTrainLossLastEpoch = 0.05;   // relative, after every step has compounded the rounding
constexpr double kBf16LossLastEpoch = 0.15;    // relative, bfloat16 autocast vs float32 CPU
constexpr double kProbabilityMaxDiff = 0.02;   // carbonate probability, any pixel
constexpr double kProbabilityMeanDiff = 0.002; // carbonate probability, mean over the scene
constexpr double kDiffusionMeanDiff = 0.05;    // diffusion ensemble mean, mean |Δ| in target standard deviations

struct Options {
    std::string device = "cuda";
    std::string work = "gpu-check-work";
    int scenes = 24;
    int epochs = 8;
    int sceneSize = 512;
    std::string only;      // "distributed": only the data-parallel checks
    std::string rankTrain; // a rank of a data-parallel run: its run folder (started by the check itself)
};

// rm -r without std::filesystem::remove_all: a pip PyTorch's libtorch.so exports its own copy of that
// function, the executable binds to it, and it crashes on a folder that is not empty (seen on an H100,
// LibTorch 2.11.0+cu130).
void removeTree(const std::string& path) {
    ::nftw(path.c_str(), [](const char* name, const struct stat*, int, struct FTW*) { return ::remove(name) == 0 ? 0 : -1; }, 16, FTW_DEPTH | FTW_PHYS);
}

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int failures = 0;

void report(const std::string& what, double value, double limit, const std::string& unit = "") {
    const bool pass = std::isfinite(value) && value <= limit;
    if (!pass) ++failures;
    std::printf("%-4s %-58s %.3g%s (limit %.3g%s)\n", pass ? "ok" : "FAIL", what.c_str(), value, unit.c_str(), limit, unit.c_str());
}

struct TrainingRun {
    std::vector<double> epochLoss;
    double valLoss = -1;
    double imagesPerSecond = 0; // after the first epoch (which pays for start-up and cuDNN's autotuning)
    double firstEpochSeconds = 0;
    double seconds = 0;
    std::string device;
};

TrainingRun train(const TrainingConfig& base, const std::string& runDirectory, const std::string& device, bool bf16) {
    TrainingConfig config = base;
    config.device = device;
    config.bf16 = bf16;
    removeTree(runDirectory);
    const auto start = std::chrono::steady_clock::now();
    ml::Trainer trainer(config, runDirectory, false);
    TrainingRun run;
    run.device = trainer.device();
    // Steady state: images from the end of epoch 1 to the end of the run over that time, validation and
    // checkpoints included, as a long run spends it. The progress's own rate counts from the start.
    std::chrono::steady_clock::time_point firstEpochEnd;
    long firstEpochStep = 0, lastStep = 0;
    TaskControl control;
    trainer.run(control, [&](const ml::TrainingProgress& p) {
        if (p.event != "epoch") return;
        run.epochLoss.push_back(p.loss);
        run.valLoss = p.valLoss;
        lastStep = p.step;
        if (p.epoch == 1) firstEpochEnd = std::chrono::steady_clock::now(), firstEpochStep = p.step;
    });
    run.seconds = seconds(start);
    run.firstEpochSeconds = std::chrono::duration<double>(firstEpochEnd - start).count();
    run.imagesPerSecond = static_cast<double>(lastStep - firstEpochStep) * config.batch / seconds(firstEpochEnd);
    std::printf("     trained on %-6s %s%zu epochs in %.1f s (first %.1f s), then %.1f images/s; losses", run.device.c_str(),
                bf16 && device != "cpu" ? "(bf16) " : "", run.epochLoss.size(), run.seconds, run.firstEpochSeconds, run.imagesPerSecond);
    for (const double l : run.epochLoss) std::printf(" %.4f", l);
    std::printf(", val %.4f\n", run.valLoss);
    return run;
}

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-12); }

struct ScenePrediction {
    ImageStack image;
    double seconds = 0;
};

ScenePrediction predictScene(const ml::Predictor& predictor, const SpectralCube& cube) {
    const auto start = std::chrono::steady_clock::now();
    ScenePrediction out;
    out.image = ml::predictScene(predictor, cube, {}).image;
    out.seconds = seconds(start);
    return out;
}

// Max and mean |a − b| over pixels where both are finite.
std::pair<double, double> differences(const ImageStack& a, const ImageStack& b) {
    double worst = 0, sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i)
        if (std::isfinite(a.values[i]) && std::isfinite(b.values[i])) {
            const double d = std::abs(static_cast<double>(a.values[i]) - b.values[i]);
            worst = std::max(worst, d), sum += d, ++n;
        }
    return {n ? worst : NAN, n ? sum / static_cast<double>(n) : NAN};
}

void comparePredictions(const std::string& label, const std::string& checkpoint, const SpectralCube& cube, const std::string& device) {
    const auto cpu = ml::Predictor::load(checkpoint, "cpu");
    const auto gpu = ml::Predictor::load(checkpoint, device);
    predictScene(gpu, cube); // warm-up: cuDNN picks its algorithms
    const ScenePrediction a = predictScene(cpu, cube), b = predictScene(gpu, cube);
    const auto [worst, mean] = differences(a.image, b.image);
    const double megapixels = static_cast<double>(a.image.pixelCount()) / 1e6;
    std::printf("     %s: %dx%d scene, cpu %.2f Mpx/s, %s %.2f Mpx/s (%.1fx)\n", label.c_str(), a.image.width, a.image.height, megapixels / a.seconds,
                gpu.device().c_str(), megapixels / b.seconds, a.seconds / b.seconds);
    report(label + ": max |P_gpu - P_cpu|", worst, kProbabilityMaxDiff);
    report(label + ": mean |P_gpu - P_cpu|", mean, kProbabilityMeanDiff);
}

void compareDiffusion(const std::string& checkpoint, const ImageStack& input, const std::string& device) {
    const auto cpu = ml::Predictor::load(checkpoint, "cpu");
    const auto gpu = ml::Predictor::load(checkpoint, device);
    const int t = cpu.tile(), c = cpu.inputChannels();
    std::vector<float> tile(static_cast<std::size_t>(c) * t * t);
    for (int ch = 0; ch < c; ++ch)
        for (int y = 0; y < t; ++y)
            for (int x = 0; x < t; ++x) tile[(static_cast<std::size_t>(ch) * t + y) * t + x] = input.at(x, y, ch);
    ml::SamplingOptions sampling; // the product's defaults: 8 samples, 18 Heun steps
    sampling.seed = 11;
    gpu.predictEnsemble(tile, {}, sampling); // warm-up
    auto start = std::chrono::steady_clock::now();
    const auto a = cpu.predictEnsemble(tile, {}, sampling);
    const double cpuSeconds = seconds(start);
    start = std::chrono::steady_clock::now();
    const auto b = gpu.predictEnsemble(tile, {}, sampling);
    const double gpuSeconds = seconds(start);
    // Mean |Δ| per channel in units of that channel's spread over the tile's ensemble means.
    const std::size_t plane = static_cast<std::size_t>(t) * t;
    double worst = 0;
    for (int o = 0; o < cpu.outputChannels(); ++o) {
        double sum = 0, sumSq = 0, diff = 0;
        for (std::size_t p = 0; p < plane; ++p) {
            const double v = a.mean[o * plane + p];
            sum += v, sumSq += v * v, diff += std::abs(v - b.mean[o * plane + p]);
        }
        const double mean = sum / plane, spread = std::sqrt(std::max(sumSq / plane - mean * mean, 1e-12));
        worst = std::max(worst, diff / plane / spread);
    }
    std::printf("     diffusion (%d samples x %d Heun steps, one %dx%d tile): cpu %.2f s, %s %.3f s (%.1fx)\n", sampling.samples, sampling.steps, t, t, cpuSeconds,
                gpu.device().c_str(), gpuSeconds, cpuSeconds / gpuSeconds);
    report("diffusion: mean |mean_gpu - mean_cpu| / spread (worst channel)", worst, kDiffusionMeanDiff);
}

// --- Data-parallel training (c10d): ranks are this program again, with the launcher's environment.

TrainingConfig distributedRecipe(const Options& o) {
    TrainingConfig config = TrainingConfig::read(resourcePath("models/unet-pnr-carbonate.json"));
    config.dataset = o.work + "/dataset";
    config.epochs = o.epochs;
    config.device = "auto"; // a rank takes GPU localRank
    return config;
}

// One rank: trains and, as rank 0, prints one line the launcher reads.
int rankTrain(const Options& o) {
    const ml::DistributedSetup setup = ml::DistributedSetup::fromEnvironment();
    ml::Trainer trainer(distributedRecipe(o), o.rankTrain, false, false, setup);
    std::vector<double> losses;
    std::vector<std::string> digests;
    long steps = 0, firstEpochSteps = 0;
    std::chrono::steady_clock::time_point firstEpochEnd;
    TaskControl control;
    trainer.run(control, [&](const ml::TrainingProgress& p) {
        if (p.event != "epoch") return;
        losses.push_back(p.loss), digests = p.weightDigests, steps = p.step;
        if (p.epoch == 1) firstEpochEnd = std::chrono::steady_clock::now(), firstEpochSteps = p.step;
    });
    // Steady state, as train() measures it: from the end of epoch 1 (start-up, cuDNN autotuning) on.
    const double imagesPerSecond = static_cast<double>(steps - firstEpochSteps) * distributedRecipe(o).batch / seconds(firstEpochEnd);
    if (trainer.rank() == 0) {
        std::printf("RESULT %s %d %s %.6g %ld %.6g", trainer.backend().empty() ? "none" : trainer.backend().c_str(), trainer.ranks(),
                    trainer.device().c_str(), trainer.bytesCommunicated(), steps, imagesPerSecond);
        for (const double l : losses) std::printf(" %.9g", l);
        std::printf(" |");
        for (const auto& d : digests) std::printf(" %s", d.c_str());
        std::printf("\n");
    }
    return 0;
}

struct RanksRun {
    int status = 0;
    std::string backend, device, output;
    int ranks = 0;
    double bytes = 0, imagesPerSecond = 0;
    long steps = 0;
    std::vector<double> losses;
    std::vector<std::string> digests;
};

// Starts `count` ranks of this program (a file store in the work folder, backend as asked), waits.
RanksRun runRanks(const Options& o, int count, const std::string& backend, const std::string& name) {
    const std::string run = o.work + "/" + name, store = o.work + "/" + name + ".store";
    removeTree(run), fs::remove(store);
    fs::create_directories(run);
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    // Everything the child needs is made before fork: this process already runs CUDA and torch threads,
    // so between fork and exec the child only calls async-signal-safe functions (open, dup2, execve).
    struct Child {
        std::vector<std::string> environment, arguments, logs;
        std::vector<char*> envp, argv;
    };
    std::vector<Child> children(static_cast<std::size_t>(count));
    for (int rank = 0; rank < count; ++rank) {
        Child& c = children[static_cast<std::size_t>(rank)];
        for (char** e = ::environ; *e; ++e) { // environ: declared by unistd.h (GNU)
            const std::string entry = *e;
            if (entry.rfind("JEZERO_", 0) != 0) c.environment.push_back(entry);
        }
        c.environment.push_back("JEZERO_RANK=" + std::to_string(rank));
        c.environment.push_back("JEZERO_WORLD_SIZE=" + std::to_string(count));
        c.environment.push_back("JEZERO_RENDEZVOUS=file:" + store);
        c.environment.push_back("JEZERO_BACKEND=" + backend);
        c.environment.push_back("JEZERO_THREADS_PER_RANK=" + std::to_string(std::max(1u, cores / count)));
        c.arguments = {self, "--work", o.work, "--epochs", std::to_string(o.epochs), "--rank-train", run};
        const std::string log = run + "/rank-" + std::to_string(rank) + ".out";
        c.logs = {log, log + ".err"};
        for (auto& e : c.environment) c.envp.push_back(e.data());
        c.envp.push_back(nullptr);
        for (auto& a : c.arguments) c.argv.push_back(a.data());
        c.argv.push_back(nullptr);
    }
    std::vector<pid_t> pids;
    std::fflush(nullptr); // or the children write this program's buffered lines again
    for (Child& c : children) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            const int out = ::open(c.logs[0].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), err = ::open(c.logs[1].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) ::_exit(126);
            ::execve(c.argv[0], c.argv.data(), c.envp.data());
            ::_exit(127);
        }
        pids.push_back(pid);
    }
    RanksRun r;
    for (const pid_t pid : pids) {
        int code = 0;
        ::waitpid(pid, &code, 0);
        if (!WIFEXITED(code) || WEXITSTATUS(code) != 0) r.status = 1;
    }
    for (int rank = 0; rank < count; ++rank)
        for (const char* suffix : {".out", ".out.err"}) {
            std::ifstream in(run + "/rank-" + std::to_string(rank) + suffix);
            r.output.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
    const auto at = r.output.find("RESULT ");
    if (at != std::string::npos) {
        std::istringstream line(r.output.substr(at + 7, r.output.find('\n', at) - at - 7));
        line >> r.backend >> r.ranks >> r.device >> r.bytes >> r.steps >> r.imagesPerSecond;
        std::string word;
        bool digests = false;
        while (line >> word) {
            if (word == "|") digests = true;
            else if (digests) r.digests.push_back(word);
            else r.losses.push_back(std::stod(word));
        }
    }
    std::printf("     %d rank%s, backend asked %-4s: %s, %s on %s; %.1f images/s; %.2f MB all-reduced per rank per step; losses", count, count == 1 ? " " : "s",
                backend.c_str(), r.status ? "failed" : "ran", r.backend.empty() ? "-" : r.backend.c_str(), r.device.empty() ? "-" : r.device.c_str(),
                r.imagesPerSecond, r.steps ? r.bytes / r.steps / 1e6 : 0.0);
    for (const double l : r.losses) std::printf(" %.4f", l);
    std::printf("\n");
    return r;
}

std::string lastErrorLine(const std::string& output) {
    std::istringstream in(output);
    std::string line, last;
    while (std::getline(in, line))
        if (line.rfind("error:", 0) == 0) last = line;
    return last;
}

void checkDistributed(const Options& o) {
    const TrainingConfig config = distributedRecipe(o);
    const TrainingRun single = train(config, o.work + "/dist-single", o.device, config.bf16); // the recipe as the ranks run it
    const auto lossDifference = [&](const RanksRun& r) {
        double worst = r.losses.size() == single.epochLoss.size() ? 0.0 : INFINITY;
        for (std::size_t e = 0; std::isfinite(worst) && e < r.losses.size(); ++e) worst = std::max(worst, relative(r.losses[e], single.epochLoss[e]));
        return worst;
    };
    // A group of one: every collective (gradient sums, cancel flag, weight digests, the first broadcast)
    // goes through the backend; with NCCL that is a real ncclAllReduce on one GPU.
    const int gpus = ml::computeDevices().cudaDevices;
    const RanksRun one = gpus ? runRanks(o, 1, "nccl", "dist-nccl-1") : RanksRun{};
    if (!gpus) {
        std::printf("skip 1-rank NCCL group: no GPU\n");
    } else if (one.status == 0) {
        report("1-rank NCCL group: epoch losses vs one process, relative", lossDifference(one), kTrainLossFirstEpoch);
        report("1-rank NCCL group: backend is nccl (0 = yes)", one.backend == "nccl" ? 0 : 1, 0);
        std::printf("     1-rank NCCL group %.1f images/s vs one process %.1f (%.2fx): the cost of the collectives on one GPU\n", one.imagesPerSecond,
                    single.imagesPerSecond, one.imagesPerSecond / single.imagesPerSecond);
    } else {
        std::printf("FAIL 1-rank NCCL group did not run: %s\n", lastErrorLine(one.output).c_str());
        ++failures;
    }
    // Two ranks: on two GPUs NCCL, on one GPU Gloo (NCCL allows one rank per GPU).
    const RanksRun two = runRanks(o, 2, "auto", "dist-auto-2");
    if (two.status == 0) {
        report("2 ranks: epoch losses vs one process (same global batch), relative", lossDifference(two), kTrainLossLastEpoch);
        const bool same = two.digests.size() == 2 && two.digests[0] == two.digests[1];
        report("2 ranks: weights identical on both ranks (0 = yes)", same ? 0 : 1, 0);
        report(std::string("2 ranks on ") + std::to_string(gpus) + " GPU(s): backend " + (gpus >= 2 ? "nccl" : "gloo") + " (0 = yes)",
               two.backend == (gpus >= 2 ? "nccl" : "gloo") ? 0 : 1, 0);
        std::printf("     data-parallel overhead: 2 ranks %.1f images/s vs one process %.1f (%.2fx)\n", two.imagesPerSecond, single.imagesPerSecond,
                    two.imagesPerSecond / single.imagesPerSecond);
    } else if (gpus < 2 && two.output.find("no c10d Gloo backend") != std::string::npos) {
        // Two ranks on one GPU need Gloo; a pip PyTorch's LibTorch ships no Gloo headers to build it with.
        std::printf("skip 2 ranks on one GPU: %s\n", lastErrorLine(two.output).c_str());
    } else {
        std::printf("FAIL 2 ranks did not run: %s\n", lastErrorLine(two.output).c_str());
        ++failures;
    }
    if (gpus == 1) { // NCCL asked for two ranks that must share the GPU: a one-line refusal, not a hang
        const RanksRun forced = runRanks(o, 2, "nccl", "dist-nccl-2");
        const std::string why = lastErrorLine(forced.output);
        std::printf("     NCCL forced on 2 ranks of one GPU: %s\n", why.empty() ? "(no error line)" : why.c_str());
        report("2 ranks, one GPU, NCCL forced: refused with a reason (0 = yes)", forced.status != 0 && why.find("GPU of its own") != std::string::npos ? 0 : 1, 0);
    }
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw Error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--device") o.device = value();
        else if (a == "--work") o.work = value();
        else if (a == "--scenes") o.scenes = std::stoi(value());
        else if (a == "--epochs") o.epochs = std::stoi(value());
        else if (a == "--scene-size") o.sceneSize = std::stoi(value());
        else if (a == "--only") o.only = value();
        else if (a == "--rank-train") o.rankTrain = value();
        else if (a == "-h" || a == "--help") {
            std::cout << "usage: jezero-gpu-check [--device cuda|cuda:N|cpu] [--work DIR] [--scenes N] [--epochs N] [--scene-size PX] [--only distributed]\n";
            std::exit(0);
        } else throw Error("unknown option " + a);
    }
    if (o.scenes < 4 || o.epochs < 2 || o.sceneSize < 128) throw Error("--scenes must be at least 4, --epochs 2 and --scene-size 128");
    if (!o.only.empty() && o.only != "distributed") throw Error("--only takes distributed");
    return o;
}

int run(const Options& o) {
    const ml::ComputeDevices devices = ml::computeDevices();
    std::printf("LibTorch %s, %s; CUDA devices: %d; cuDNN: %s\n", devices.libtorchVersion.c_str(), devices.libtorchCuda ? "built with CUDA" : "CPU-only build",
                devices.cudaDevices, devices.cudnn ? "yes" : "no");
    if (o.device != "cpu" && devices.cudaDevices == 0) {
        std::printf("no CUDA device to check (this LibTorch %s); nothing compared\n", devices.libtorchCuda ? "sees no GPU" : "has no CUDA");
        return 2;
    }
    fs::create_directories(o.work);
    const std::string dataset = o.work + "/dataset";
    auto start = std::chrono::steady_clock::now();
    const SynthesisInputs inputs = defaultSynthesisInputs(ImageStack{}); // procedural unit shapes: no GDAL
    if (!fs::exists(dataset + "/manifest.json")) {
        removeTree(dataset);
        SyntheticDatasetOptions d;
        d.synthesis.size = 256;
        d.synthesis.seed = 7;
        d.count = o.scenes;
        d.outputs = {{dataset, "pnr", "carbonate"}};
        d.allowEmptySplits = true;
        buildSyntheticDataset(inputs, d);
    }
    std::printf("     dataset: %d synthetic scenes of 256x256 in %.1f s\n", o.scenes, seconds(start));

    if (o.only == "distributed") {
        checkDistributed(o);
        std::printf("%s: %d check%s failed\n", failures ? "FAILED" : "PASSED", failures, failures == 1 ? "" : "s");
        return failures ? 1 : 0;
    }
    TrainingConfig config = TrainingConfig::read(resourcePath("models/unet-pnr-carbonate.json"));
    config.dataset = dataset;
    config.epochs = o.epochs;
    const TrainingRun cpu = train(config, o.work + "/run-cpu", "cpu", false);
    const TrainingRun gpu = train(config, o.work + "/run-gpu-fp32", o.device, false);
    const TrainingRun bf16 = train(config, o.work + "/run-gpu-bf16", o.device, true);
    report("training, float32: first-epoch loss, relative difference", relative(gpu.epochLoss.front(), cpu.epochLoss.front()), kTrainLossFirstEpoch);
    report("training, float32: last-epoch loss, relative difference", relative(gpu.epochLoss.back(), cpu.epochLoss.back()), kTrainLossLastEpoch);
    if (cpu.valLoss >= 0) report("training, float32: validation loss, relative difference", relative(gpu.valLoss, cpu.valLoss), kTrainLossLastEpoch);
    report("training, bfloat16: last-epoch loss vs float32 CPU, relative", relative(bf16.epochLoss.back(), cpu.epochLoss.back()), kBf16LossLastEpoch);
    std::printf("     training speed: cpu %.1f images/s, %s float32 %.1f (%.1fx), bfloat16 %.1f (%.1fx)\n", cpu.imagesPerSecond, gpu.device.c_str(),
                gpu.imagesPerSecond, gpu.imagesPerSecond / cpu.imagesPerSecond, bf16.imagesPerSecond, bf16.imagesPerSecond / cpu.imagesPerSecond);

    // A carbonate-bearing scene the dataset never saw (another seed), at a size that takes many tiles.
    SynthesisOptions sceneOptions;
    sceneOptions.size = o.sceneSize;
    sceneOptions.seed = 2027;
    const SyntheticScene scene = synthesizeScene(inputs, sceneOptions, 1); // index 1 carries carbonate
    const ImageStack input = makeModelInput(scene.cube, InputKind::Pnr, cassisFilters());
    comparePredictions("shipped carbonate U-Net", resolveModel("carbonate"), scene.cube, o.device);
    comparePredictions("U-Net trained here on the GPU (bf16)", o.work + "/run-gpu-bf16/latest.pt", scene.cube, o.device);
    compareDiffusion(resolveModel("diffusion"), input, o.device);
    checkDistributed(o);
    std::printf("%s: %d check%s failed\n", failures ? "FAILED" : "PASSED", failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        return o.rankTrain.empty() ? run(o) : rankTrain(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 3;
    }
}
