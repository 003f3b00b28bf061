#pragma once
// Training datasets of (input, target) tiles, and the loader that reads them.
//
// On disk (format_version 2; version 1, without labels, is still read), one folder:
//   dataset.json              what the tiles are: input kind and channels, target and channels, where
//                             the targets come from (observed, clean) and their smoothing, the label
//                             rule, tile size, seed, split rule, per split its tile and carbonate-tile counts
//   <split>_inputs.f32        float32, little-endian, tiles × input channels × tile × tile (NCHW)
//   <split>_targets.f32       the same for the target channels (physical parameter values)
//   <split>_labels.u8         uint8, tiles × tile × tile: the per-pixel carbonate label, 1 carbonate,
//                             0 none, 255 no data (synthetic scenes: true abundance above
//                             kCarbonateLabelAbundance; real scenes: the smoothed-parameter rule)
//   <split>_tiles.csv         one row per tile: tile,scene,region,x,y,latitude_deg,longitude_deg,
//                             valid_fraction,carbonate_fraction,carbonate_bearing
// NaN marks no-data pixels in both float arrays. In NumPy:
//   np.memmap("train_inputs.f32", "<f4", "r").reshape(n, c, t, t)
//   np.memmap("train_labels.u8", "u1", "r").reshape(n, t, t)
// Splits are "train", "val", "test" and "test_balanced" (equal numbers of carbonate-bearing and
// carbonate-free test tiles). A scene's tiles all go to one split (never train and test).
#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneMetadata.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jezero {

// The three target parameters: "fal" (R2529, R1506, R1080), "car" (D2300, BD2500_2, BD1900_2) or
// three comma-separated summary parameter names. Throws Error.
// "carbonate" is one channel, CARBONATE: the per-pixel label as 0/1 (a carbonate-probability model).
struct TargetSpec {
    std::string name;
    std::vector<std::string> parameters;
};
TargetSpec parseTarget(const std::string& text);

constexpr const char* kCarbonateLabelChannel = "CARBONATE";

// The target channel that measures carbonate, for detection metrics and the exceedance probability:
// CARBONATE (a probability), else the first of MIN2295_2480 (Mg), MIN2345_2537 (Ca/Fe), BD2500_2,
// BD3400_2 among the channels, else -1
// (FAL has none). A pixel counts as carbonate where that parameter exceeds kCarbonateThreshold (the
// threshold that labels real scenes, see jezero-cli dataset build).
int carbonateChannel(const std::vector<std::string>& targetChannels);
constexpr double kCarbonateThreshold = 0.01;

// The threshold predict and evaluate apply to the carbonate channel unless told otherwise: 0.5 for a
// carbonate probability (CARBONATE), kCarbonateThreshold for a carbonate parameter.
double defaultCarbonateThreshold(const std::vector<std::string>& targetChannels);
// threshold when finite (else the default above); throws Error for one a probability cannot cross
// (outside 0 < t < 1 for CARBONATE) or that is not finite.
double carbonateThreshold(const std::vector<std::string>& targetChannels, double threshold);

struct TileRecord {
    std::string scene, region;
    int x = 0, y = 0; // top-left corner in the scene, pixels
    double latitudeDeg = 0, longitudeDeg = 0;
    double validFraction = 0;
    double carbonateFraction = 0; // of the valid pixels
    bool carbonateBearing = false;
};

struct SplitSummary {
    std::size_t tiles = 0;
    std::size_t carbonateTiles = 0;
};

constexpr std::uint8_t kLabelNone = 0, kLabelCarbonate = 1, kLabelNoData = 255;

struct DatasetManifest {
    int formatVersion = 2;
    std::string input;                      // pnr, 4band, pca, rect
    std::vector<std::string> inputChannels;
    std::string target;                     // fal, car, or the names
    std::vector<std::string> targetChannels;
    std::string targetSource = "observed";  // observed (the scene's parameter product or its cube) or clean (noise-free)
    int targetSmoothing = 0;                // targets averaged over this many pixels square (0: none)
    std::string labelRule;                  // how the carbonate label was made, in words
    int cropsPerScene = 0;                  // random crops per scene; 0: a regular grid of tiles
    double fusionFactor = 0;                // a learned fusion's pairs: coarse pixel / fine pixel (0: not a fusion dataset)
    int tile = 256;
    std::uint64_t seed = 0;
    std::string splitBy = "scene";          // scene or region
    std::map<std::string, SplitSummary> splits;
    std::vector<std::pair<std::string, std::string>> skippedScenes; // scene → why it could not be read
};

// A tile is carbonate-bearing when at least this share of its valid pixels carry carbonate.
constexpr double kCarbonateTileFraction = 0.005;

