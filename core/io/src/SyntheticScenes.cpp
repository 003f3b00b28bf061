#include "jezero/io/SyntheticScenes.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/Task.h"
#include "jezero/io/BrowseReader.h"
#include "jezero/io/EnviWriter.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace fs = std::filesystem;

namespace jezero::io {

std::string writeSyntheticScene(const SyntheticScene& scene, const SummaryParameters& parameters, const std::string& dir) {
    fs::create_directories(dir);
    const std::string base = dir + "/" + scene.name;
    writeEnviCube(base + "_if_mtr3.img", scene.cube, "Jezero synthetic CRISM MTRDR-like I/F scene " + scene.name);
    writeEnviImage(base + "_su_mtr3.img", parameters.compute(scene.cube), scene.cube.metadata(),
                   "Summary parameters (Viviano-Beck et al. 2014) of " + scene.name);
    writeEnviImage(base + "_su_clean_mtr3.img", parameters.compute(scene.cleanCube), scene.cube.metadata(),
                   "Summary parameters of the noise-free cube of " + scene.name);
    writeEnviImage(base + "_abundance.img", scene.abundances, scene.cube.metadata(), "True abundance maps of " + scene.name);
    writeEnviImage(base + "_units.img", scene.units, scene.cube.metadata(), "Geologic units of " + scene.name);
    nlohmann::json signatures = nlohmann::json::object();
    for (const auto& [mineral, source] : scene.signatureSources) signatures[mineral] = source;
    const nlohmann::json sidecar{{"name", scene.name},
                                 {"index", scene.index},
                                 {"seed", scene.seed},
                                 {"size", scene.cube.width()},
                                 {"region", scene.region},
                                 {"latitude_deg", scene.latitudeDeg},
                                 {"longitude_deg", scene.longitudeDeg},
                                 {"carbonate_bearing", scene.hasCarbonate},
                                 {"carbonate_pixel_fraction", scene.carbonatePixelFraction},
                                 {"carbonate_species", scene.carbonateSpecies},
                                 {"carbonate_label_abundance", kCarbonateLabelAbundance},
                                 {"minerals", scene.abundances.channelNames},
                                 {"units", scene.unitDescriptions},
                                 {"signatures", signatures},
                                 {"files",
                                  {{"if", scene.name + "_if_mtr3.img"},
                                   {"su", scene.name + "_su_mtr3.img"},
                                   {"su_clean", scene.name + "_su_clean_mtr3.img"},
                                   {"abundance", scene.name + "_abundance.img"},
                                   {"units", scene.name + "_units.img"}}}};
    writeTextFileAtomically(base + ".json", sidecar.dump(2) + "\n");
    return base + "_if_mtr3.img";
}

namespace {

// Fixed so that every installation shows the same ground; changing it changes the sample.
constexpr std::uint64_t kSampleSeed = 6; // its first Jezero scene carries MICA Mg-carbonate, as Jezero's do (Horgan et al. 2020)
constexpr int kSampleSize = 256;
constexpr const char* kSampleRegion = "jezero";
constexpr const char* kSampleIndexFile = "sample.json";

// The centre of the window whose mean true carbonate abundance is highest.
std::pair<int, int> carbonateRichestPixel(const ImageStack& abundances) {
    const int channel = abundances.channelIndex("carbonate");
    if (channel < 0) throw Error("the sample scene has no carbonate abundance map");
    const ImageStack smoothed = meanFilter(abundances, 5);
    std::pair<int, int> best{-1, -1};
    float bestValue = 0;
    for (int y = 0; y < smoothed.height; ++y)
        for (int x = 0; x < smoothed.width; ++x)
            if (const float v = smoothed.at(x, y, channel); std::isfinite(v) && v > bestValue) {
                bestValue = v;
                best = {x, y};
            }
    if (best.first < 0) throw Error("the sample scene carries no carbonate");
    return best;
}

// The folder's sample index, when it is one of ours: it parses and names the seed and scene it was
// made from (a sample.json of someone else's is not taken for one).
std::optional<nlohmann::json> sampleIndexOf(const fs::path& dir) {
    std::ifstream in(dir / kSampleIndexFile);
    if (!in) return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("scene") || !j.contains("pixel") || !j.contains("seed") || !j.contains("scene_index"))
        return std::nullopt;
    return j;
}

// The sample an index describes; throws Error when its cube is gone or the index is malformed.
SampleScene sampleFrom(const fs::path& dir, const nlohmann::json& index) {
    try {
        SampleScene sample;
        sample.path = (dir / index.at("scene").get<std::string>()).string();
        sample.pixelX = index.at("pixel").at(0).get<int>();
        sample.pixelY = index.at("pixel").at(1).get<int>();
        sample.description = index.value("description", "");
        if (!fs::is_regular_file(sample.path)) throw Error("the sample scene " + sample.path + " is missing");
        return sample;
    } catch (const nlohmann::json::exception& e) {
        throw Error((dir / kSampleIndexFile).string() + " is not a sample index: " + e.what());
    }
}

// A name beside target no other maker (another process, or another task of this one) uses.
fs::path uniqueSibling(const fs::path& target, const std::string& tag) {
    static std::atomic<unsigned> counter{0};
    return target.parent_path() / (target.filename().string() + "." + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

} // namespace

SampleScene ensureSampleScene(const std::string& dir, TaskControl* control) {
    fs::path target = fs::absolute(dir).lexically_normal();
    if (!target.has_filename()) target = target.parent_path(); // "sample/" names the folder "sample"
    const auto existing = sampleIndexOf(target);
    if (existing) {
        try {
            return sampleFrom(target, *existing);
        } catch (const Error&) {
            // ours but damaged (its cube deleted by hand): made again below, the old one kept aside
        }
    }
    const bool damaged = existing.has_value();
    if (!damaged && fs::exists(target) && !(fs::is_directory(target) && fs::is_empty(target)))
        throw Error(target.string() + " exists and is not a sample scene folder; name a new folder");
    if (control) control->setProgress(0, "making the sample scene");
    const SynthesisInputs inputs = defaultSynthesisInputs(readSynthesisStructure());
    const SynthesisOptions options{kSampleSize, kSampleSeed, 1.0};
    int index = 0;
    for (; index < 1000 && sceneIdentity(inputs, options, index).regionSlug != kSampleRegion; ++index) {}
    if (index == 1000) throw Error(std::string("no sample scene: the bundled region table has no '") + kSampleRegion + "' region with carbonate");
    const SyntheticScene scene = synthesizeScene(inputs, options, index, control);
    if (control) control->setProgress(0.7, "writing the sample scene");

    fs::create_directories(target.parent_path());
    const fs::path temp = uniqueSibling(target, "tmp");
    nlohmann::json sampleIndex;
    try {
        const std::string cube = writeSyntheticScene(scene, SummaryParameters(inputs.wavelengthsNm), temp.string());
        const auto [x, y] = carbonateRichestPixel(scene.abundances);
        const std::string description = scene.region + " (synthetic), carbonate-bearing (" + scene.carbonateSpecies + ")";
        sampleIndex = {{"scene", fs::path(cube).filename().string()}, {"pixel", {x, y}}, {"description", description},
                       {"seed", kSampleSeed}, {"scene_index", index}};
        writeTextFileAtomically((temp / kSampleIndexFile).string(), sampleIndex.dump(2) + "\n");
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temp, ignored); // no half-made sample left behind
        throw;
    }
    std::error_code ec;
    // Another maker may have finished meanwhile: its sample stands, ours goes.
    if (!damaged) {
        if (const auto winner = sampleIndexOf(target)) {
            fs::remove_all(temp, ec);
            return sampleFrom(target, *winner);
        }
    }
    // A damaged sample is moved aside, never deleted: the user's own files (ROIs beside the scene)
    // may be in it.
    if (damaged) fs::rename(target, uniqueSibling(target, "damaged"), ec);
    ec.clear();
    fs::rename(temp, target, ec); // onto nothing, or an empty folder
    if (ec) {
        fs::remove_all(temp);
        if (const auto winner = sampleIndexOf(target)) return sampleFrom(target, *winner); // another maker won the race
        throw Error("cannot write the sample scene to " + target.string() + ": " + ec.message());
    }
    if (control) control->setProgress(1, "sample scene ready");
    return sampleFrom(target, sampleIndex);
}

} // namespace jezero::io
