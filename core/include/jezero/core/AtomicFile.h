#pragma once
#include <functional>
#include <string>

namespace jezero {

// Writes a file so that readers never see half of it: write(tempPath) fills a temporary file beside
// path, which then replaces path by rename. On any failure the temporary is removed and path keeps
// its old content; throws Error.
void writeFileAtomically(const std::string& path, const std::function<void(const std::string& tempPath)>& write);

// Convenience for text/bytes.
void writeTextFileAtomically(const std::string& path, const std::string& content);

} // namespace jezero
