// PDS3 labels: the keys Jezero reads itself (^IMAGE, the ROWNUM table, the sensor id) from any bytes.
#include "FuzzSupport.h"
#include "Pds3Label.h"
#include "jezero/core/Error.h"

#include <sstream>

using jezero::io::detail::Pds3Label;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(jezero::fuzz::text(data, size));
    try {
        const Pds3Label label = Pds3Label::parse(in, "fuzz.lbl");
        for (const char* key : {"^IMAGE", "ROWNUM_TABLE/ROWS", "ROWNUM_TABLE/COLUMNS", "MRO:SENSOR_ID", "LINES", "LINE_SAMPLES", "BANDS"})
            if (const auto value = label.find(key))
                for (const auto& item : Pds3Label::listItems(*value)) JEZERO_FUZZ_CHECK(item.size() <= value->size());
    } catch (const jezero::Error&) {
    }
    return 0;
}
