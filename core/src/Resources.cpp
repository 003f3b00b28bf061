#include "jezero/core/Resources.h"

#include "jezero/core/Error.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace jezero {
namespace {

fs::path executableDirectory() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

} // namespace

std::string resourcesDirectory() {
    if (const char* dir = std::getenv("JEZERO_RESOURCES"); dir && *dir) return dir;
    const fs::path installed = executableDirectory() / ".." / "share" / "jezero";
    if (fs::is_directory(installed)) return fs::weakly_canonical(installed).string();
    return JEZERO_SOURCE_RESOURCES_DIR;
}

std::string resourcePath(const std::string& relativePath) {
    const fs::path path = fs::path(resourcesDirectory()) / relativePath;
    if (!fs::exists(path)) throw Error("missing bundled resource " + path.string() + " (set JEZERO_RESOURCES?)");
    return path.string();
}

std::vector<std::string> shippedModelNames() { return {"unet", "diffusion"}; }

std::string resolveModel(const std::string& nameOrPath) {
    for (const auto& name : shippedModelNames())
        if (nameOrPath == name && !fs::exists(nameOrPath)) return resourcePath("models/" + name + "-pnr-car.pt");
    return nameOrPath;
}

} // namespace jezero
