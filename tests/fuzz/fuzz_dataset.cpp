// Dataset folders (jezero-cli dataset build writes them; train and evaluate read them): a damaged
// manifest or tile index is an Error, never a crash or an out-of-range read.
#include "FuzzSupport.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <filesystem>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    jezero::fuzz::quietLogs();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    const std::string manifest = input.ConsumeRandomLengthString(4096);
    const std::string tiles = input.ConsumeRandomLengthString(4096);
    const std::string inputs = input.ConsumeRandomLengthString(65536), targets = input.ConsumeRandomLengthString(65536);
    const std::string labels = input.ConsumeRemainingBytesAsString();
    const std::string dir = std::filesystem::path(jezero::fuzz::scratchFile("dataset.json", manifest)).parent_path().string();
    jezero::fuzz::scratchFile("train_tiles.csv", tiles);
    jezero::fuzz::scratchFile("train_inputs.f32", inputs);
    jezero::fuzz::scratchFile("train_targets.f32", targets);
    jezero::fuzz::scratchFile("train_labels.u8", labels);
    try {
        const auto dataset = jezero::TileDataset::open(dir, "train");
        const auto& m = dataset.manifest();
        for (std::size_t i = 0; i < dataset.size(); ++i) {
            const auto tile = dataset.tile(i);
            JEZERO_FUZZ_CHECK(tile.input.size() == m.inputChannels.size() * m.tile * m.tile);
        }
    } catch (const jezero::Error&) {
    }
    return 0;
}
