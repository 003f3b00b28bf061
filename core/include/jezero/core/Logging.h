#pragma once
#include <string>

namespace jezero {

// Sets up the process-wide spdlog logger "jezero": warnings and errors to stderr (everything from
// debug up with verbose), and everything from info up to a rotating file in the user's data
// directory ($XDG_DATA_HOME/jezero/logs, else ~/.local/share/jezero/logs; JEZERO_LOG_DIR overrides).
// Safe to call once per process; a log directory that cannot be made only disables the file.
void initLogging(const std::string& appName, bool verbose);

// Writes out what the logger holds (info lines wait for the next warning): before a process leaves
// without running its destructors.
void flushLogs();
// The directory the log file goes to.
std::string logDirectory();

} // namespace jezero
