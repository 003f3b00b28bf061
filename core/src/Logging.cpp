#include "jezero/core/Logging.h"

#include "jezero/core/Resources.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace jezero {

std::string logDirectory() {
    if (const char* dir = std::getenv("JEZERO_LOG_DIR"); dir && *dir) return dir;
    return userDataDirectory() + "/logs";
}

void flushLogs() {
    if (const auto logger = spdlog::default_logger()) logger->flush();
}

void initLogging(const std::string& appName, bool verbose) {
    if (spdlog::get("jezero")) return;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
    console->set_pattern("%^%l%$: %v");
    std::vector<spdlog::sink_ptr> sinks{console};
    std::string fileProblem;
    try {
        std::filesystem::create_directories(logDirectory());
        auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(logDirectory() + "/" + appName + ".log",
                                                                           5 * 1024 * 1024, 3);
        file->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
        sinks.push_back(file);
    } catch (const std::exception& e) {
        fileProblem = e.what();
    }
    auto logger = std::make_shared<spdlog::logger>("jezero", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    if (!fileProblem.empty()) spdlog::debug("no log file: {}", fileProblem);
    spdlog::info("{} started", appName);
}

} // namespace jezero
