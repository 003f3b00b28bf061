#include "jezero/core/Dataset.h"

#include "DelimitedText.h"
#include "StrictJson.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/CsvText.h"
#include "jezero/core/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace jezero {
namespace {

std::string inputsFile(const std::string& split) { return split + "_inputs.f32"; }
std::string targetsFile(const std::string& split) { return split + "_targets.f32"; }
std::string tilesFile(const std::string& split) { return split + "_tiles.csv"; }
std::string labelsFile(const std::string& split) { return split + "_labels.u8"; }

std::string tilesCsv(const std::vector<TileRecord>& records) {
    std::ostringstream out;
    out.precision(10);
    out << "tile,scene,region,x,y,latitude_deg,longitude_deg,valid_fraction,carbonate_fraction,carbonate_bearing\n";
    for (std::size_t i = 0; i < records.size(); ++i) {
        const TileRecord& r = records[i];
        out << i << ',' << csvField(r.scene) << ',' << csvField(r.region) << ',' << r.x << ',' << r.y << ',' << r.latitudeDeg << ','
            << r.longitudeDeg << ',' << r.validFraction << ',' << r.carbonateFraction << ',' << (r.carbonateBearing ? 1 : 0) << '\n';
    }
    return out.str();
}

nlohmann::json manifestJson(const DatasetManifest& m) {
    nlohmann::json j{{"format_version", m.formatVersion}, {"input", m.input},   {"input_channels", m.inputChannels},
                     {"target", m.target},                {"target_channels", m.targetChannels},
                     {"target_source", m.targetSource},   {"target_smoothing", m.targetSmoothing},
                     {"label_rule", m.labelRule},         {"crops_per_scene", m.cropsPerScene},
                     {"tile", m.tile},                    {"seed", m.seed},     {"split_by", m.splitBy},
                     {"splits", nlohmann::json::object()}};
    for (const auto& [name, s] : m.splits)
        j["splits"][name] = {{"tiles", s.tiles}, {"carbonate_tiles", s.carbonateTiles}, {"inputs", inputsFile(name)},
                             {"targets", targetsFile(name)}, {"labels", labelsFile(name)}, {"index", tilesFile(name)}};
    if (m.fusionFactor > 0) j["fusion_factor"] = m.fusionFactor;
    if (!m.skippedScenes.empty()) {
        j["skipped_scenes"] = nlohmann::json::array();
        for (const auto& [scene, reason] : m.skippedScenes) j["skipped_scenes"].push_back({{"scene", scene}, {"reason", reason}});
    }
    return j;
}

} // namespace

int carbonateChannel(const std::vector<std::string>& targetChannels) {
    for (const char* name : {kCarbonateLabelChannel, "MIN2295_2480", "MIN2345_2537", "BD2500_2", "BD3400_2"})
        for (std::size_t c = 0; c < targetChannels.size(); ++c)
            if (targetChannels[c] == name) return static_cast<int>(c);
    return -1;
}

double defaultCarbonateThreshold(const std::vector<std::string>& targetChannels) {
    const int c = carbonateChannel(targetChannels);
    return c >= 0 && targetChannels[static_cast<std::size_t>(c)] == kCarbonateLabelChannel ? 0.5 : kCarbonateThreshold;
}

double carbonateThreshold(const std::vector<std::string>& targetChannels, double threshold) {
    if (std::isnan(threshold)) return defaultCarbonateThreshold(targetChannels);
    if (!std::isfinite(threshold)) throw Error("the carbonate threshold must be a finite number");
    const int c = carbonateChannel(targetChannels);
    if (c >= 0 && targetChannels[static_cast<std::size_t>(c)] == kCarbonateLabelChannel && (threshold <= 0 || threshold >= 1))
        throw Error("the threshold on a carbonate probability must lie between 0 and 1, not " + std::to_string(threshold));
    return threshold;
}

