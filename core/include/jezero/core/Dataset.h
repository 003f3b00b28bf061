#pragma once
// Training datasets of (input, target) tiles, and the loader that reads them.
//
// On disk (format_version 1), one folder:
//   dataset.json              what the tiles are: input kind and channels, target and channels, tile
//                             size, seed, split rule, and per split its tile and carbonate-tile counts
//   <split>_inputs.f32        float32, little-endian, tiles × input channels × tile × tile (NCHW)
//   <split>_targets.f32       the same for the target channels (physical parameter values)
//   <split>_tiles.csv         one row per tile: tile,scene,region,x,y,latitude_deg,longitude_deg,
//                             valid_fraction,carbonate_fraction,carbonate_bearing
// NaN marks no-data pixels in both arrays. In NumPy:
//   np.memmap("train_inputs.f32", "<f4", "r").reshape(n, c, t, t)
// Splits are "train", "val", "test" and "test_balanced" (equal numbers of carbonate-bearing and
// carbonate-free test tiles). A scene's tiles all go to one split (never train and test).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jezero {

// The three target parameters: "fal" (R2529, R1506, R1080), "car" (D2300, BD2500_2, BD1900_2) or
// three comma-separated summary parameter names. Throws Error.
struct TargetSpec {
    std::string name;
    std::vector<std::string> parameters;
};
TargetSpec parseTarget(const std::string& text);

// The target channel that measures carbonate, for detection metrics and the exceedance probability:
// the first of MIN2295_2480 (Mg), MIN2345_2537 (Ca/Fe), BD2500_2, BD3400_2 among the channels, else -1
// (FAL has none). A pixel counts as carbonate where that parameter exceeds kCarbonateThreshold (the
// threshold that labels real scenes, see jezero-cli dataset build).
int carbonateChannel(const std::vector<std::string>& targetChannels);
constexpr double kCarbonateThreshold = 0.01;

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

struct DatasetManifest {
    int formatVersion = 1;
    std::string input;                      // pnr, 4band, pca, rect
    std::vector<std::string> inputChannels;
    std::string target;                     // fal, car, or the names
    std::vector<std::string> targetChannels;
    int tile = 256;
    std::uint64_t seed = 0;
    std::string splitBy = "scene";          // scene or region
    std::map<std::string, SplitSummary> splits;
};

// A tile is carbonate-bearing when at least this share of its valid pixels carry carbonate.
constexpr double kCarbonateTileFraction = 0.005;

// Streams tiles into split files; finish() adds the balanced test split and the manifest. Until
// finish() the folder holds only temporary files, so a crash never leaves a dataset that looks whole.
class DatasetWriter {
public:
    DatasetWriter(std::string directory, DatasetManifest manifest);
    ~DatasetWriter();
    // input: inputChannels × tile × tile, target: targetChannels × tile × tile (CHW).
    void addTile(const std::string& split, const float* input, const float* target, const TileRecord& record);
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
// spread over the splits (in each stratum of three or more groups, val and test get at least one).
std::map<std::string, std::string> assignSplits(const std::vector<SplitUnit>& scenes, const std::string& splitBy, std::uint64_t seed);

// One tile in memory, CHW.
struct Tile {
    int size = 0;
    int inputChannels = 0, targetChannels = 0;
    std::vector<float> input, target;
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
    Tile tile(std::size_t i) const;

private:
    TileDataset();
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

// Per-channel mean and standard deviation (sample, n − 1) of the finite values of a split's inputs or
// targets; a channel without values gets mean 0, std 1.
struct SplitStatistics {
    std::vector<double> mean, stddev;
};
SplitStatistics splitStatistics(const TileDataset& split, bool targets);

// The thesis's load-time augmentation, applied the same way to input and target: rotation by an angle
// in [-45°, 45°], a vertical flip (half the time), and a crop of one of the four quadrants scaled back
// to the tile size (half the time). Inputs are resampled bilinearly; targets by nearest neighbour, so
// every target value is one of the original ones (no brightness or gamma changes). Pixels rotated in
// from outside are NaN.
struct AugmentOptions {
    bool rotate = true;
    bool flip = true;
    bool quadrantCrop = true;
};
Tile augment(const Tile& tile, std::uint64_t seed, const AugmentOptions& options = {});

} // namespace jezero
