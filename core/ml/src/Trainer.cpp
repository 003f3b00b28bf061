#include "jezero/ml/Trainer.h"

#include "Checkpoint.h"
#include "Communicator.h"
#include "Denoiser.h"
#include "Model.h"
#include "Networks.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Fnv1a.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Task.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <random>
#include <cstdio>
#include <set>
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

// bfloat16 autocast for the forward passes on CUDA (no-op on the CPU).
class AutocastScope {
public:
    AutocastScope(const torch::Device& device, bool enabled) : mActive(enabled && device.is_cuda()) {
        if (!mActive) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16); // the per-device API (the CUDA-only one is deprecated)
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
#endif
    }
    ~AutocastScope() {
        if (!mActive) return;
        at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool mActive;
};

// The BCE weight of carbonate label pixels per the config's positive_weight: a number as given, else
// negative over positive valid pixels of the train split (1 when either is missing), or its square root.
double positiveWeight(const TileDataset& train, const std::string& rule) {
    if (rule != "balanced" && rule != "sqrt") return std::stod(rule);
    const std::size_t plane = static_cast<std::size_t>(train.manifest().tile) * train.manifest().tile;
    double positive = 0, negative = 0;
    for (std::size_t i = 0; i < train.size(); ++i) {
        const float* t = train.target(i);
        for (std::size_t p = 0; p < plane; ++p) positive += t[p] == 1.0f, negative += t[p] == 0.0f;
    }
    const double balanced = positive > 0 && negative > 0 ? negative / positive : 1.0;
    return rule == "sqrt" ? std::sqrt(balanced) : balanced;
}

// Starts the training log, or on resume keeps its header and the rows up to the checkpoint's step:
// later rows are of work the checkpoint does not hold (the run was killed), which the resume redoes.
void keepLogRowsUpTo(const std::string& logPath, long step) {
    const std::string header = "event,epoch,step,loss,val_loss,val_rmse,images_per_s,eta_s,learning_rate\n";
    std::ifstream in(logPath);
    if (!in) {
        writeTextFileAtomically(logPath, header);
        return;
    }
    std::string line, kept = header;
    bool dropped = false;
    std::getline(in, line); // the header
    while (std::getline(in, line)) {
        const auto first = line.find(','), second = first == std::string::npos ? first : line.find(',', first + 1);
        const auto third = second == std::string::npos ? second : line.find(',', second + 1);
        const bool whole = third != std::string::npos;
        if (whole && std::strtol(line.c_str() + second + 1, nullptr, 10) <= step)
            kept += line + '\n';
        else
            dropped = true;
    }
    if (dropped) writeTextFileAtomically(logPath, kept);
}

// The rank's part of a global batch: contiguous, the sizes differing by at most one.
std::vector<std::size_t> shareOf(const std::vector<std::size_t>& global, int rank, int ranks) {
    const std::size_t n = global.size();
    return {global.begin() + static_cast<std::ptrdiff_t>(n * rank / ranks), global.begin() + static_cast<std::ptrdiff_t>(n * (rank + 1) / ranks)};
}

// A digest of the bytes of the tensors (ranks compare theirs: identical weights, identical digests).
std::int64_t weightsDigest(const std::vector<torch::Tensor>& tensors) {
    std::string bytes;
    for (const auto& t : tensors) {
        const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
        bytes.append(static_cast<const char*>(c.data_ptr()), c.nbytes());
    }
    return static_cast<std::int64_t>(fnv1a64(bytes));
}

std::string hex(std::int64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

} // namespace

struct Trainer::Impl {
    TrainingConfig config;
    std::string configJson;
    std::string runDirectory;
    torch::Device device{torch::kCPU};
    TileDataset train = TileDataset::open(config.dataset, "train");
    std::optional<TileDataset> val;
    detail::CheckpointInfo info; // what every checkpoint of the run says besides the weights
    std::unique_ptr<detail::Model> model;
    std::unique_ptr<torch::optim::Adam> optimizer;
    std::unique_ptr<detail::Communicator> comm; // the other ranks of a data-parallel run (none: a no-op)
    int channelsIn = 0, channelsOut = 0, tile = 0;