TargetSpec parseTarget(const std::string& text) {
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "fal") return {"fal", {"R2529", "R1506", "R1080"}};
    if (lower == "car") return {"car", {"D2300", "BD2500_2", "BD1900_2"}};
    if (lower == "carbonate") return {"carbonate", {kCarbonateLabelChannel}};
    TargetSpec spec{text, {}};
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) spec.parameters.push_back(item);
    if (spec.parameters.size() != 3) throw Error("--target takes fal, car, carbonate or three parameter names (A,B,C), not '" + text + "'");
    return spec;
}

// ---- writing -------------------------------------------------------------------------------------

struct DatasetWriter::Impl {
    std::string directory;
    DatasetManifest manifest;
    std::map<std::string, std::ofstream> inputs, targets, labels;
    std::map<std::string, std::vector<TileRecord>> records;
    bool finished = false;
    bool createdDirectory = false; // by this writer: removed again if the build fails and leaves it empty

    std::string temp(const std::string& file) const { return directory + "/." + file + ".partial"; }
    std::size_t inputFloats() const { return manifest.inputChannels.size() * manifest.tile * manifest.tile; }
    std::size_t targetFloats() const { return manifest.targetChannels.size() * manifest.tile * manifest.tile; }
    std::size_t labelBytes() const { return static_cast<std::size_t>(manifest.tile) * manifest.tile; }

    void open(const std::string& split) {
        if (inputs.count(split)) return;
        inputs[split].open(temp(inputsFile(split)), std::ios::binary | std::ios::trunc);
        targets[split].open(temp(targetsFile(split)), std::ios::binary | std::ios::trunc);
        labels[split].open(temp(labelsFile(split)), std::ios::binary | std::ios::trunc);
        records[split];
        if (!inputs[split] || !targets[split] || !labels[split]) throw Error("cannot write the dataset in " + directory);
    }
};

DatasetWriter::DatasetWriter(std::string directory, DatasetManifest manifest) : mImpl(std::make_unique<Impl>()) {
    mImpl->createdDirectory = fs::create_directories(directory);
    if (fs::exists(directory + "/dataset.json")) throw Error(directory + " already holds a dataset; choose another --out");
    mImpl->directory = std::move(directory);
    mImpl->manifest = std::move(manifest);
    mImpl->manifest.splits.clear();
    for (const char* split : {"train", "val", "test"}) mImpl->open(split);
}

DatasetWriter::~DatasetWriter() {
    if (mImpl->finished) return;
    for (auto& [split, s] : mImpl->inputs) s.close();
    for (auto& [split, s] : mImpl->targets) s.close();
    for (auto& [split, s] : mImpl->labels) s.close();
    std::error_code ignored;
    for (const auto& [split, r] : mImpl->records) {
        fs::remove(mImpl->temp(inputsFile(split)), ignored);
        fs::remove(mImpl->temp(targetsFile(split)), ignored);
        fs::remove(mImpl->temp(labelsFile(split)), ignored);
    }
    // A folder this writer made and that holds nothing now (the build failed) goes too.
    if (mImpl->createdDirectory && fs::is_empty(mImpl->directory, ignored)) fs::remove(mImpl->directory, ignored);
}

void DatasetWriter::skipScene(const std::string& scene, const std::string& reason) { mImpl->manifest.skippedScenes.emplace_back(scene, reason); }

void DatasetWriter::addTile(const std::string& split, const float* input, const float* target, const std::uint8_t* label, const TileRecord& record) {
    if (split != "train" && split != "val" && split != "test") throw Error("unknown split '" + split + "'");
    mImpl->inputs[split].write(reinterpret_cast<const char*>(input), static_cast<std::streamsize>(mImpl->inputFloats() * sizeof(float)));
    mImpl->targets[split].write(reinterpret_cast<const char*>(target), static_cast<std::streamsize>(mImpl->targetFloats() * sizeof(float)));
    mImpl->labels[split].write(reinterpret_cast<const char*>(label), static_cast<std::streamsize>(mImpl->labelBytes()));
    if (!mImpl->inputs[split] || !mImpl->targets[split] || !mImpl->labels[split])
        throw Error("cannot write the dataset in " + mImpl->directory + " (disk full?)");
    mImpl->records[split].push_back(record);
}

