#include "Commands.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/io/BrowseReader.h"
#include "jezero/io/EnviWriter.h"

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
        const std::string base = o.out + "/" + scene.name;
        io::writeEnviCube(base + "_if_mtr3.img", scene.cube, "Jezero synthetic CRISM MTRDR-like I/F scene " + scene.name);
        io::writeEnviImage(base + "_su_mtr3.img", parameters.compute(scene.cube), scene.cube.metadata(),
                           "Summary parameters (Viviano-Beck et al. 2014) of " + scene.name);
        io::writeEnviImage(base + "_su_clean_mtr3.img", parameters.compute(scene.cleanCube), scene.cube.metadata(),
                           "Summary parameters of the noise-free cube of " + scene.name);
        io::writeEnviImage(base + "_abundance.img", scene.abundances, scene.cube.metadata(), "True abundance maps of " + scene.name);
        io::writeEnviImage(base + "_units.img", scene.units, scene.cube.metadata(), "Geologic units of " + scene.name);
        nlohmann::json signatures = nlohmann::json::object();
        for (const auto& [mineral, source] : scene.signatureSources) signatures[mineral] = source;
        nlohmann::json sidecar{{"name", scene.name},
                               {"index", scene.index},
                               {"seed", scene.seed},
                               {"size", o.size},
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
        index["scenes"].push_back(scene.name);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::cout << scene.name << ": " << scene.region << (scene.hasCarbonate ? ", carbonate-bearing (" + scene.carbonateSpecies + ")" : "") << " ("
                  << static_cast<int>(seconds * 10) / 10.0 << " s)\n";
    }
    writeTextFileAtomically(o.out + "/synth.json", index.dump(2) + "\n");
}

} // namespace

std::vector<Command> addSynthCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("synth", "Synthesize realistic MTRDR-like scenes (I/F, observed and noise-free summary parameters, true abundances, geologic units)");
    cmd->add_option("--count", o->count, "Number of scenes")->required();
    cmd->add_option("--size", o->size, "Scene width and height in pixels (default 256)");
    cmd->add_option("--seed", o->seed, "Random seed; the same seed gives the same files")->required();
    cmd->add_option("--carbonate-fraction", o->carbonateFraction, "Share of carbonate-bearing scenes (default 0.3)");
    cmd->add_option("--out", o->out, "Output directory")->required();
    return {{cmd, [o] { synth(*o); }}};
}

} // namespace jezero::cli
