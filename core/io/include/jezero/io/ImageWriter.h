#pragma once
#include "jezero/core/Composite.h"

#include <string>

namespace jezero::io {

// Writes a composite as an RGBA PNG, atomically. Throws Error.
void writePng(const std::string& path, const CompositeImage& image);

} // namespace jezero::io
