// jezero-cli: the headless entry point over the same core as the workstation.
#include "Commands.h"

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>

namespace {

// Commands whose code needs LibTorch run in jezero-ml, beside this program.
bool isMlCommand(const char* name) {
    for (const char* ml : {"train", "predict", "batch-predict", "evaluate", "pair-eval", "model-info", "devices"})
        if (std::strcmp(name, ml) == 0) return true;
    return false;
}

int runMlCommand(char** argv) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::string ml = (self.parent_path() / "jezero-ml").string();
    argv[0] = const_cast<char*>(ml.c_str());
    execv(ml.c_str(), argv);
    std::cerr << "jezero-cli: error: cannot run " << ml << " (" << std::strerror(errno) << ")\n";
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && isMlCommand(argv[1])) return runMlCommand(argv);
    CLI::App app{"Jezero: CRISM scenes from the command line"};
    std::vector<jezero::cli::Command> commands = jezero::cli::addSceneCommands(app);
    for (auto& c : jezero::cli::addSpectralCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addSynthCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addDatasetCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addMetricsCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addFusionCommands(app)) commands.push_back(std::move(c));
    // Listed for --help; run by jezero-ml.
    app.add_subcommand("train", "Train a model on a built dataset (runs jezero-ml; see jezero-cli train --help)");
    app.add_subcommand("predict", "Predict a scene with a trained model, GeoTIFF out (runs jezero-ml)");
    app.add_subcommand("batch-predict", "Predict every scene of a manifest (resumable, --shard I/N for job arrays; runs jezero-ml)");
    app.add_subcommand("evaluate", "Evaluate a model on a dataset split: metrics, detection, panels (runs jezero-ml)");
    app.add_subcommand("pair-eval", "Score predicting on CaSSIS images at 4.6 m on synthetic pairs (runs jezero-ml)");
    app.add_subcommand("model-info", "What a checkpoint takes and predicts (runs jezero-ml)");
    app.add_subcommand("devices", "The CUDA devices and CPU threads training can use (runs jezero-ml)");
    return jezero::cli::runCommandLine(app, commands, argc, argv, "jezero-cli");
}
