#pragma once
#include <string>

namespace jezero {

// The directory holding Jezero's bundled data (resources/): $JEZERO_RESOURCES when set, else the
// source tree's resources/ for a build-tree run, else ../share/jezero beside the executable.
std::string resourcesDirectory();

// resourcesDirectory() + "/" + relativePath; throws Error when that file does not exist.
std::string resourcePath(const std::string& relativePath);

} // namespace jezero