    Impl(TrainingConfig c, std::string dir) : config(std::move(c)), runDirectory(std::move(dir)) {}

    struct Batch {
        detail::Conditioning conditioning;
        torch::Tensor target, mask;
    };

    // A batch of tiles as normalised tensors: inputs (NaN → 0), metadata, targets and their validity mask.
    Batch batch(const TileDataset& data, const std::vector<std::size_t>& indices, bool augmentTiles, std::uint64_t seed) const {
        const std::size_t plane = static_cast<std::size_t>(tile) * tile;
        const bool logInput = config.inputTransform == "log";
        const auto& n = info.normalisation;
        std::vector<float> in(indices.size() * channelsIn * plane), out(indices.size() * channelsOut * plane), valid(out.size()),
            metadata(indices.size() * detail::kMetadataFeatures);
        std::vector<int64_t> locations(indices.size());
        // Tiles are augmented and normalised in parallel: done one by one, this kept a GPU waiting for
        // most of each step (tools/gpu-check).
        parallelFor(indices.size(), [&](std::size_t first, std::size_t last) {
            for (std::size_t b = first; b < last; ++b) {
                Tile t = data.tile(indices[b]);
                if (augmentTiles) t = augment(t, mix(seed, indices[b]));
                for (int c = 0; c < channelsIn; ++c)
                    for (std::size_t p = 0; p < plane; ++p) {
                        const float v = t.input[c * plane + p];
                        in[(b * channelsIn + c) * plane + p] =
                            std::isfinite(v) ? static_cast<float>((detail::transformedInput(v, logInput) - n.inputMean[c]) / n.inputStd[c]) : 0.0f;
                    }
                for (int c = 0; c < channelsOut; ++c)
                    for (std::size_t p = 0; p < plane; ++p) {
                        const float v = t.target[c * plane + p];
                        const std::size_t o = (b * channelsOut + c) * plane + p;
                        valid[o] = std::isfinite(v) ? 1.0f : 0.0f;
                        out[o] = std::isfinite(v) ? static_cast<float>((v - n.targetMean[c]) / n.targetStd[c]) : 0.0f;
                    }
                const TileRecord& r = data.record(indices[b]);
                const auto features = detail::metadataFeatures(r.latitudeDeg, r.longitudeDeg);
                std::copy(features.begin(), features.end(), metadata.begin() + static_cast<std::ptrdiff_t>(b * detail::kMetadataFeatures));
                const auto known = std::find(info.locations.begin(), info.locations.end(), r.region);
                locations[b] = known == info.locations.end() ? 0 : 1 + (known - info.locations.begin());
            }
        });
        const auto count = static_cast<int64_t>(indices.size());
        Batch result;
        result.conditioning.image = torch::from_blob(in.data(), {count, channelsIn, tile, tile}).clone().to(device);
        result.conditioning.metadata = torch::from_blob(metadata.data(), {count, detail::kMetadataFeatures}).clone().to(device);
        result.conditioning.location = torch::tensor(locations, torch::kLong).to(device);
        result.target = torch::from_blob(out.data(), {count, channelsOut, tile, tile}).clone().to(device);
        result.mask = torch::from_blob(valid.data(), {count, channelsOut, tile, tile}).clone().to(device);
        return result;
    }

    // The training loss of a batch (bf16 autocast on CUDA when the config asks).
    torch::Tensor trainingLoss(const Batch& b, std::uint64_t noiseSeed) {
        AutocastScope autocast(device, config.bf16);
        return model->trainingLoss(b.conditioning, b.target, b.mask, noiseSeed);
    }

