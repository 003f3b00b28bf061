// Checkpoint metadata (its config, input kind, channel and location lists, normalisation statistics,
// tile and training position) as a damaged or made-up checkpoint may hold it: refused with an Error, or
// consistent enough that nothing built from it reads out of range. The input is the records as text,
// separated by NUL bytes — input kind, target, input channels, target channels, locations, the four
// statistics (comma separated), tile, epoch, batch, step, best loss, then the config to the end — so
// the corpus seeds are real checkpoints' metadata written out by hand.
#include "CheckpointInfo.h"
#include "FuzzSupport.h"
#include "jezero/core/Error.h"

#include <cstdlib>
#include <sstream>

namespace {

std::vector<double> numbers(const std::string& text) {
    std::vector<double> values;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) values.push_back(std::strtod(item.c_str(), nullptr));
    return values;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> fields;
    std::stringstream ss(jezero::fuzz::text(data, size));
    std::string field;
    while (fields.size() < 14 && std::getline(ss, field, '\0')) fields.push_back(field);
    fields.resize(14);
    const bool hasConfig = static_cast<bool>(std::getline(ss, field, '\0')); // the last field, up to the end
    jezero::ml::detail::CheckpointRecords r;
    r.inputKind = fields[0];
    r.target = fields[1];
    r.inputChannels = fields[2];
    r.targetChannels = fields[3];
    r.locations = fields[4];
    r.normalisation = {numbers(fields[5]), numbers(fields[6]), numbers(fields[7]), numbers(fields[8])};
    r.tile = std::strtoll(fields[9].c_str(), nullptr, 10);
    r.epoch = std::strtoll(fields[10].c_str(), nullptr, 10);
    r.batch = std::strtoll(fields[11].c_str(), nullptr, 10);
    r.step = std::strtoll(fields[12].c_str(), nullptr, 10);
    r.bestValLoss = std::strtod(fields[13].c_str(), nullptr);
    r.configJson = hasConfig ? field : std::string();
    try {
        const auto c = jezero::ml::detail::checkpointInfoFrom(r, "fuzz.pt");
        const auto& n = c.normalisation;
        JEZERO_FUZZ_CHECK(!c.inputChannels.empty() && !c.targetChannels.empty());
        JEZERO_FUZZ_CHECK(n.inputMean.size() == c.inputChannels.size() && n.inputStd.size() == c.inputChannels.size());
        JEZERO_FUZZ_CHECK(n.targetMean.size() == c.targetChannels.size() && n.targetStd.size() == c.targetChannels.size());
        JEZERO_FUZZ_CHECK(c.tile > 0 && c.tile % jezero::ml::detail::tileDivisor(c.config) == 0);
        JEZERO_FUZZ_CHECK(c.position.epoch >= 0 && c.position.batch >= 0 && c.position.step >= 0);
    } catch (const jezero::Error&) {
    }
    return 0;
}
