#include "jezero/core/AtomicFile.h"

#include "jezero/core/Error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace jezero {

void writeFileAtomically(const std::string& path, const std::function<void(const std::string&)>& write) {
    std::random_device entropy;
    const std::string temp = path + ".tmp-" + std::to_string(entropy());
    try {
        write(temp);
        if (!fs::exists(temp)) throw Error("nothing was written");
        fs::rename(temp, path);
    } catch (const std::exception& e) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw Error("cannot write " + path + ": " + e.what());
    }
}

void writeTextFileAtomically(const std::string& path, const std::string& content) {
    writeFileAtomically(path, [&](const std::string& temp) {
        errno = 0;
        std::ofstream out(temp, std::ios::binary);
        out << content;
        out.close();
        if (!out) throw Error(errno ? std::strerror(errno) : "write failed (disk full or no permission?)");
    });
}

} // namespace jezero