    // One rank's part of a data-parallel step: the loss of its tiles, weighted by their valid target
    // values (every loss is a mean over them), back-propagated; then gradients and weights summed over
    // the ranks and divided by the total — the gradient of the mean over the whole global batch, as a
    // single process computes it. Returns the global batch's loss (not finite on every rank when it is
    // on any rank). A parameter no rank's loss reached keeps no gradient, as in a single process.
    double distributedBackward(const std::vector<std::size_t>& mine, std::uint64_t augmentSeed, std::uint64_t noiseSeed) {
        double weighted = 0, weight = 0;
        if (!mine.empty()) {
            const Batch b = batch(train, mine, config.augment, augmentSeed);
            const torch::Tensor loss = trainingLoss(b, noiseSeed);
            weight = b.mask.sum().item<double>();
            const double value = loss.item<double>();
            weighted = value * weight;
            if (std::isfinite(value) && weight > 0) (loss * weight).backward();
        }
        std::vector<torch::Tensor> parameters = model->trainableParameters(), sums;
        std::vector<float> defined(parameters.size());
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            torch::Tensor& p = parameters[i];
            defined[i] = p.grad().defined() ? 1.0f : 0.0f;
            if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
            sums.push_back(p.mutable_grad());
        }
        sums.push_back(torch::tensor(defined, torch::kFloat32).to(device));
        sums.push_back(torch::tensor({weighted, weight}, torch::kFloat64).to(device));
        comm->sum(sums);
        const torch::Tensor definedAnywhere = sums[parameters.size()].to(torch::kCPU), totals = sums[parameters.size() + 1].to(torch::kCPU);
        const double total = totals[1].item<double>();
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            if (definedAnywhere[static_cast<int64_t>(i)].item<float>() == 0)
                parameters[i].mutable_grad() = torch::Tensor();
            else if (total > 0)
                parameters[i].mutable_grad().div_(total);
        }
        return total > 0 ? totals[0].item<double>() / total : totals[0].item<double>();
    }

    // latest.pt carries the optimizer for --resume; best.pt is for prediction and stays small.
    void save(const std::string& name) {
        if (!comm->leader()) return; // every rank holds the same weights; one writes them
        detail::saveCheckpoint(runDirectory + "/" + name, *model, name == "latest.pt" ? optimizer.get() : nullptr, info);
    }

    // Validation loss (normalised; for diffusion the EDM loss at fixed noise draws, EMA weights) and
    // RMSE in target units of one prediction (diffusion: one fast sample), mean over channels.
    std::pair<double, double> validate() {
        if (!val || val->size() == 0) return {-1, -1};
        torch::NoGradGuard noGrad;
        model->setTraining(false);
        double loss = 0, weight = 0;
        std::vector<double> squared(channelsOut, 0), count(channelsOut, 0);
        const detail::SampleSettings fast{8, detail::Sampler::DpmSolver2M};
        std::vector<Batch> batches;
        std::vector<std::size_t> starts;
        for (std::size_t start = 0; start < val->size(); start += config.batch) {
            std::vector<std::size_t> indices;
            for (std::size_t i = start; i < std::min(val->size(), start + config.batch); ++i) indices.push_back(i);
            batches.push_back(batch(*val, indices, false, 0));
            starts.push_back(start);
        }
        // Ranks score every ranks()-th batch and sum; the calibration below sees every batch on every rank.
        const auto mine = [&](std::size_t k) { return static_cast<int>(k % comm->size()) == comm->rank(); };
        for (std::size_t k = 0; k < batches.size(); ++k) {
            if (!mine(k)) continue;
            const Batch& b = batches[k];
            AutocastScope autocast(device, config.bf16);
            const double w = b.mask.sum().item<double>();
            loss += model->validationLoss(b.conditioning, b.target, b.mask, mix(config.seed, starts[k])).item<double>() * w;
            weight += w;
        }
        {
            // A probability model's Platt scaling, fitted on the validation split before it is scored.
            std::vector<detail::Conditioning> conditioning;
            std::vector<torch::Tensor> targets, masks;
            for (const Batch& b : batches) conditioning.push_back(b.conditioning), targets.push_back(b.target), masks.push_back(b.mask);
            model->fitCalibration(conditioning, targets, masks);
        }
        for (std::size_t k = 0; k < batches.size(); ++k) {
            if (!mine(k)) continue;
            const Batch& b = batches[k];
            const std::size_t start = starts[k];
            AutocastScope autocast(device, config.bf16);
            at::Generator generator = detail::seededGenerator(mix(config.seed ^ 0x5A1ull, start));
            const torch::Tensor prediction = model->predict(b.conditioning, fast, generator).to(torch::kFloat32);
            for (int c = 0; c < channelsOut; ++c) {
                const auto diff = (prediction.select(1, c) - b.target.select(1, c)) * info.normalisation.targetStd[c];
                squared[c] += (diff.pow(2) * b.mask.select(1, c)).sum().item<double>();
                count[c] += b.mask.select(1, c).sum().item<double>();
            }
        }
        model->setTraining(true);
        {
            std::vector<torch::Tensor> sums{torch::tensor({loss, weight}, torch::kFloat64), torch::tensor(squared, torch::kFloat64),
                                            torch::tensor(count, torch::kFloat64)};
            comm->sum(sums);
            loss = sums[0][0].item<double>(), weight = sums[0][1].item<double>();
            for (int c = 0; c < channelsOut; ++c) squared[c] = sums[1][c].item<double>(), count[c] = sums[2][c].item<double>();
        }
        double rmse = 0;
        for (int c = 0; c < channelsOut; ++c) rmse += count[c] > 0 ? std::sqrt(squared[c] / count[c]) : 0.0;
        return {weight > 0 ? loss / weight : -1, rmse / channelsOut};
    }
};

