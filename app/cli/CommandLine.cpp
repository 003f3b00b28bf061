#include "Commands.h"
#include "jezero/core/Error.h"
#include "jezero/core/Logging.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <filesystem>
#include <sstream>
#include <iostream>
#include <system_error>

namespace jezero::cli {

int runCommandLine(CLI::App& app, const std::vector<Command>& commands, int argc, char** argv, const std::string& logName) {
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages to stderr");
    app.set_version_flag("--version", std::string("jezero ") + JEZERO_VERSION);
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

std::string extensionOf(const std::string& path) {
    const auto dot = path.find_last_of('.');
    std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

void requireTiff(const std::string& path) {
    const std::string ext = extensionOf(path);
    if (ext != "tif" && ext != "tiff") throw Error("--out must name a GeoTIFF (.tif), not '" + path + "'");
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto first = item.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        items.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
    }
    return items;
}

void requireNotInput(const std::string& out, const std::string& input) {
    std::error_code error;
    const bool same = std::filesystem::exists(out, error) ? std::filesystem::equivalent(out, input, error)
                                                          : std::filesystem::weakly_canonical(out, error) == std::filesystem::weakly_canonical(input, error);
    if (same) throw Error("--out " + out + " is the input scene; choose another file (the scene would be overwritten)");
}

} // namespace jezero::cli
