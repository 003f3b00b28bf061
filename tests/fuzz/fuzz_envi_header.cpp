// ENVI headers: the layout keys checked before GDAL reads them, the wavelength and FWHM lists, their
// units and the band order they give.
#include "EnviHeader.h"
#include "FuzzSupport.h"
#include "jezero/core/Error.h"

#include <sstream>

namespace detail = jezero::io::detail;

namespace {

// The text of "key = {…}" in the header, as GDAL's ENVI driver hands it on; empty when absent.
std::string listValue(const std::string& header, const std::string& key) {
    const auto at = header.find(key);
    if (at == std::string::npos) return {};
    const auto open = header.find('{', at);
    if (open == std::string::npos) return {};
    const auto close = header.find('}', open);
    return header.substr(open, close == std::string::npos ? std::string::npos : close - open + 1);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    jezero::fuzz::quietLogs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string header = jezero::fuzz::text(data, size);
    std::istringstream in(header);
    const auto keys = detail::readEnviHeaderKeys(in);
    try {
        detail::checkEnviLayout(keys, "fuzz.img", "fuzz.hdr");
    } catch (const jezero::Error&) {
    }
    try {
        auto wavelengths = detail::parseNumberList(listValue(header, "wavelength ="));
        auto fwhm = detail::parseNumberList(listValue(header, "fwhm ="));
        const auto units = keys.find("wavelength units");
        detail::toNanometres(wavelengths, units == keys.end() ? "" : units->second, &fwhm);
        const int bands = static_cast<int>(wavelengths.size());
        const auto order = detail::spectralOrder(wavelengths, fwhm, bands, "fuzz.img");
        JEZERO_FUZZ_CHECK(static_cast<int>(order.bands.size()) == bands && order.wavelengthsNm.size() == order.bands.size());
        JEZERO_FUZZ_CHECK(order.fwhmNm.empty() || order.fwhmNm.size() == order.bands.size());
        for (std::size_t k = 1; k < order.wavelengthsNm.size(); ++k) JEZERO_FUZZ_CHECK(order.wavelengthsNm[k - 1] < order.wavelengthsNm[k]);
        for (int band : order.bands) JEZERO_FUZZ_CHECK(band >= 1 && band <= bands);
    } catch (const jezero::Error&) {
    }
    return 0;
}