TrainingConfig Trainer::savedConfig(const std::string& runDirectory) {
    const std::string latest = runDirectory + "/latest.pt";
    if (!fs::exists(latest)) throw Error("nothing to resume: " + latest + " does not exist");
    return detail::readCheckpoint(latest).config;
}

Trainer::Trainer(TrainingConfig config, std::string runDirectory, bool resume, bool keepGivenConfig, const DistributedSetup& distributed) {
    const bool leader = distributed.rank == 0;
    fs::create_directories(runDirectory);
    // Temporary files of a killed run (an atomic write that never reached its rename) are garbage.
    if (leader)
        for (const auto& entry : fs::directory_iterator(runDirectory))
            if (entry.is_regular_file() && entry.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(entry.path());
    const std::string latest = runDirectory + "/latest.pt";
    if (!resume && fs::exists(latest)) throw Error(runDirectory + " already holds a run; use --resume to continue it or choose another --out");
    std::optional<detail::CheckpointInfo> saved;
    if (resume) {
        if (!fs::exists(latest)) throw Error("nothing to resume: " + latest + " does not exist");
        saved = detail::readCheckpoint(latest);
        if (!keepGivenConfig)
            config = saved->config; // the run goes on with its own config
        else if (!config.sameNetworkAs(saved->config))
            throw Error("the new config builds another network than the run's (model, base_width, depth, metadata or diffusion settings); start a new run");
    }
    mImpl = std::make_unique<Impl>(config, runDirectory);
    Impl& d = *mImpl;
    d.configJson = d.config.toJson();
    d.device = chooseDevice(d.config.device);
    if (distributed.distributed() && d.device.is_cuda() && d.config.device == "auto") // one GPU per rank of a node
        d.device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(distributed.localRank % std::max<std::size_t>(1, torch::cuda::device_count())));
    const int everyCore = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(d.config.threads > 0 ? d.config.threads : distributed.threadsPerRank > 0 ? distributed.threadsPerRank : everyCore);
    if (d.device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true); // fixed tile shapes
    const auto& m = d.train.manifest();
    d.channelsIn = static_cast<int>(m.inputChannels.size());
    d.channelsOut = static_cast<int>(m.targetChannels.size());
    d.tile = m.tile;
    if (d.config.model == "diffusion") {
        TrainingConfig denoiser = d.config;
        denoiser.model = "unet"; // the same level arithmetic
        detail::checkTileFits(denoiser, d.tile);
    } else {
        detail::checkTileFits(d.config, d.tile);
    }
    if (d.train.size() == 0) throw Error("the dataset's train split is empty");
    if (d.config.batch < distributed.worldSize)
        throw Error("batch " + std::to_string(d.config.batch) + " is the global batch and cannot be split over " + std::to_string(distributed.worldSize) +
                    " ranks; use a batch of at least the number of ranks");
    if (d.config.inputTransform == "log" && m.input == "pca")
        throw Error("input_transform log needs I/F-like input channels; the PCA components of " + d.config.dataset + " can be negative");
    if (m.splits.count("val")) d.val.emplace(TileDataset::open(d.config.dataset, "val"));
    detail::CheckpointInfo& info = d.info;
    if (resume) {
        info = std::move(*saved);
        if (info.inputChannels != m.inputChannels || info.targetChannels != m.targetChannels || info.tile != m.tile)
            throw Error("the dataset " + d.config.dataset + " has other channels or tiles than the run was trained on");
    } else {
        // The input statistics are of what the network sees (ln I/F with input_transform log).
        const auto asSeen = d.config.inputTransform == "log" ? std::function<double(float)>([](float v) { return detail::transformedInput(v, true); })
                                                              : std::function<double(float)>();
        const SplitStatistics inputs = splitStatistics(d.train, false, asSeen), targets = splitStatistics(d.train, true);
        info.normalisation = {inputs.mean, inputs.stddev, targets.mean, targets.stddev};
        if (m.targetChannels == std::vector<std::string>{kCarbonateLabelChannel}) info.normalisation.targetMean = {0.0}, info.normalisation.targetStd = {1.0}; // 0/1 labels stay 0/1
        std::set<std::string> regions;
        for (std::size_t i = 0; i < d.train.size(); ++i)
            if (!d.train.record(i).region.empty() && d.train.record(i).region != "unknown") regions.insert(d.train.record(i).region);
        info.locations.assign(regions.begin(), regions.end());
    }
    info.config = d.config;
    info.configJson = d.configJson;
    info.tile = d.tile;
    info.inputKind = m.input;
    info.target = m.target;
    info.inputChannels = m.inputChannels;
    info.targetChannels = m.targetChannels;
    info.fusionFactor = m.fusionFactor;
    torch::manual_seed(d.config.seed);
    detail::ModelShape shape = info.shape();
    if (shape.probability) shape.positiveWeight = positiveWeight(d.train, d.config.positiveWeight);
    d.model = detail::makeModel(d.config, shape, !resume);
    d.model->to(d.device);
    d.optimizer = std::make_unique<torch::optim::Adam>(d.model->trainableParameters(), torch::optim::AdamOptions(d.config.learningRate));
    if (resume) {
        detail::loadCheckpointState(latest, *d.model, d.optimizer.get());
    } else {
        std::vector<std::size_t> first;
        for (std::size_t i = 0; i < std::min<std::size_t>(d.train.size(), 64); ++i) first.push_back(i);
        const Impl::Batch b = d.batch(d.train, first, false, 0);
        d.model->calibrate(b.conditioning, b.target, b.mask);
        if (leader) writeTextFileAtomically(runDirectory + "/config.json", d.configJson + "\n");
    }
    if (resume && keepGivenConfig && leader) writeTextFileAtomically(runDirectory + "/config.json", d.configJson + "\n");
    // The ranks meet only now, after every check a bad config or dataset fails: then they all fail alike.
    d.comm = detail::Communicator::connect(distributed, d.device);
    if (distributed.grouped()) {
        // Same seed, same data: the ranks built the same model; rank 0's copy makes that certain.
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> state = d.model->trainableParameters();
        for (const auto& t : d.model->predictionTensors()) state.push_back(t);
        d.comm->broadcast(state);
    }
}

