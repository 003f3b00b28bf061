#include "Pds3Label.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace jezero::io::detail {
namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::string unquote(std::string s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

// A value continues on the next line while a quote is open or brackets are unbalanced. Scanned
// piece by piece as lines are appended, so a long unbalanced value costs linear time, not quadratic.
class ValueScanner {
public:
    void scan(const std::string& text) {
        for (char c : text) {
            if (c == '"') mQuoted = !mQuoted;
            else if (!mQuoted && (c == '(' || c == '{')) ++mDepth;
            else if (!mQuoted && (c == ')' || c == '}')) --mDepth;
        }
    }
    bool complete() const { return !mQuoted && mDepth <= 0; }

private:
    long mDepth = 0;
    bool mQuoted = false;
};

} // namespace

Pds3Label Pds3Label::read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path + ": file not found or not readable");
    return parse(in, path);
}

Pds3Label Pds3Label::parse(std::istream& in, const std::string& path) {
    Pds3Label label;
    std::vector<std::string> objects;
    std::string line;
    bool sawVersion = false;
    while (std::getline(in, line)) {
        if (const auto comment = line.find("/*"); comment != std::string::npos && line.find('"') == std::string::npos)
            line = line.substr(0, comment);
        const auto eq = line.find('=');
        if (trim(line) == "END") break;
        if (eq == std::string::npos) continue;
        const std::string key = trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        ValueScanner scanner;
        scanner.scan(value);
        while (!scanner.complete() && std::getline(in, line)) {
            const std::string more = trim(line);
            scanner.scan(more);
            value += " " + more;
        }
        if (key == "PDS_VERSION_ID") sawVersion = true;
        if (key == "OBJECT") {
            objects.push_back(unquote(value));
            continue;
        }
        if (key == "END_OBJECT") {
            if (!objects.empty()) objects.pop_back();
            continue;
        }
        std::string fullKey;
        for (const auto& o : objects) fullKey += o + "/";
        label.mEntries.emplace_back(fullKey + key, unquote(value));
        if (label.mEntries.size() > 100000) break; // not a label; stop reading a big binary
    }
    if (!sawVersion) throw Error("cannot read " + path + ": not a PDS3 label (no PDS_VERSION_ID)");
    return label;
}

std::optional<std::string> Pds3Label::find(const std::string& suffix) const {
    for (const auto& [key, value] : mEntries) {
        if (key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            (key.size() == suffix.size() || key[key.size() - suffix.size() - 1] == '/'))
            return value;
    }
    return std::nullopt;
}

std::vector<std::string> Pds3Label::listItems(const std::string& value) {
    std::string inner = trim(value);
    if (!inner.empty() && (inner.front() == '(' || inner.front() == '{')) inner = inner.substr(1);
    if (!inner.empty() && (inner.back() == ')' || inner.back() == '}')) inner.pop_back();
    std::vector<std::string> items;
    std::stringstream ss(inner);
    std::string item;
    while (std::getline(ss, item, ',')) items.push_back(unquote(item));
    return items;
}

} // namespace jezero::io::detail
