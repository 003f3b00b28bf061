#include "Commands.h"
#include "jezero/core/Logging.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace jezero::cli {

int runCommandLine(CLI::App& app, const std::vector<Command>& commands, int argc, char** argv, const std::string& logName) {
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages to stderr");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    initLogging(logName, verbose);
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

} // namespace jezero::cli
