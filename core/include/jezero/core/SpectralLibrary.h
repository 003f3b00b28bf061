#pragma once
// Reference spectra to compare a scene with: the CRISM MICA type spectra (ratioed I/F) and their
// laboratory analogues, resampled onto a scene's channels by each channel's Gaussian response.
#include <string>
#include <vector>

namespace jezero {

struct LibrarySpectrum {
    std::string name;   // "MICA Mg carbonate", "Lab Mg carbonate (RELAB)"
    std::string kind;   // "MICA" or "lab"
    std::vector<double> wavelengthsNm;
    std::vector<double> values; // NaN where the source has none
};

// A whitespace table whose first column is wavelength in µm and `column` (1-based) the value.
LibrarySpectrum readLibrarySpectrum(const std::string& path, const std::string& name, const std::string& kind, int column = 2);

// A comma-separated table: a wavelength column in µm (header "wavelength_um") and one spectrum per
// further column named in the header; empty fields are missing values (NaN).
std::vector<LibrarySpectrum> readLibraryTable(const std::string& path, const std::string& kind, const std::string& namePrefix);

// The bundled MICA type spectra (column 2: ratioed I/F), their RELAB lab analogues and the USGS
// splib07a selection, sorted by kind (MICA, lab, USGS) then name.
std::vector<LibrarySpectrum> bundledSpectralLibrary();

// Resamples onto channels with centres centresNm and widths fwhmNm (Gaussian responses, σ = FWHM/2.3548),
// integrating over the source samples (trapezoid weights) within ±4σ; NaN for a channel whose ±1σ
// range the source does not cover. With fwhmNm empty, each channel's FWHM is 1.33 × its smaller step
// to a neighbour (the MTRDR table's ratio of 8.6 nm FWHM to 6.5 nm spacing).
std::vector<double> resampleToChannels(const LibrarySpectrum& spectrum, const std::vector<double>& centresNm,
                                       const std::vector<double>& fwhmNm = {});

} // namespace jezero
