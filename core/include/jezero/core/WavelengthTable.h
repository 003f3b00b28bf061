#pragma once
// Wavelength tables shipped with Jezero: the CRISM MTRDR axis (489 channels) and the nominal
// wavelength of each detector row, used when a file names rows but not wavelengths (PDS3 TRR3).
#include <map>
#include <string>
#include <vector>

namespace jezero {

struct WavelengthAxis {
    std::vector<double> wavelengthsNm; // ascending
    std::vector<double> fwhmNm;        // same length
};

// Reads mtrdr_axis.tab (detector, row, wavelength nm, FWHM nm, flag), sorted ascending.
WavelengthAxis readMtrdrAxisTable(const std::string& path);

// Reads a trr3_*_band_wavelengths_*.csv table (band_index, detector_row, wavelength_nm, ...) into
// detector row → wavelength nm.
std::map<int, double> readDetectorRowWavelengths(const std::string& path);

} // namespace jezero