std::size_t DatasetWriter::tileCount(const std::string& split) const {
    const auto it = mImpl->records.find(split);
    return it == mImpl->records.end() ? 0 : it->second.size();
}

void DatasetWriter::finish() {
    Impl& d = *mImpl;
    for (auto& [split, s] : d.inputs) s.close();
    for (auto& [split, s] : d.targets) s.close();
    for (auto& [split, s] : d.labels) s.close();
    // The balanced test split: every carbonate-bearing test tile and as many carbonate-free ones,
    // drawn reproducibly (or the other way round when carbonate-free tiles are the fewer).
    std::vector<std::size_t> bearing, free;
    const auto& test = d.records["test"];
    for (std::size_t i = 0; i < test.size(); ++i) (test[i].carbonateBearing ? bearing : free).push_back(i);
    std::mt19937_64 rng(d.manifest.seed ^ 0xBA1A9CEDull);
    std::shuffle(bearing.begin(), bearing.end(), rng);
    std::shuffle(free.begin(), free.end(), rng);
    const std::size_t n = std::min(bearing.size(), free.size());
    std::vector<std::size_t> chosen(bearing.begin(), bearing.begin() + static_cast<std::ptrdiff_t>(n));
    chosen.insert(chosen.end(), free.begin(), free.begin() + static_cast<std::ptrdiff_t>(n));
    std::sort(chosen.begin(), chosen.end());
    {
        std::ifstream testInputs(d.temp(inputsFile("test")), std::ios::binary), testTargets(d.temp(targetsFile("test")), std::ios::binary);
        std::ifstream testLabels(d.temp(labelsFile("test")), std::ios::binary);
        std::ofstream balancedInputs(d.temp(inputsFile("test_balanced")), std::ios::binary | std::ios::trunc);
        std::ofstream balancedTargets(d.temp(targetsFile("test_balanced")), std::ios::binary | std::ios::trunc);
        std::ofstream balancedLabels(d.temp(labelsFile("test_balanced")), std::ios::binary | std::ios::trunc);
        std::vector<float> in(d.inputFloats()), out(d.targetFloats());
        std::vector<char> label(d.labelBytes());
        auto& balanced = d.records["test_balanced"];
        for (std::size_t i : chosen) {
            testInputs.seekg(static_cast<std::streamoff>(i * in.size() * sizeof(float)));
            testTargets.seekg(static_cast<std::streamoff>(i * out.size() * sizeof(float)));
            testInputs.read(reinterpret_cast<char*>(in.data()), static_cast<std::streamsize>(in.size() * sizeof(float)));
            testTargets.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
            testLabels.seekg(static_cast<std::streamoff>(i * label.size()));
            testLabels.read(label.data(), static_cast<std::streamsize>(label.size()));
            balancedLabels.write(label.data(), static_cast<std::streamsize>(label.size()));
            balancedInputs.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size() * sizeof(float)));
            balancedTargets.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
            balanced.push_back(test[i]);
        }
        if (!balancedInputs || !balancedTargets || !balancedLabels || !testInputs || !testTargets || !testLabels)
            throw Error("cannot write the balanced test split");
    }
    for (const auto& [split, records] : d.records) {
        fs::rename(d.temp(inputsFile(split)), d.directory + "/" + inputsFile(split));
        fs::rename(d.temp(targetsFile(split)), d.directory + "/" + targetsFile(split));
        fs::rename(d.temp(labelsFile(split)), d.directory + "/" + labelsFile(split));
        writeTextFileAtomically(d.directory + "/" + tilesFile(split), tilesCsv(records));
        SplitSummary& summary = d.manifest.splits[split];
        summary.tiles = records.size();
        summary.carbonateTiles = static_cast<std::size_t>(std::count_if(records.begin(), records.end(), [](const TileRecord& r) { return r.carbonateBearing; }));
    }
    writeTextFileAtomically(d.directory + "/dataset.json", manifestJson(d.manifest).dump(2) + "\n"); // last: the dataset is whole now
    d.finished = true;
}

