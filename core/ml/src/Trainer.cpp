#include "jezero/ml/Trainer.h"

#include "Checkpoint.h"
#include "UNet.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Task.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <random>
#include <thread>

namespace fs = std::filesystem;

namespace jezero::ml {
namespace {

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

torch::Device chooseDevice(const std::string& name) {
    if (name == "cpu") return torch::kCPU;
    if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    if (!torch::cuda::is_available()) throw Error("device " + name + " asked for, but no CUDA device is available (use auto or cpu)");
    return torch::Device(name);
}

} // namespace

struct Trainer::Impl {
    TrainingConfig config;
    std::string configJson;
    std::string runDirectory;
    torch::Device device{torch::kCPU};
    TileDataset train = TileDataset::open(config.dataset, "train");
    std::optional<TileDataset> val;
    detail::Normalisation normalisation;
    detail::UNet model{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizer;
    detail::Position position;
    int channelsIn = 0, channelsOut = 0, tile = 0;

    Impl(TrainingConfig c, std::string dir) : config(std::move(c)), runDirectory(std::move(dir)) {}

    // A batch of tiles as normalised tensors: inputs (NaN → 0), targets and their validity mask.
    void batch(const TileDataset& data, const std::vector<std::size_t>& indices, bool augmentTiles, std::uint64_t seed,
               torch::Tensor& x, torch::Tensor& y, torch::Tensor& mask) const {
        const std::size_t plane = static_cast<std::size_t>(tile) * tile;
        std::vector<float> in(indices.size() * channelsIn * plane), out(indices.size() * channelsOut * plane), valid(out.size());
        for (std::size_t b = 0; b < indices.size(); ++b) {
            Tile t = data.tile(indices[b]);
            if (augmentTiles) t = augment(t, mix(seed, indices[b]));
            for (int c = 0; c < channelsIn; ++c)
                for (std::size_t p = 0; p < plane; ++p) {
                    const float v = t.input[c * plane + p];
                    in[(b * channelsIn + c) * plane + p] =
                        std::isfinite(v) ? static_cast<float>((v - normalisation.inputMean[c]) / normalisation.inputStd[c]) : 0.0f;
                }
            for (int c = 0; c < channelsOut; ++c)
                for (std::size_t p = 0; p < plane; ++p) {
                    const float v = t.target[c * plane + p];
                    const std::size_t o = (b * channelsOut + c) * plane + p;
                    valid[o] = std::isfinite(v) ? 1.0f : 0.0f;
                    out[o] = std::isfinite(v) ? static_cast<float>((v - normalisation.targetMean[c]) / normalisation.targetStd[c]) : 0.0f;
                }
        }
        const auto n = static_cast<int64_t>(indices.size());
        x = torch::from_blob(in.data(), {n, channelsIn, tile, tile}).clone().to(device);
        y = torch::from_blob(out.data(), {n, channelsOut, tile, tile}).clone().to(device);
        mask = torch::from_blob(valid.data(), {n, channelsOut, tile, tile}).clone().to(device);
    }

    static torch::Tensor maskedMse(const torch::Tensor& prediction, const torch::Tensor& target, const torch::Tensor& mask) {
        return ((prediction - target).pow(2) * mask).sum() / mask.sum().clamp_min(1.0);
    }

    void save(const std::string& name) {
        detail::saveCheckpoint(runDirectory + "/" + name, model, optimizer.get(), configJson, normalisation, position, tile,
                               train.manifest().inputChannels, train.manifest().targetChannels);
    }

    // Validation loss (normalised) and RMSE in target units, mean over channels.
    std::pair<double, double> validate() {
        if (!val || val->size() == 0) return {-1, -1};
        torch::NoGradGuard noGrad;
        model->eval();
        double loss = 0, weight = 0;
        std::vector<double> squared(channelsOut, 0), count(channelsOut, 0);
        for (std::size_t start = 0; start < val->size(); start += config.batch) {
            std::vector<std::size_t> indices;
            for (std::size_t i = start; i < std::min(val->size(), start + config.batch); ++i) indices.push_back(i);
            torch::Tensor x, y, mask;
            batch(*val, indices, false, 0, x, y, mask);
            const torch::Tensor prediction = model->forward(x);
            const double w = mask.sum().item<double>();
            loss += maskedMse(prediction, y, mask).item<double>() * w;
            weight += w;
            for (int c = 0; c < channelsOut; ++c) {
                const auto diff = (prediction.select(1, c) - y.select(1, c)) * normalisation.targetStd[c];
                squared[c] += (diff.pow(2) * mask.select(1, c)).sum().item<double>();
                count[c] += mask.select(1, c).sum().item<double>();
            }
        }
        model->train();
        double rmse = 0;
        for (int c = 0; c < channelsOut; ++c) rmse += count[c] > 0 ? std::sqrt(squared[c] / count[c]) : 0.0;
        return {weight > 0 ? loss / weight : -1, rmse / channelsOut};
    }
};

Trainer::Trainer(TrainingConfig config, std::string runDirectory, bool resume) {
    fs::create_directories(runDirectory);
    const std::string latest = runDirectory + "/latest.pt";
    if (!resume && fs::exists(latest)) throw Error(runDirectory + " already holds a run; use --resume to continue it or choose another --out");
    if (resume) {
        if (!fs::exists(latest)) throw Error("nothing to resume: " + latest + " does not exist");
        config = detail::readCheckpoint(latest).config; // the run goes on with its own config
    }
    mImpl = std::make_unique<Impl>(config, runDirectory);
    Impl& d = *mImpl;
    d.configJson = d.config.toJson();
    d.device = chooseDevice(d.config.device);
    torch::set_num_threads(d.config.threads > 0 ? d.config.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    const auto& m = d.train.manifest();
    d.channelsIn = static_cast<int>(m.inputChannels.size());
    d.channelsOut = static_cast<int>(m.targetChannels.size());
    d.tile = m.tile;
    if (d.tile % (1 << (d.config.depth - 1)) != 0)
        throw Error("tile " + std::to_string(d.tile) + " does not divide by 2^(depth-1) = " + std::to_string(1 << (d.config.depth - 1)));
    if (d.train.size() == 0) throw Error("the dataset's train split is empty");
    if (m.splits.count("val")) d.val.emplace(TileDataset::open(d.config.dataset, "val"));
    torch::manual_seed(d.config.seed);
    d.model = detail::makeModel(d.config, d.channelsIn, d.channelsOut);
    d.model->to(d.device);
    d.optimizer = std::make_unique<torch::optim::Adam>(d.model->parameters(), torch::optim::AdamOptions(d.config.learningRate));
    if (resume) {
        const auto checkpoint = detail::readCheckpoint(latest);
        d.normalisation = checkpoint.normalisation;
        d.position = checkpoint.position;
        detail::loadCheckpointState(latest, d.model, d.optimizer.get());
    } else {
        const SplitStatistics inputs = splitStatistics(d.train, false), targets = splitStatistics(d.train, true);
        d.normalisation = {inputs.mean, inputs.stddev, targets.mean, targets.stddev};
        writeTextFileAtomically(runDirectory + "/config.json", d.configJson + "\n");
    }
}

Trainer::~Trainer() = default;

std::string Trainer::device() const { return mImpl->device.str(); }

void Trainer::run(TaskControl& control, const std::function<void(const TrainingProgress&)>& onProgress) {
    Impl& d = *mImpl;
    const std::size_t tiles = d.train.size();
    const long batchesPerEpoch = static_cast<long>((tiles + d.config.batch - 1) / d.config.batch);
    const long totalSteps = batchesPerEpoch * d.config.epochs;
    const std::string logPath = d.runDirectory + "/training_log.csv";
    if (!fs::exists(logPath)) std::ofstream(logPath) << "event,epoch,step,loss,val_loss,val_rmse,images_per_s,eta_s,learning_rate\n";
    std::ofstream log(logPath, std::ios::app);
    const auto record = [&](const TrainingProgress& p) {
        log << p.event << ',' << p.epoch << ',' << p.step << ',' << p.loss << ',' << p.valLoss << ',' << p.valRmse << ',' << p.imagesPerSecond << ','
            << p.etaSeconds << ',' << p.learningRate << '\n';
        log.flush();
        onProgress(p);
    };
    const auto started = std::chrono::steady_clock::now();
    long stepsThisRun = 0;
    d.model->train();
    for (int epoch = d.position.epoch; epoch < d.config.epochs; ++epoch) {
        // The epoch's order depends on (seed, epoch) only, so a resumed run sees the same batches.
        std::vector<std::size_t> order(tiles);
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 shuffle(mix(d.config.seed, static_cast<std::uint64_t>(epoch)));
        std::shuffle(order.begin(), order.end(), shuffle);
        double lossSum = 0;
        long lossCount = 0;
        auto lastReport = std::chrono::steady_clock::now();
        for (long b = d.position.batch; b < batchesPerEpoch; ++b) {
            if (control.isCanceled() || fs::exists(d.runDirectory + "/cancel")) {
                d.position.batch = b;
                d.save("latest.pt");
                fs::remove(d.runDirectory + "/cancel");
                TrainingProgress p{"canceled", epoch + 1, d.position.step, lossCount ? lossSum / lossCount : 0.0};
                record(p);
                return;
            }
            const double lr = d.config.learningRate * 0.5 * (1 + std::cos(M_PI * static_cast<double>(d.position.step) / totalSteps));
            for (auto& group : d.optimizer->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            std::vector<std::size_t> indices(order.begin() + b * d.config.batch,
                                             order.begin() + std::min<long>(static_cast<long>(tiles), (b + 1) * d.config.batch));
            torch::Tensor x, y, mask;
            d.batch(d.train, indices, d.config.augment, mix(d.config.seed ^ 0xA06ull, static_cast<std::uint64_t>(epoch)), x, y, mask);
            d.optimizer->zero_grad();
            const torch::Tensor loss = Impl::maskedMse(d.model->forward(x), y, mask);
            loss.backward();
            d.optimizer->step();
            ++d.position.step;
            ++stepsThisRun;
            lossSum += loss.item<double>();
            ++lossCount;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const double perStep = elapsed / stepsThisRun;
            TrainingProgress p{"step", epoch + 1, d.position.step, lossSum / lossCount, -1, -1,
                               stepsThisRun * static_cast<double>(d.config.batch) / elapsed, perStep * (totalSteps - d.position.step), lr};
            if (std::chrono::steady_clock::now() - lastReport > std::chrono::seconds(1) || b + 1 == batchesPerEpoch) {
                onProgress(p);
                lastReport = std::chrono::steady_clock::now();
            }
            control.setProgress(static_cast<double>(d.position.step) / totalSteps, "training");
        }
        d.position.epoch = epoch + 1;
        d.position.batch = 0;
        const auto [valLoss, valRmse] = d.validate();
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        TrainingProgress p{"epoch", epoch + 1, d.position.step, lossCount ? lossSum / lossCount : 0.0, valLoss, valRmse,
                           stepsThisRun * static_cast<double>(d.config.batch) / std::max(elapsed, 1e-9),
                           stepsThisRun ? elapsed / stepsThisRun * (totalSteps - d.position.step) : 0.0,
                           d.config.learningRate * 0.5 * (1 + std::cos(M_PI * static_cast<double>(d.position.step) / totalSteps))};
        const bool best = valLoss >= 0 ? valLoss < d.position.bestValLoss : true;
        if (best && valLoss >= 0) d.position.bestValLoss = valLoss;
        d.save("latest.pt");
        if (best) d.save("best.pt");
        record(p);
    }
}

} // namespace jezero::ml
