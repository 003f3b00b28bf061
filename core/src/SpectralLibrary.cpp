#include "jezero/core/SpectralLibrary.h"

#include "DelimitedText.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace fs = std::filesystem;

namespace jezero {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// "mg_carbonate" → "Mg carbonate"
std::string prettyName(std::string stem) {
    std::replace(stem.begin(), stem.end(), '_', ' ');
    if (!stem.empty()) stem[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(stem[0])));
    return stem;
}

} // namespace

LibrarySpectrum readLibrarySpectrum(const std::string& path, const std::string& name, const std::string& kind, int column) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read " + path + ": file not found or not readable");
    LibrarySpectrum s{name, kind, {}, {}};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::vector<double> fields;
        double v;
        while (row >> v) fields.push_back(v);
        if (static_cast<int>(fields.size()) < column) continue; // headers, blank lines
        s.wavelengthsNm.push_back(fields[0] * 1000.0);
        const double value = fields[column - 1];
        s.values.push_back(std::isfinite(value) && value > -1e30 ? value : kNaN);
    }
    if (s.wavelengthsNm.size() < 2) throw Error("cannot read " + path + ": no spectrum in it");
    if (!std::is_sorted(s.wavelengthsNm.begin(), s.wavelengthsNm.end())) throw Error("cannot read " + path + ": wavelengths do not ascend");
    return s;
}

std::vector<LibrarySpectrum> readLibraryTable(const std::string& path, const std::string& kind, const std::string& namePrefix) {
    const auto table = detail::readDelimitedTable(path);
    if (table.header.size() < 2) throw Error("cannot read " + path + ": need a header with wavelength_um and spectrum names");
    std::vector<LibrarySpectrum> spectra;
    for (std::size_t c = 1; c < table.header.size(); ++c) {
        std::string name = table.header[c];
        if (const auto cut = name.find("_BECK"); cut != std::string::npos) name = name.substr(0, cut); // instrument suffix
        std::replace(name.begin(), name.end(), '_', ' ');
        spectra.push_back({namePrefix + name, kind, {}, {}});
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        const double w = detail::parseNumber(row.at(0), path, table.lineNumbers[r]) * 1000.0;
        for (std::size_t c = 1; c < table.header.size(); ++c) {
            const bool missing = c >= row.size() || row[c].empty();
            spectra[c - 1].wavelengthsNm.push_back(w);
            spectra[c - 1].values.push_back(missing ? kNaN : detail::parseNumber(row[c], path, table.lineNumbers[r]));
        }
    }
    return spectra;
}

std::vector<LibrarySpectrum> bundledSpectralLibrary() {
    std::vector<LibrarySpectrum> library;
    const fs::path types = resourcePath("spectra/mica_crism_type_spectra");
    const fs::path lab = resourcePath("spectra/mica_lab_spectra");
    for (const auto& entry : fs::directory_iterator(types)) {
        const std::string stem = entry.path().stem().string();
        if (stem.rfind("crism_spec_", 0) != 0) continue;
        library.push_back(readLibrarySpectrum(entry.path().string(), "MICA " + prettyName(stem.substr(11)), "MICA", 2));
    }
    for (const auto& entry : fs::directory_iterator(lab)) {
        const std::string stem = entry.path().stem().string();
        if (stem.size() < 5 || stem.substr(stem.size() - 4) != "_LAB") continue;
        library.push_back(readLibrarySpectrum(entry.path().string(), "Lab " + prettyName(stem.substr(0, stem.size() - 4)), "lab", 2));
    }
    for (auto& s : readLibraryTable(resourcePath("spectra/usgs_splib07a/usgs_splib07a_selected_BECK_merged.csv"), "USGS", "USGS "))
        library.push_back(std::move(s));
    const auto rank = [](const std::string& kind) { return kind == "MICA" ? 0 : kind == "lab" ? 1 : 2; };
    std::sort(library.begin(), library.end(), [&](const LibrarySpectrum& a, const LibrarySpectrum& b) {
        return rank(a.kind) != rank(b.kind) ? rank(a.kind) < rank(b.kind) : a.name < b.name;
    });
    return library;
}

std::vector<double> resampleToChannels(const LibrarySpectrum& s, const std::vector<double>& centres, const std::vector<double>& fwhm) {
    const auto& w = s.wavelengthsNm;
    std::vector<double> out(centres.size(), kNaN);
    for (std::size_t c = 0; c < centres.size(); ++c) {
        double width = 0;
        if (fwhm.size() == centres.size()) {
            width = fwhm[c];
        } else {
            double step = std::numeric_limits<double>::infinity();
            if (c > 0) step = std::min(step, centres[c] - centres[c - 1]);
            if (c + 1 < centres.size()) step = std::min(step, centres[c + 1] - centres[c]);
            width = 1.33 * (std::isfinite(step) ? step : 10.0);
        }
        const double sigma = width / 2.3548;
        if (centres[c] - sigma < w.front() || centres[c] + sigma > w.back()) continue;
        const auto first = std::lower_bound(w.begin(), w.end(), centres[c] - 4 * sigma) - w.begin();
        const auto last = std::upper_bound(w.begin(), w.end(), centres[c] + 4 * sigma) - w.begin();
        double sum = 0, norm = 0;
        for (auto i = first; i < last; ++i) {
            if (!std::isfinite(s.values[i])) continue;
            // Trapezoid weight of sample i: half the distance to its neighbours.
            const double left = i > 0 ? w[i] - w[i - 1] : 0, right = i + 1 < static_cast<long>(w.size()) ? w[i + 1] - w[i] : 0;
            const double g = std::exp(-0.5 * std::pow((w[i] - centres[c]) / sigma, 2)) * 0.5 * (left + right);
            sum += g * s.values[i];
            norm += g;
        }
        if (norm > 0) out[c] = sum / norm;
        // A source sampled more coarsely than the channel (RELAB at 5 nm vs a 8.6 nm channel) may leave
        // no sample inside ±4σ: interpolate linearly then.
        if (norm == 0) {
            const auto hi = std::lower_bound(w.begin(), w.end(), centres[c]) - w.begin();
            if (hi > 0 && hi < static_cast<long>(w.size()) && std::isfinite(s.values[hi]) && std::isfinite(s.values[hi - 1])) {
                const double t = (centres[c] - w[hi - 1]) / (w[hi] - w[hi - 1]);
                out[c] = s.values[hi - 1] + t * (s.values[hi] - s.values[hi - 1]);
            }
        }
    }
    return out;
}

} // namespace jezero
