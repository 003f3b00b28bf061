#include "Commands.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/io/BrowseReader.h"
#include "jezero/io/SyntheticScenes.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

namespace jezero::cli {
namespace {

struct Options {
    int count = 1;
    int size = 256;
    std::uint64_t seed = 1;
    double carbonateFraction = 0.3;
    std::string out;
};

void synth(const Options& o) {
    if (o.count < 1) throw Error("--count must be at least 1");
    if (o.size < 16 || o.size > 4096) throw Error("--size must be between 16 and 4096");
    if (o.carbonateFraction < 0 || o.carbonateFraction > 1) throw Error("--carbonate-fraction must be between 0 and 1");
    std::filesystem::create_directories(o.out);
    const SynthesisInputs inputs = defaultSynthesisInputs(io::readSynthesisStructure());
    const SynthesisOptions options{o.size, o.seed, o.carbonateFraction};
    const SummaryParameters parameters(inputs.wavelengthsNm);
    nlohmann::json index{{"generator", "jezero-cli synth"}, {"seed", o.seed}, {"size", o.size}, {"carbonate_fraction", o.carbonateFraction},
                         {"scenes", nlohmann::json::array()}};
    for (int i = 0; i < o.count; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const SyntheticScene scene = synthesizeScene(inputs, options, i);
        io::writeSyntheticScene(scene, parameters, o.out);
        index["scenes"].push_back(scene.name);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::cout << scene.name << ": " << scene.region << (scene.hasCarbonate ? ", carbonate-bearing (" + scene.carbonateSpecies + ")" : "") << " ("
                  << static_cast<int>(seconds * 10) / 10.0 << " s)\n";
    }
    writeTextFileAtomically(o.out + "/synth.json", index.dump(2) + "\n");
}

} // namespace

// synth, and sample (the workstation's sample scene).
std::vector<Command> addSynthCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("synth", "Synthesize realistic MTRDR-like scenes (I/F, observed and noise-free summary parameters, true abundances, geologic units)");
    cmd->add_option("--count", o->count, "Number of scenes")->required();
    cmd->add_option("--size", o->size, "Scene width and height in pixels (default 256)");
    cmd->add_option("--seed", o->seed, "Random seed; the same seed gives the same files")->required();
    cmd->add_option("--carbonate-fraction", o->carbonateFraction, "Share of carbonate-bearing scenes (default 0.3)");
    cmd->add_option("--out", o->out, "Output directory")->required();
    auto sampleOut = std::make_shared<std::string>(userDataDirectory() + "/sample");
    auto sampleJson = std::make_shared<bool>(false);
    auto* sample = app.add_subcommand("sample", "The workstation's sample scene (synthetic Jezero crater with carbonate, its truth beside it): "
                                                "made once, then its path and a carbonate-rich pixel are printed");
    sample->add_option("--out", *sampleOut, "Folder of the sample (default: the user's data folder, as the workstation uses)");
    sample->add_flag("--json", *sampleJson, "Print {scene, pixel, description} as JSON");
    return {{cmd, [o] { synth(*o); }},
            {sample, [sampleOut, sampleJson] {
                 const io::SampleScene s = io::ensureSampleScene(*sampleOut);
                 if (*sampleJson)
                     std::cout << nlohmann::json{{"scene", s.path}, {"pixel", {s.pixelX, s.pixelY}}, {"description", s.description}}.dump(2) << '\n';
                 else
                     std::cout << s.path << "\n" << s.description << "; carbonate-rich pixel " << s.pixelX << "," << s.pixelY << '\n';
             }}};
}

} // namespace jezero::cli
