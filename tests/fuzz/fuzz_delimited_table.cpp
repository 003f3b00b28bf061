// Delimited tables as users hand them in: CaSSIS-like filter responses and spectral library tables
// and spectra (comma, tab or space separated, '#' comments, optional header).
#include "DelimitedText.h"
#include "FuzzSupport.h"
#include "jezero/core/Error.h"
#include "jezero/core/FilterResponse.h"
#include "jezero/core/SpectralLibrary.h"

#include <sstream>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    jezero::fuzz::quietLogs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string content = jezero::fuzz::text(data, size);
    std::istringstream in(content);
    try {
        const auto table = jezero::detail::parseDelimitedTable(in, "fuzz.csv");
        JEZERO_FUZZ_CHECK(table.rows.size() == table.lineNumbers.size() && !table.rows.empty());
        for (std::size_t r = 0; r < table.rows.size(); ++r)
            for (const auto& field : table.rows[r]) {
                try {
                    jezero::detail::parseNumber(field, "fuzz.csv", table.lineNumbers[r]);
                } catch (const jezero::Error&) {
                }
            }
    } catch (const jezero::Error&) {
    }
    const std::string path = jezero::fuzz::scratchFile("table.csv", content);
    try {
        const auto set = jezero::readFilterSet(path);
        for (const auto& filter : set.filters) JEZERO_FUZZ_CHECK(filter.response.size() == set.wavelengthsNm.size());
    } catch (const jezero::Error&) {
    }
    try {
        for (const auto& s : jezero::readLibraryTable(path, "fuzz", "fuzz ")) JEZERO_FUZZ_CHECK(s.values.size() == s.wavelengthsNm.size());
    } catch (const jezero::Error&) {
    }
    try {
        const auto s = jezero::readLibrarySpectrum(path, "fuzz", "fuzz", 2);
        JEZERO_FUZZ_CHECK(s.values.size() == s.wavelengthsNm.size());
    } catch (const jezero::Error&) {
    }
    return 0;
}
