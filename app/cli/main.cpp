// jezero-cli: the headless entry point over the same core as the workstation.
#include "Commands.h"
#include "jezero/core/Logging.h"

#include <spdlog/spdlog.h>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"Jezero: CRISM scenes from the command line"};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages to stderr");
    std::vector<jezero::cli::Command> commands = jezero::cli::addSceneCommands(app);
    for (auto& c : jezero::cli::addSpectralCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addSynthCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addDatasetCommands(app)) commands.push_back(std::move(c));
    for (auto& c : jezero::cli::addMetricsCommands(app)) commands.push_back(std::move(c));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    jezero::initLogging("jezero-cli", verbose);
    try {
        for (const auto& command : commands)
            if (command.app->parsed()) command.run();
        return 0;
    } catch (const std::exception& e) {
        spdlog::debug("failed: {}", e.what());
        std::cerr << "jezero-cli: error: " << e.what() << '\n';
        return 1;
    }
}