std::map<std::string, std::string> assignSplits(const std::vector<SplitUnit>& scenes, const std::string& splitBy, std::uint64_t seed) {
    if (splitBy != "scene" && splitBy != "region") throw Error("--split-by takes scene or region, not '" + splitBy + "'");
    const auto groupOf = [&](const SplitUnit& u) { return splitBy == "scene" ? u.scene : u.region; };
    std::map<std::string, bool> carbonateGroup;
    for (const SplitUnit& u : scenes) carbonateGroup[groupOf(u)] = carbonateGroup[groupOf(u)] || u.carbonateBearing;
    std::mt19937_64 rng(seed ^ 0x5B1175ull);
    std::map<std::string, std::string> groupSplit;
    int pairs = 0; // strata of two groups: one trains, the other goes to test (the first such stratum) or val
    for (const bool stratum : {true, false}) {
        std::vector<std::string> groups;
        for (const auto& [group, carbonate] : carbonateGroup)
            if (carbonate == stratum) groups.push_back(group);
        std::shuffle(groups.begin(), groups.end(), rng);
        const std::size_t n = groups.size();
        const std::size_t held = n >= 3 ? std::max({std::size_t{1}, static_cast<std::size_t>(std::lround(0.15 * n)), std::min<std::size_t>(3, n / 3)}) : 0;
        const std::size_t test = held, val = held;
        if (n == 2) {
            groupSplit[groups[0]] = pairs++ == 0 ? "test" : "val";
            groupSplit[groups[1]] = "train";
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) groupSplit[groups[i]] = i < test ? "test" : i < test + val ? "val" : "train";
    }
    std::map<std::string, std::string> sceneSplit;
    for (const SplitUnit& u : scenes) sceneSplit[u.scene] = groupSplit[groupOf(u)];
    return sceneSplit;
}

void requireHeldOutSplits(const std::map<std::string, std::string>& sceneSplit, const std::string& splitBy, bool allowEmpty) {
    std::map<std::string, int> scenes{{"train", 0}, {"val", 0}, {"test", 0}};
    for (const auto& [scene, split] : sceneSplit) ++scenes[split];
    if (allowEmpty || (scenes["val"] > 0 && scenes["test"] > 0)) return;
    throw Error("split by " + splitBy + ", the " + std::to_string(sceneSplit.size()) + " scenes give train " + std::to_string(scenes["train"]) + ", val " +
                std::to_string(scenes["val"]) + ", test " + std::to_string(scenes["test"]) +
                " scenes: add scenes (or regions), split by scene, or pass --allow-empty-splits");
}

void requireHeldOutTiles(const DatasetWriter& writer, bool allowEmpty) {
    const std::size_t train = writer.tileCount("train"), val = writer.tileCount("val"), test = writer.tileCount("test");
    const std::string counts = "train " + std::to_string(train) + ", val " + std::to_string(val) + ", test " + std::to_string(test) + " tiles";
    if (train == 0) throw Error("the scenes gave no train tile (" + counts + "): are the scenes smaller than the tile, or mostly no data?");
    if (allowEmpty || (val > 0 && test > 0)) return;
    throw Error("the scenes gave " + counts + " (held-out scenes unreadable, smaller than the tile or mostly no data): "
                "add scenes, use a smaller tile, or pass --allow-empty-splits");
}

// ---- reading -------------------------------------------------------------------------------------

struct Mapping {
    void* data = MAP_FAILED;
    std::size_t bytes = 0;
    ~Mapping() {
        if (data != MAP_FAILED && bytes) munmap(data, bytes);
    }
};

struct TileDataset::Impl {
    DatasetManifest manifest;
    std::vector<TileRecord> records;
    Mapping inputs, targets, labels;
    std::size_t inputFloats = 0, targetFloats = 0;
};

TileDataset::TileDataset() : mImpl(std::make_unique<Impl>()) {}
TileDataset::TileDataset(TileDataset&&) noexcept = default;
TileDataset& TileDataset::operator=(TileDataset&&) noexcept = default;
TileDataset::~TileDataset() = default;

