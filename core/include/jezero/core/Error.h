#pragma once
// The one exception type core and io throw for bad input: its message is a single line meant for
// the user ("cannot read X: why"), so the CLI and the GUI can show it as is.
#include <stdexcept>
#include <string>

namespace jezero {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

} // namespace jezero
