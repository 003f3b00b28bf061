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

std::string userDataDirectory() {
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return std::string(data) + "/jezero";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/jezero";
    return (fs::temp_directory_path() / "jezero").string();
}

namespace {
// Shipped name → checkpoint in resources/models.
const std::pair<const char*, const char*> kShippedModels[] = {
    {"carbonate", "unet-pnr-carbonate.pt"}, {"carbonate-pca", "unet-pca-carbonate.pt"}, {"fal", "unet-pnr-fal.pt"}, {"unet", "unet-pnr-car.pt"}, {"diffusion", "diffusion-pnr-car.pt"},
    {"fusion", "fusion-unet.pt"}, {"fusion-diffusion", "fusion-diffusion.pt"}};
} // namespace

std::vector<std::string> shippedModelNames() {
    std::vector<std::string> names;
    for (const auto& [name, file] : kShippedModels) names.emplace_back(name);
    return names;
}

std::string resolveModel(const std::string& nameOrPath) {
    for (const auto& [name, file] : kShippedModels)
        if (nameOrPath == name && !fs::exists(nameOrPath)) return resourcePath(std::string("models/") + file);
    return nameOrPath;
}

} // namespace jezero