DatasetManifest TileDataset::readManifest(const std::string& directory) {
    const std::string path = directory + "/dataset.json";
    std::ifstream in(path);
    if (!in) throw Error("dataset " + directory + " is missing or partial: no dataset.json");
    DatasetManifest m;
    try {
        const auto j = nlohmann::json::parse(in);
        if (!j.is_object()) throw Error("it is not a JSON object");
        m.formatVersion = detail::jsonRequired<int>(j, "format_version");
        if (m.formatVersion != 1 && m.formatVersion != 2)
            throw Error("dataset " + directory + " has format version " + std::to_string(m.formatVersion) + "; this Jezero reads 1 and 2");
        const auto names = [&](const char* key) {
            if (!j.contains(key) || !j.at(key).is_array()) throw Error(std::string("\"") + key + "\" must be a list of channel names");
            std::vector<std::string> list;
            for (const auto& name : j.at(key)) list.push_back(detail::jsonAs<std::string>(name, key));
            return list;
        };
        m.input = detail::jsonRequired<std::string>(j, "input");
        m.inputChannels = names("input_channels");
        m.target = detail::jsonRequired<std::string>(j, "target");
        m.targetChannels = names("target_channels");
        m.targetSource = detail::jsonValue<std::string>(j, "target_source", "observed");
        m.targetSmoothing = detail::jsonValue(j, "target_smoothing", 0);
        m.labelRule = detail::jsonValue<std::string>(j, "label_rule", "");
        m.cropsPerScene = detail::jsonValue(j, "crops_per_scene", 0);
        m.fusionFactor = detail::jsonValue(j, "fusion_factor", 0.0);
        if (!std::isfinite(m.fusionFactor) || m.fusionFactor < 0) throw Error("\"fusion_factor\" must be a positive number");
        m.tile = detail::jsonRequired<int>(j, "tile");
        m.seed = detail::jsonRequired<std::uint64_t>(j, "seed");
        m.splitBy = detail::jsonRequired<std::string>(j, "split_by");
        if (!j.contains("splits") || !j.at("splits").is_object()) throw Error("\"splits\" must be an object");
        for (const auto& [name, split] : j.at("splits").items())
            m.splits[name] = {detail::jsonRequired<std::size_t>(split, "tiles", "splits." + name + "."),
                              detail::jsonRequired<std::size_t>(split, "carbonate_tiles", "splits." + name + ".")};
        if (j.contains("skipped_scenes"))
            for (const auto& skipped : j.at("skipped_scenes"))
                m.skippedScenes.emplace_back(detail::jsonRequired<std::string>(skipped, "scene", "skipped_scenes."),
                                             detail::jsonRequired<std::string>(skipped, "reason", "skipped_scenes."));
    } catch (const nlohmann::json::exception& e) {
        throw Error("dataset " + directory + " has a bad dataset.json: " + e.what());
    } catch (const Error& e) {
        if (std::string(e.what()).rfind("dataset ", 0) == 0) throw;
        throw Error("dataset " + directory + " has a bad dataset.json: " + e.what());
    }
    // Bounds far beyond any real dataset keep every size computed from them (tiles × channels × tile²) exact.
    if (m.tile <= 0 || m.tile > 65536 || m.inputChannels.empty() || m.targetChannels.empty() || m.inputChannels.size() > 1024 || m.targetChannels.size() > 1024)
        throw Error("dataset " + directory + " has a bad dataset.json (tile of " + std::to_string(m.tile) + " pixels, " + std::to_string(m.inputChannels.size()) +
                    " input and " + std::to_string(m.targetChannels.size()) + " target channels)");
    return m;
}

namespace {

void mapFile(const std::string& path, std::size_t expectedBytes, Mapping& mapping) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw Error("dataset file " + path + " is missing");
    if (size != expectedBytes)
        throw Error("dataset file " + path + " is corrupt or partial: " + std::to_string(size) + " bytes, the index describes " +
                    std::to_string(expectedBytes));
    if (expectedBytes == 0) return;
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw Error("cannot open " + path);
    mapping.data = mmap(nullptr, expectedBytes, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapping.data == MAP_FAILED) throw Error("cannot map " + path);
    mapping.bytes = expectedBytes;
}

} // namespace

