#include "DelimitedText.h"

#include "jezero/core/Error.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace jezero::detail {
namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

std::vector<std::string> splitFields(const std::string& line) {
    std::vector<std::string> fields;
    if (line.find(',') != std::string::npos) {
        // Comma separated; a field in double quotes may hold commas.
        std::string field;
        bool quoted = false;
        for (char c : line) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) fields.push_back(trim(std::exchange(field, {})));
            else field += c;
        }
        fields.push_back(trim(field));
    } else {
        std::istringstream ss(line);
        std::string field;
        while (ss >> field) fields.push_back(field);
    }
    return fields;
}

bool isNumber(const std::string& s) {
    if (s.empty()) return false;
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

} // namespace

DelimitedTable readDelimitedTable(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read " + path + ": file not found or not readable");
    return parseDelimitedTable(in, path);
}

DelimitedTable parseDelimitedTable(std::istream& in, const std::string& path) {
    DelimitedTable table;
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        auto fields = splitFields(t);
        if (fields.empty()) continue; // only whitespace the trim does not know (\v, \f): a blank line
        if (table.rows.empty() && table.header.empty() && !isNumber(fields.front())) {
            table.header = std::move(fields);
            continue;
        }
        table.rows.push_back(std::move(fields));
        table.lineNumbers.push_back(lineNumber);
    }
    if (in.bad()) throw Error("cannot read " + path + ": read error");
    if (table.rows.empty()) throw Error("cannot read " + path + ": no data rows");
    return table;
}

double parseNumber(const std::string& field, const std::string& path, int line) {
    if (!isNumber(field))
        throw Error("cannot read " + path + ": line " + std::to_string(line) + ": '" + field + "' is not a number");
    return std::strtod(field.c_str(), nullptr);
}

} // namespace jezero::detail