// Streams tiles into split files; finish() adds the balanced test split and the manifest. Until
// finish() the folder holds only temporary files, so a crash never leaves a dataset that looks whole.
class DatasetWriter {
public:
    DatasetWriter(std::string directory, DatasetManifest manifest);
    ~DatasetWriter();
    // input: inputChannels × tile × tile, target: targetChannels × tile × tile (CHW), label: tile × tile.
    void addTile(const std::string& split, const float* input, const float* target, const std::uint8_t* label, const TileRecord& record);
    // A scene left out (unreadable), with the reason, for the manifest.
    void skipScene(const std::string& scene, const std::string& reason);
    std::size_t tileCount(const std::string& split) const; // tiles added to it so far
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

// What the split assignment knows of a scene.
struct SplitUnit {
    std::string scene, region;
    bool carbonateBearing = false; // when known (synthetic scenes); a region is so if any of its scenes is
};

// Scene → split ("train", "val", "test"), by scene or by region, reproducibly from seed: about
// 70 / 15 / 15 % of the groups, stratified so carbonate-bearing and carbonate-free groups are both
// spread over the splits: in each stratum of three or more groups, val and test get at least one, and
// at least three once the stratum has nine; of a stratum of two, one trains and the other is held out
// (test for the first such stratum, val for the second).
std::map<std::string, std::string> assignSplits(const std::vector<SplitUnit>& scenes, const std::string& splitBy, std::uint64_t seed);
// Throws Error, with the scene count per split, when assignSplits left val or test without a scene:
// such a dataset trains with no validation (best.pt would be just the last epoch) and cannot be
// evaluated. allowEmpty (--allow-empty-splits) accepts it, e.g. for a quick look at a few scenes.
void requireHeldOutSplits(const std::map<std::string, std::string>& sceneSplit, const std::string& splitBy, bool allowEmpty);
// The same once the scenes are tiled (before finish): held-out scenes can give no tile (unreadable,
// smaller than the tile, mostly no data). An empty train split is an error even with allowEmpty.
void requireHeldOutTiles(const DatasetWriter& writer, bool allowEmpty);

// One tile in memory, CHW.
struct Tile {
    int size = 0;
    int inputChannels = 0, targetChannels = 0;
    std::vector<float> input, target;
    std::vector<std::uint8_t> label; // tile × tile; empty for a format-1 dataset
};

// Memory-mapped, read-only view of one split. Throws Error naming what is wrong with a corrupt or
// partial dataset (missing manifest, file of the wrong size, unknown split, bad index).
class TileDataset {
public:
    static TileDataset open(const std::string& directory, const std::string& split);
    TileDataset(TileDataset&&) noexcept;
    TileDataset& operator=(TileDataset&&) noexcept;
    ~TileDataset();

    static DatasetManifest readManifest(const std::string& directory);
    const DatasetManifest& manifest() const;
    std::size_t size() const;
    const TileRecord& record(std::size_t i) const;
    const float* input(std::size_t i) const;  // CHW
    const float* target(std::size_t i) const; // CHW
    const std::uint8_t* label(std::size_t i) const; // tile × tile; nullptr when the dataset has no labels (format 1)
    bool hasLabels() const;
    Tile tile(std::size_t i) const;

private:
    TileDataset();
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

// Per-channel mean and standard deviation (sample, n − 1) of the finite values of a split's inputs or
// targets, each taken through valueOf when given (the statistics of what a model sees, e.g. ln I/F); a
// channel without values gets mean 0, std 1.
struct SplitStatistics {
    std::vector<double> mean, stddev;
};
SplitStatistics splitStatistics(const TileDataset& split, bool targets, const std::function<double(float)>& valueOf = {});

// The thesis's load-time augmentation, applied the same way to input and target: rotation by an angle
// in [-45°, 45°], a vertical flip (half the time), and a crop of one of the four quadrants scaled back
// to the tile size (half the time). Inputs are resampled bilinearly; targets and labels by nearest
// neighbour, so every target value is one of the original ones (no brightness or gamma changes).
// Pixels rotated in from outside are NaN (label: no data).
struct AugmentOptions {
    bool rotate = true;
    bool flip = true;
    bool quadrantCrop = true;
};
Tile augment(const Tile& tile, std::uint64_t seed, const AugmentOptions& options = {});

// ---- cutting scenes into tiles -------------------------------------------------------------------

// A scene ready to be tiled: model input, targets and carbonate label on one grid.
struct TilingScene {
    std::string name, region;
    double latitudeDeg = 0, longitudeDeg = 0; // the scene's centre
    const ImageStack* input = nullptr;
    const ImageStack* targets = nullptr;
    const std::vector<std::uint8_t>* label = nullptr; // per pixel, row-major
    std::function<std::optional<LatLon>(double column, double row)> locate; // a pixel's place, when known
};

struct TilingOptions {
    int tile = 256;
    int randomCrops = 0;           // crops at random positions (seeded); 0: the regular grid
    std::uint64_t seed = 1;
    double minValidFraction = 0.5; // tiles with fewer valid pixels are skipped
};

struct TilingResult {
    int kept = 0, skipped = 0;
};

// Cuts the scene into tiles and adds them to the split. A pixel is valid where every input and target
// channel is finite; carbonate_fraction counts labelled pixels among the valid ones.
TilingResult addSceneTiles(DatasetWriter& writer, const std::string& split, const TilingScene& scene, const TilingOptions& options);

// The carbonate label of a synthetic scene from its true abundances: 1 above kCarbonateLabelAbundance,
// 255 where the abundance is NaN (outside the footprint).
std::vector<std::uint8_t> carbonateLabelFromAbundance(const ImageStack& abundances);
// That rule in words, for dataset manifests and reports.
std::string carbonateLabelFromAbundanceRule();

// The label as the one-channel target of a carbonate-probability model (--target carbonate): 1, 0, NaN.
ImageStack labelAsTarget(const std::vector<std::uint8_t>& label, int width, int height);

} // namespace jezero