TileDataset TileDataset::open(const std::string& directory, const std::string& split) {
    TileDataset dataset;
    Impl& d = *dataset.mImpl;
    d.manifest = readManifest(directory);
    const auto it = d.manifest.splits.find(split);
    if (it == d.manifest.splits.end()) throw Error("dataset " + directory + " has no split '" + split + "'");
    const std::size_t tiles = it->second.tiles;
    // The index: one row per tile, in file order.
    if (tiles > 0) {
        const auto table = detail::readDelimitedTable(directory + "/" + tilesFile(split));
        if (table.rows.size() != tiles)
            throw Error("dataset " + directory + ": " + tilesFile(split) + " lists " + std::to_string(table.rows.size()) + " tiles, the manifest " +
                        std::to_string(tiles));
        for (std::size_t r = 0; r < table.rows.size(); ++r) {
            const auto& f = table.rows[r];
            if (f.size() != 10) throw Error("dataset " + directory + ": " + tilesFile(split) + " line " + std::to_string(table.lineNumbers[r]) + " is malformed");
            const auto number = [&](int i) { return detail::parseNumber(f[i], tilesFile(split), table.lineNumbers[r]); };
            const auto pixel = [&](int i) { // a tile's corner in its scene: a whole number of pixels
                const double v = number(i);
                if (!(v >= 0 && v <= 1e9) || v != std::floor(v))
                    throw Error("dataset " + directory + ": " + tilesFile(split) + " line " + std::to_string(table.lineNumbers[r]) + " has a tile corner of " + f[i]);
                return static_cast<int>(v);
            };
            TileRecord rec{f[1], f[2], pixel(3), pixel(4), number(5), number(6), number(7), number(8), number(9) != 0};
            d.records.push_back(std::move(rec));
        }
    }
    d.inputFloats = d.manifest.inputChannels.size() * d.manifest.tile * d.manifest.tile;
    d.targetFloats = d.manifest.targetChannels.size() * d.manifest.tile * d.manifest.tile;
    mapFile(directory + "/" + inputsFile(split), tiles * d.inputFloats * sizeof(float), d.inputs);
    mapFile(directory + "/" + targetsFile(split), tiles * d.targetFloats * sizeof(float), d.targets);
    if (d.manifest.formatVersion >= 2) mapFile(directory + "/" + labelsFile(split), tiles * d.manifest.tile * d.manifest.tile, d.labels);
    return dataset;
}

const DatasetManifest& TileDataset::manifest() const { return mImpl->manifest; }
std::size_t TileDataset::size() const { return mImpl->records.size(); }
const TileRecord& TileDataset::record(std::size_t i) const { return mImpl->records.at(i); }
const float* TileDataset::input(std::size_t i) const { return static_cast<const float*>(mImpl->inputs.data) + i * mImpl->inputFloats; }
const float* TileDataset::target(std::size_t i) const { return static_cast<const float*>(mImpl->targets.data) + i * mImpl->targetFloats; }
bool TileDataset::hasLabels() const { return mImpl->manifest.formatVersion >= 2; }
const std::uint8_t* TileDataset::label(std::size_t i) const {
    if (!hasLabels() || mImpl->labels.data == MAP_FAILED) return nullptr;
    return static_cast<const std::uint8_t*>(mImpl->labels.data) + i * static_cast<std::size_t>(mImpl->manifest.tile) * mImpl->manifest.tile;
}

Tile TileDataset::tile(std::size_t i) const {
    if (i >= size()) throw Error("tile " + std::to_string(i) + " is past the split's " + std::to_string(size()));
    Tile t;
    t.size = mImpl->manifest.tile;
    t.inputChannels = static_cast<int>(mImpl->manifest.inputChannels.size());
    t.targetChannels = static_cast<int>(mImpl->manifest.targetChannels.size());
    t.input.assign(input(i), input(i) + mImpl->inputFloats);
    t.target.assign(target(i), target(i) + mImpl->targetFloats);
    if (const std::uint8_t* l = label(i)) t.label.assign(l, l + static_cast<std::size_t>(t.size) * t.size);
    return t;
}