Trainer::~Trainer() = default;

std::string Trainer::device() const { return mImpl->device.str(); }
bool Trainer::hasValidation() const { return mImpl->val && mImpl->val->size() > 0; }
int Trainer::rank() const { return mImpl->comm->rank(); }
int Trainer::ranks() const { return mImpl->comm->size(); }
std::string Trainer::backend() const { return mImpl->comm->backend(); }
double Trainer::bytesCommunicated() const { return mImpl->comm->bytesReduced(); }
std::string Trainer::modelSummary() const { return mImpl->model->summary(); }

void Trainer::run(TaskControl& control, const std::function<void(const TrainingProgress&)>& onProgress) {
    Impl& d = *mImpl;
    const std::size_t tiles = d.train.size();
    // A last batch of one tile is left out of the epoch (BatchNorm cannot train on it; the tile comes
    // round in another batch next epoch).
    const long fullBatches = static_cast<long>(tiles / d.config.batch);
    const long batchesPerEpoch = fullBatches + (tiles % d.config.batch > 1 || fullBatches == 0 ? 1 : 0);
    detail::Position& position = d.info.position;
    const long totalSteps = batchesPerEpoch * d.config.epochs;
    const std::string logPath = d.runDirectory + "/training_log.csv";
    const bool leader = d.comm->leader();
    const int ranks = d.comm->size(), rank = d.comm->rank();
    if (leader) keepLogRowsUpTo(logPath, position.step);
    std::ofstream log;
    if (leader) log.open(logPath, std::ios::app);
    // The CSV mirrors the progress reports (JSON lines of jezero-cli train); a value that does not
    // exist (no validation split, a step row's validation) is an empty field.
    const auto logRow = [&](const TrainingProgress& p) {
        log << p.event << ',' << p.epoch << ',' << p.step << ',' << p.loss << ',';
        if (p.valLoss >= 0) log << p.valLoss;
        log << ',';
        if (p.valRmse >= 0) log << p.valRmse;
        log << ',' << p.imagesPerSecond << ',' << p.etaSeconds << ',' << p.learningRate << '\n';
        log.flush();
    };
    const auto record = [&](const TrainingProgress& p) {
        if (!leader) return; // rank 0 speaks for the run
        logRow(p);
        onProgress(p);
    };
    const auto started = std::chrono::steady_clock::now();
    long stepsThisRun = 0;
    d.model->setTraining(true);
    for (int epoch = position.epoch; epoch < d.config.epochs; ++epoch) {
        // The epoch's order depends on (seed, epoch) only, so a resumed run sees the same batches.
        std::vector<std::size_t> order(tiles);
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 shuffle(mix(d.config.seed, static_cast<std::uint64_t>(epoch)));
        std::shuffle(order.begin(), order.end(), shuffle);
        double lossSum = 0;
        long lossCount = 0;
        auto lastReport = std::chrono::steady_clock::now();
        for (long b = position.batch; b < batchesPerEpoch; ++b) {
            // Any rank's cancel stops every rank at this step (one small all-reduce when distributed).
            if (d.comm->any(control.isCanceled() || fs::exists(d.runDirectory + "/cancel"))) {
                position.batch = b;
                d.save("latest.pt");
                if (leader) fs::remove(d.runDirectory + "/cancel");
                TrainingProgress p{"canceled", epoch + 1, position.step, lossCount ? lossSum / lossCount : 0.0};
                record(p);
                return;
            }
            const double lr = d.config.learningRate * 0.5 * (1 + std::cos(M_PI * static_cast<double>(position.step) / totalSteps));
            for (auto& group : d.optimizer->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            const std::vector<std::size_t> indices(order.begin() + b * d.config.batch,
                                                   order.begin() + std::min<long>(static_cast<long>(tiles), (b + 1) * d.config.batch));
            const std::uint64_t augmentSeed = mix(d.config.seed ^ 0xA06ull, static_cast<std::uint64_t>(epoch));
            std::uint64_t noiseSeed = mix(d.config.seed ^ 0xD1Full, static_cast<std::uint64_t>(position.step));
            if (rank > 0) noiseSeed = mix(noiseSeed, static_cast<std::uint64_t>(rank)); // each rank its own diffusion noise
            d.optimizer->zero_grad();
            double lossValue = 0;
            if (d.comm->backend().empty()) { // one process, no group: the plain step
                const torch::Tensor loss = d.trainingLoss(d.batch(d.train, indices, d.config.augment, augmentSeed), noiseSeed);
                lossValue = loss.item<double>();
                if (std::isfinite(lossValue)) loss.backward();
            } else {
                lossValue = d.distributedBackward(shareOf(indices, rank, ranks), augmentSeed, noiseSeed);
            }
            if (!std::isfinite(lossValue))
                throw Error("training diverged at step " + std::to_string(position.step + 1) + " (the loss is not finite); latest.pt keeps epoch " +
                            std::to_string(position.epoch) + " — a lower learning_rate may help");
            d.optimizer->step();
            d.model->afterStep(position.step);
            ++position.step;
            ++stepsThisRun;
            lossSum += lossValue;
            ++lossCount;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const double perStep = elapsed / stepsThisRun;
            TrainingProgress p{"step", epoch + 1, position.step, lossSum / lossCount, -1, -1,
                               stepsThisRun * static_cast<double>(d.config.batch) / elapsed, perStep * (totalSteps - position.step), lr};
            if (std::chrono::steady_clock::now() - lastReport > std::chrono::seconds(1) || b + 1 == batchesPerEpoch) {
                record(p);
                lastReport = std::chrono::steady_clock::now();
            }
            control.setProgress(static_cast<double>(position.step) / totalSteps, "training");
        }
        position.epoch = epoch + 1;
        position.batch = 0;
        const auto [valLoss, valRmse] = d.validate();
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        TrainingProgress p{"epoch", epoch + 1, position.step, lossCount ? lossSum / lossCount : 0.0, valLoss, valRmse,
                           stepsThisRun * static_cast<double>(d.config.batch) / std::max(elapsed, 1e-9),
                           stepsThisRun ? elapsed / stepsThisRun * (totalSteps - position.step) : 0.0,
                           d.config.learningRate * 0.5 * (1 + std::cos(M_PI * static_cast<double>(position.step) / totalSteps))};
        if (!d.comm->backend().empty()) { // in a process group (of one, too)
            // The ranks must hold the same weights after every step; checked once an epoch.
            const auto digests = d.comm->gather(weightsDigest(d.model->trainableParameters()));
            for (const auto digest : digests) p.weightDigests.push_back(hex(digest));
            if (std::adjacent_find(digests.begin(), digests.end(), std::not_equal_to<>()) != digests.end())
                throw Error("the ranks' weights differ after epoch " + std::to_string(epoch + 1) + ": a rank diverged (its digests: " +
                            [&] { std::string all; for (const auto& h : p.weightDigests) all += (all.empty() ? "" : " ") + h; return all; }() + ")");
        }
        const bool best = valLoss >= 0 ? valLoss < position.bestValLoss : true;
        if (best && valLoss >= 0) position.bestValLoss = valLoss;
        // The row before the checkpoint: a run killed in between redoes the epoch, and its resume drops
        // the row (keepLogRowsUpTo) instead of losing the row of an epoch the checkpoint holds.
        if (leader) logRow(p);
        d.save("latest.pt");
        if (best) d.save("best.pt");
        if (leader) onProgress(p);
    }
}

} // namespace jezero::ml
