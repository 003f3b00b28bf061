#include "CheckpointInfo.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace jezero::ml::detail {
namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) out.push_back(line);
    return out;
}

// Bounds far beyond any real run, tight enough that nothing downstream overflows.
constexpr std::size_t kMaxChannels = 1024;
constexpr std::size_t kMaxLocations = 1 << 20;
constexpr long long kMaxTile = 1 << 15;

} // namespace

int tileDivisor(const TrainingConfig& config) { return config.model == "resnet34" ? 32 : 1 << std::clamp(config.depth - 1, 0, 30); }

std::string joinedLines(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : "\n") + n;
    return out;
}

CheckpointInfo checkpointInfoFrom(const CheckpointRecords& r, const std::string& path) {
    const auto refuse = [&](const std::string& why) { throw Error("cannot read checkpoint " + path + ": " + why); };
    CheckpointInfo c;
    c.configJson = r.configJson;
    try {
        c.config = TrainingConfig::fromJson(r.configJson, "");
    } catch (const Error& e) {
        refuse(std::string("its config is damaged (") + e.what() + ")");
    }
    const auto name = [&](const std::string& text, const char* what) {
        if (text.empty() || text.find('\n') != std::string::npos) refuse(std::string("its ") + what + " is not one name");
        return text;
    };
    c.inputKind = name(r.inputKind, "input kind");
    c.target = name(r.target, "target");
    const auto names = [&](const std::string& text, const char* what, std::size_t most) {
        auto list = lines(text);
        if (list.size() > most) refuse(std::string("it lists ") + std::to_string(list.size()) + " " + what);
        if (std::any_of(list.begin(), list.end(), [](const std::string& n) { return n.empty(); })) refuse(std::string("its ") + what + " list has an empty name");
        return list;
    };
    c.inputChannels = names(r.inputChannels, "input channels", kMaxChannels);
    c.targetChannels = names(r.targetChannels, "target channels", kMaxChannels);
    c.locations = names(r.locations, "locations", kMaxLocations);
    if (c.inputChannels.empty() || c.targetChannels.empty()) refuse("it names no input or no target channel");

    const Normalisation& n = r.normalisation;
    const auto statistics = [&](const std::vector<double>& mean, const std::vector<double>& spread, std::size_t channels, const char* what) {
        if (mean.size() != channels || spread.size() != channels)
            refuse(std::string("its ") + what + " statistics cover " + std::to_string(mean.size()) + " and " + std::to_string(spread.size()) + " channels, not " +
                   std::to_string(channels));
        for (std::size_t i = 0; i < channels; ++i)
            if (!std::isfinite(mean[i]) || !std::isfinite(spread[i]) || spread[i] <= 0)
                refuse(std::string("its ") + what + " statistics of channel " + std::to_string(i + 1) + " are not finite with a positive spread");
    };
    statistics(n.inputMean, n.inputStd, c.inputChannels.size(), "input");
    statistics(n.targetMean, n.targetStd, c.targetChannels.size(), "target");
    c.normalisation = n;

    const long long divisor = tileDivisor(c.config);
    if (r.tile < 1 || r.tile > kMaxTile || r.tile % divisor != 0)
        refuse("its tile of " + std::to_string(r.tile) + " pixels is not a multiple of " + std::to_string(divisor) + " up to " + std::to_string(kMaxTile));
    c.tile = static_cast<int>(r.tile);
    if (r.epoch < 0 || r.epoch > 1000000 || r.batch < 0 || r.step < 0 || std::isnan(r.bestValLoss))
        refuse("its training position is damaged");
    c.position = {static_cast<int>(r.epoch), static_cast<long>(r.batch), static_cast<long>(r.step), r.bestValLoss};
    if (!std::isfinite(r.fusionFactor) || r.fusionFactor < 0 || r.fusionFactor > 1000)
        refuse("its fusion factor of " + std::to_string(r.fusionFactor) + " is not a pixel ratio");
    c.fusionFactor = r.fusionFactor;
    return c;
}

} // namespace jezero::ml::detail