SplitStatistics splitStatistics(const TileDataset& data, bool targets, const std::function<double(float)>& valueOf) {
    const auto& m = data.manifest();
    const std::size_t channels = targets ? m.targetChannels.size() : m.inputChannels.size(), plane = static_cast<std::size_t>(m.tile) * m.tile;
    SplitStatistics s{std::vector<double>(channels, 0.0), std::vector<double>(channels, 1.0)};
    for (std::size_t c = 0; c < channels; ++c) {
        double sum = 0, squares = 0;
        std::size_t n = 0;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const float* v = (targets ? data.target(i) : data.input(i)) + c * plane;
            for (std::size_t p = 0; p < plane; ++p)
                if (std::isfinite(v[p])) {
                    const double x = valueOf ? valueOf(v[p]) : v[p];
                    sum += x;
                    squares += x * x;
                    ++n;
                }
        }
        if (n == 0) continue;
        s.mean[c] = sum / n;
        const double variance = n > 1 ? (squares - n * s.mean[c] * s.mean[c]) / (n - 1) : 0.0;
        s.stddev[c] = variance > 1e-20 ? std::sqrt(variance) : 1.0;
    }
    return s;
}

// ---- augmentation ----------------------------------------------------------------------------------

Tile augment(const Tile& tile, std::uint64_t seed, const AugmentOptions& options) {
    std::mt19937_64 rng(seed);
    const auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
    const double angle = options.rotate ? (uniform() * 90.0 - 45.0) * 3.14159265358979323846 / 180.0 : 0.0;
    const bool flip = options.flip && uniform() < 0.5;
    const bool crop = options.quadrantCrop && uniform() < 0.5;
    const int quadrant = static_cast<int>(uniform() * 4) % 4;
    const int n = tile.size;
    // Output pixel (x, y) → source position: undo the crop's scaling, the flip, then the rotation.
    const double c = std::cos(angle), s = std::sin(angle), centre = n / 2.0;
    const auto source = [&](int x, int y, double& sx, double& sy) {
        double u = x + 0.5, v = y + 0.5;
        if (crop) {
            u = u / 2 + (quadrant % 2) * n / 2.0;
            v = v / 2 + (quadrant / 2) * n / 2.0;
        }
        if (flip) v = n - v;
        const double du = u - centre, dv = v - centre;
        sx = centre + c * du - s * dv - 0.5;
        sy = centre + s * du + c * dv - 0.5;
    };
    Tile out = tile;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::size_t plane = static_cast<std::size_t>(n) * n;
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            double sx, sy;
            source(x, y, sx, sy);
            const std::size_t o = static_cast<std::size_t>(y) * n + x;
            // Targets: nearest neighbour (values stay the original ones).
            const int nx = static_cast<int>(std::lround(sx)), ny = static_cast<int>(std::lround(sy));
            const bool inside = nx >= 0 && ny >= 0 && nx < n && ny < n;
            for (int ch = 0; ch < tile.targetChannels; ++ch)
                out.target[ch * plane + o] = inside ? tile.target[ch * plane + static_cast<std::size_t>(ny) * n + nx] : nan;
            if (!tile.label.empty()) out.label[o] = inside ? tile.label[static_cast<std::size_t>(ny) * n + nx] : kLabelNoData;
            // Inputs: bilinear.
            const int x0 = static_cast<int>(std::floor(sx)), y0 = static_cast<int>(std::floor(sy));
            const double tx = sx - x0, ty = sy - y0;
            for (int ch = 0; ch < tile.inputChannels; ++ch) {
                const auto at = [&](int xx, int yy) {
                    xx = std::clamp(xx, 0, n - 1);
                    yy = std::clamp(yy, 0, n - 1);
                    return tile.input[ch * plane + static_cast<std::size_t>(yy) * n + xx];
                };
                out.input[ch * plane + o] =
                    inside ? static_cast<float>((1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)) + ty * ((1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1)))
                           : nan;
            }
        }
    return out;
}

} // namespace jezero
