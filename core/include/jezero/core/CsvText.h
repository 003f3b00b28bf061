#pragma once
// One field of a CSV file as RFC 4180 writes it, for every CSV Jezero writes (tile lists, reports,
// metrics, spectra): inner quotes doubled inside quotes.
#include <string>

namespace jezero {

// Always quoted: names people typed (ROIs), so a later comma never shifts the columns.
inline std::string csvQuoted(const std::string& text) {
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

// Quoted only when it holds a comma, a quote or a line break.
inline std::string csvField(const std::string& text) {
    return text.find_first_of(",\"\r\n") == std::string::npos ? text : csvQuoted(text);
}

} // namespace jezero
