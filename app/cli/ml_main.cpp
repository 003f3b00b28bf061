// jezero-ml: the LibTorch half of the command line (train; predict and evaluate to come). Kept out of
// jezero-cli so that its other commands start in milliseconds instead of loading LibTorch;
// `jezero-cli train …` runs this program with the same arguments.
#include "Commands.h"
#include "jezero/core/Logging.h"

#include <spdlog/spdlog.h>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"Jezero: model training from the command line (also reached as jezero-cli train)"};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages to stderr");
    const auto commands = jezero::cli::addTrainCommands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    jezero::initLogging("jezero-ml", verbose);
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
