// Training configs (jezero-cli train --config): any bytes are refused with an Error or give a config
// that writes itself back to JSON and reads back the same.
#include "FuzzSupport.h"
#include "jezero/core/Error.h"
#include "jezero/core/TrainingConfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto config = jezero::TrainingConfig::fromJson(jezero::fuzz::text(data, size), "/fuzz");
        const std::string json = config.toJson();
        const auto again = jezero::TrainingConfig::fromJson(json, "/fuzz");
        JEZERO_FUZZ_CHECK(again.toJson() == json);
        JEZERO_FUZZ_CHECK(again.changesFrom(config).empty());
        JEZERO_FUZZ_CHECK(again.sameNetworkAs(config));
    } catch (const jezero::Error&) {
    }
    return 0;
}
