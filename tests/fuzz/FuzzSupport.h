#pragma once
// What the fuzz targets share: bytes as text, a scratch file per process for the readers that take a
// path, quiet logging, and a check that fails loudly (a finding) when an invariant is broken.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace jezero::fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

inline void quietLogs() { spdlog::set_level(spdlog::level::off); }

// A file in this process's scratch folder holding content; its path.
inline std::string scratchFile(const std::string& name, const std::string& content) {
    static const std::string folder = [] {
        const std::string dir = "/tmp/jezero-fuzz-" + std::to_string(::getpid());
        std::filesystem::create_directories(dir);
        return dir;
    }();
    const std::string path = folder + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path;
}

// A broken invariant: report and abort, which libFuzzer records as a crash with its input.
#define JEZERO_FUZZ_CHECK(condition)                                                                  \
    do {                                                                                              \
        if (!(condition)) {                                                                           \
            std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__);   \
            std::abort();                                                                             \
        }                                                                                             \
    } while (0)

} // namespace jezero::fuzz
