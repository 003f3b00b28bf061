#pragma once
// A trained model loaded from a checkpoint, applied to input tiles (CHW, the checkpoint's input
// channels and tile size); outputs are in target units (the normalisation is undone). A regression
// model gives one answer; a diffusion model draws an ensemble of samples whose mean, standard deviation
// and exceedance probability it reports.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace jezero::ml {

// What a tile is conditioned on besides its image (diffusion models with metadata; unknown values are
// the unconditional case the model was trained with).
struct TileContext {
    double latitudeDeg = std::numeric_limits<double>::quiet_NaN();
    double longitudeDeg = std::numeric_limits<double>::quiet_NaN();
    std::string location; // a location name the model knows, else unknown
};

struct SamplingOptions {
    int samples = 8;              // ensemble size
    int steps = 18;               // noise levels (Heun: 2·steps − 1 network calls per sample)
    std::string sampler = "heun"; // heun, euler, dpm (DPM-Solver++(2M), good at 8–12 steps)
    double imageGuidance = 1.0;   // classifier-free guidance scales; 1, 1 = the plain conditional model
    double metadataGuidance = 1.0;
    std::uint64_t seed = 0;       // the job's random generator (the same seed gives the same samples)
};

struct TilePrediction {
    std::vector<float> mean;       // outputChannels × tile × tile
    std::vector<float> stddev;     // per-pixel standard deviation over the samples (0 for regression)
    std::vector<float> exceedance; // tile × tile: share of samples whose probability channel exceeds the threshold
};

class Predictor {
public:
    // device: auto (CUDA when present), cpu, cuda, cuda:N. Throws Error.
    static Predictor load(const std::string& checkpointPath, const std::string& device = "auto");
    Predictor(Predictor&&) noexcept;
    ~Predictor();

    bool stochastic() const; // a diffusion model
    int inputChannels() const;
    int outputChannels() const;
    int tile() const;
    std::string inputKind() const;  // pnr, 4band, pca, rect (the dataset's)
    std::string target() const;     // fal, car, …
    std::vector<std::string> inputChannelNames() const;
    // The training inputs' per-channel mean and standard deviation as the network saw them (ln I/F
    // when logInputs), in inputChannelNames() order.
    struct InputStatistics {
        std::vector<double> mean, stddev;
        bool logInputs = false;
    };
    InputStatistics inputStatistics() const;
    std::vector<std::string> targetChannelNames() const;
    // A learned fusion model: the coarse / fine pixel ratio of the pairs it was trained on; 0 when not
    // recorded (checkpoints before it was) or not a fusion model.
    double fusionFactor() const;
    std::vector<std::string> locations() const;
    // Whether predictions depend on TileContext (a diffusion model conditioned on metadata).
    bool usesMetadata() const;
    // The model's own spelling of a location name, matched ignoring case, spaces, '_' and '-'
    // ("Nili Fossae" → "nilifossae"); empty when the model does not know it.
    std::string knownLocation(const std::string& name) const;
    std::string configJson() const;
    std::string summary() const;
    std::string device() const;

    // input: inputChannels × tile × tile (NaN counts as the channel mean); returns outputChannels × tile
    // × tile: the regression output, or the mean of a diffusion ensemble with default options.
    std::vector<float> predictTile(const std::vector<float>& input, const TileContext& context = {}) const;
    // The ensemble (one sample for a regression model). probabilityChannel < 0: no exceedance.
    TilePrediction predictEnsemble(const std::vector<float>& input, const TileContext& context, const SamplingOptions& options,
                                   int probabilityChannel = -1, double threshold = 0) const;
    // Several tiles: a regression model runs them in one pass of the network; a diffusion model samples
    // each as predictEnsemble does, with seeds[i] as its seed. contexts and seeds: one per tile.
    std::vector<TilePrediction> predictTiles(const std::vector<std::vector<float>>& inputs, const std::vector<TileContext>& contexts,
                                             const SamplingOptions& options, const std::vector<std::uint64_t>& seeds, int probabilityChannel = -1,
                                             double threshold = 0) const;

private:
    Predictor();
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

// How many CUDA devices LibTorch can use here (0 on a CPU build or a machine without a GPU), and
// whether cuDNN is there for them.
struct ComputeDevices {
    bool libtorchCuda = false; // the linked LibTorch was built with CUDA (Debian's is not)
    std::string libtorchVersion;
    int cudaDevices = 0;       // usable CUDA devices (0 without a CUDA LibTorch, a driver or a GPU)
    bool cudnn = false;
};
ComputeDevices computeDevices();

} // namespace jezero::ml
