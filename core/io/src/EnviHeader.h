#pragma once
// Private: what Jezero reads of a spectral header itself, beside GDAL: an ENVI header's layout keys
// (checked before GDAL reads them), number lists such as "{400, 405.2, …}", wavelength units, and the
// ascending band order a wavelength list gives. No GDAL here, so these parsers are fuzzed on their
// own (tests/fuzz).
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace jezero::io::detail {

// The header's one-line "key = value" entries, keys in lower case, values trimmed; list values
// ("{…}", which may span lines) are left out.
std::map<std::string, std::string> readEnviHeaderKeys(std::istream& in);

// Throws Error naming userPath and the header when a layout key GDAL would misread is out of range:
// samples, lines, bands, header offset, byte order, interleave, data type.
void checkEnviLayout(const std::map<std::string, std::string>& keys, const std::string& userPath, const std::string& headerName);

// "{400, 405.2, …}" (braces optional) as numbers; throws Error("'x' is not a number").
std::vector<double> parseNumberList(const std::string& text);

// A wavelength list in µm (units "Micrometers"/"um", or unitless values that can only be µm) becomes
// nm, and with it the band widths, which are in the wavelengths' unit (decided from the wavelengths
// alone: 10 nm widths of nm wavelengths without a unit are not µm).
void toNanometres(std::vector<double>& wavelengths, const std::string& units, std::vector<double>* widths = nullptr);

struct SpectralOrder {
    std::vector<int> bands;            // 1-based, in ascending wavelength
    std::vector<double> wavelengthsNm; // ascending
    std::vector<double> fwhmNm;        // empty when the list was missing or unusable
};

// The bands of a file in ascending wavelength. Throws Error naming userPath when the list's length is
// not bandCount, a wavelength is outside 100 nm – 100 µm or not finite, or two bands share one. A FWHM
// list of another length or with a missing or non-positive width is dropped (with a warning).
SpectralOrder spectralOrder(const std::vector<double>& wavelengthsNm, std::vector<double> fwhmNm, int bandCount, const std::string& userPath);

} // namespace jezero::io::detail
