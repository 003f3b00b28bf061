#include "EnviHeader.h"

#include "jezero/core/Error.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <sstream>

namespace jezero::io::detail {
namespace {

void trim(std::string& t) {
    t.erase(0, t.find_first_not_of(" \t\r"));
    t.erase(t.find_last_not_of(" \t\r") + 1);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string formatNm(double nm) {
    std::ostringstream text;
    text << nm;
    return text.str();
}

} // namespace

std::map<std::string, std::string> readEnviHeaderKeys(std::istream& in) {
    std::map<std::string, std::string> keys;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos || line.find('{') != std::string::npos) continue;
        std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        trim(key);
        trim(value);
        keys[lower(key)] = value;
    }
    return keys;
}

void checkEnviLayout(const std::map<std::string, std::string>& keys, const std::string& userPath, const std::string& headerName) {
    const auto value = [&](const std::string& key) { return keys.at(key); };
    const auto bad = [&](const std::string& key, const std::string& why) {
        throw Error("cannot read " + userPath + ": header " + headerName + " has " + key + " = " + value(key) + " (" + why + ")");
    };
    const auto integer = [&](const std::string& key, long long low, long long high) {
        if (!keys.count(key)) return;
        const std::string v = value(key);
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno == ERANGE || n < low || n > high)
            bad(key, "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high));
    };
    integer("samples", 1, std::numeric_limits<int>::max());
    integer("lines", 1, std::numeric_limits<int>::max());
    integer("bands", 1, std::numeric_limits<int>::max());
    integer("header offset", 0, std::numeric_limits<long long>::max());
    integer("byte order", 0, 1);
    if (keys.count("interleave")) {
        const std::string v = lower(value("interleave"));
        if (v != "bsq" && v != "bil" && v != "bip") bad("interleave", "expected bsq, bil or bip");
    }
    if (keys.count("data type")) {
        integer("data type", 1, 15);
        const int type = std::atoi(value("data type").c_str());
        if (type >= 6 && type <= 11) bad("data type", "not a numeric image type Jezero reads");
    }
}

std::vector<double> parseNumberList(const std::string& text) {
    std::vector<double> values;
    std::string token;
    for (char c : text + ",") {
        if (c == ',' || c == '{' || c == '}') {
            const auto first = token.find_first_not_of(" \t\r\n");
            if (first != std::string::npos) {
                const std::string item = token.substr(first, token.find_last_not_of(" \t\r\n") - first + 1);
                char* end = nullptr;
                const double v = std::strtod(item.c_str(), &end);
                if (end != item.c_str() + item.size()) { // "400nm", "1.2.3", a word: not a number
                    std::string shown = item.substr(0, 40);
                    for (char& ch : shown)
                        if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
                    throw Error("'" + shown + "' is not a number");
                }
                values.push_back(v);
            }
            token.clear();
        } else {
            token += c;
        }
    }
    return values;
}

void toNanometres(std::vector<double>& wavelengths, const std::string& units, std::vector<double>* widths) {
    const std::string u = lower(units);
    const bool micrometres = u.find("micro") != std::string::npos || u == "um" ||
                             (u.empty() && !wavelengths.empty() && *std::max_element(wavelengths.begin(), wavelengths.end()) < 100.0);
    if (!micrometres) return;
    for (double& w : wavelengths) w *= 1000.0;
    if (widths)
        for (double& w : *widths) w *= 1000.0;
}

SpectralOrder spectralOrder(const std::vector<double>& wavelengths, std::vector<double> fwhm, int bandCount, const std::string& userPath) {
    if (static_cast<long long>(wavelengths.size()) != bandCount)
        throw Error("cannot read " + userPath + ": " + std::to_string(wavelengths.size()) + " wavelengths for " + std::to_string(bandCount) + " bands");
    // 100 nm – 100 µm: anything outside is a unit or header error, not a spectrometer's channel. Checked
    // before sorting, which needs comparable (finite) values.
    for (std::size_t i = 0; i < wavelengths.size(); ++i)
        if (!std::isfinite(wavelengths[i]) || wavelengths[i] < 100 || wavelengths[i] > 100000)
            throw Error("cannot read " + userPath + ": band " + std::to_string(i + 1) + " has no valid wavelength (" + formatNm(wavelengths[i]) + " nm)");
    if (!fwhm.empty() && fwhm.size() != wavelengths.size()) fwhm.clear();
    // A FWHM list without usable widths is no list: the band widths then come from the channel spacing.
    if (!fwhm.empty() && std::any_of(fwhm.begin(), fwhm.end(), [](double w) { return !std::isfinite(w) || w <= 0; })) {
        spdlog::warn("{}: the FWHM list has missing or non-positive widths; using the channel spacing instead", userPath);
        fwhm.clear();
    }
    std::vector<int> order(wavelengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return wavelengths[a] < wavelengths[b]; });
    SpectralOrder result;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const int i = order[k];
        if (k > 0 && wavelengths[i] == wavelengths[order[k - 1]])
            throw Error("cannot read " + userPath + ": bands " + std::to_string(order[k - 1] + 1) + " and " + std::to_string(i + 1) +
                        " have the same wavelength (" + formatNm(wavelengths[i]) + " nm)");
        result.bands.push_back(i + 1);
        result.wavelengthsNm.push_back(wavelengths[i]);
        if (!fwhm.empty()) result.fwhmNm.push_back(fwhm[i]);
    }
    return result;
}

} // namespace jezero::io::detail
