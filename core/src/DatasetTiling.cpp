// Cutting a scene (model input, targets, carbonate label on one grid) into dataset tiles.
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Fnv1a.h"
#include "jezero/core/SceneSynthesizer.h"

#include <cmath>
#include <cstdio>
#include <random>

namespace jezero {

TilingResult addSceneTiles(DatasetWriter& writer, const std::string& split, const TilingScene& scene, const TilingOptions& options) {
    if (!scene.input || !scene.targets || !scene.label) throw Error("scene " + scene.name + " lacks its input, targets or label");
    const ImageStack& input = *scene.input;
    const ImageStack& targets = *scene.targets;
    const std::vector<std::uint8_t>& label = *scene.label;
    const int width = input.width, height = input.height, t = options.tile;
    if (targets.width != width || targets.height != height || label.size() != input.pixelCount())
        throw Error("scene " + scene.name + ": input, targets and label differ in size");
    TilingResult result;
    if (width < t || height < t) return result;
    std::vector<std::pair<int, int>> corners;
    if (options.randomCrops > 0) {
        std::mt19937_64 rng(options.seed ^ fnv1a64(scene.name)); // the same crops whatever the standard library
        const auto below = [&](int n) { return static_cast<int>((rng() >> 11) % static_cast<std::uint64_t>(n)); };
        for (int k = 0; k < options.randomCrops; ++k) corners.emplace_back(below(width - t + 1), below(height - t + 1));
    } else {
        for (int y0 = 0; y0 + t <= height; y0 += t)
            for (int x0 = 0; x0 + t <= width; x0 += t) corners.emplace_back(x0, y0);
    }
    const int ci = input.channels(), ct = targets.channels();
    const std::size_t plane = static_cast<std::size_t>(t) * t;
    std::vector<float> inputTile(static_cast<std::size_t>(ci) * plane), targetTile(static_cast<std::size_t>(ct) * plane);
    std::vector<std::uint8_t> labelTile(plane);
    for (const auto& [x0, y0] : corners) {
        std::size_t valid = 0, carbonatePixels = 0;
        for (int y = 0; y < t; ++y)
            for (int x = 0; x < t; ++x) {
                const std::size_t o = static_cast<std::size_t>(y) * t + x;
                bool ok = true;
                for (int c = 0; c < ci; ++c) ok &= std::isfinite(inputTile[c * plane + o] = input.at(x0 + x, y0 + y, c));
                for (int c = 0; c < ct; ++c) ok &= std::isfinite(targetTile[c * plane + o] = targets.at(x0 + x, y0 + y, c));
                const std::uint8_t l = label[static_cast<std::size_t>(y0 + y) * width + x0 + x];
                labelTile[o] = ok ? l : kLabelNoData;
                if (!ok || l == kLabelNoData) continue;
                ++valid;
                carbonatePixels += l == kLabelCarbonate;
            }
        const double validFraction = static_cast<double>(valid) / static_cast<double>(plane);
        if (validFraction < options.minValidFraction) {
            ++result.skipped; // mostly no-data
            continue;
        }
        TileRecord r;
        r.scene = scene.name;
        r.region = scene.region;
        r.x = x0;
        r.y = y0;
        const auto centre = scene.locate ? scene.locate(x0 + t / 2.0, y0 + t / 2.0) : std::nullopt;
        r.latitudeDeg = centre ? centre->latitudeDeg : scene.latitudeDeg;
        r.longitudeDeg = centre ? centre->longitudeDeg : scene.longitudeDeg;
        r.validFraction = validFraction;
        r.carbonateFraction = static_cast<double>(carbonatePixels) / static_cast<double>(valid);
        r.carbonateBearing = r.carbonateFraction >= kCarbonateTileFraction;
        writer.addTile(split, inputTile.data(), targetTile.data(), labelTile.data(), r);
        ++result.kept;
    }
    return result;
}

std::vector<std::uint8_t> carbonateLabelFromAbundance(const ImageStack& abundances) {
    const int c = abundances.channelIndex("carbonate");
    if (c < 0) throw Error("the abundance maps have no carbonate channel");
    std::vector<std::uint8_t> label(abundances.pixelCount());
    for (std::size_t p = 0; p < label.size(); ++p) {
        const float a = abundances.values[p * abundances.channels() + c];
        label[p] = !std::isfinite(a) ? kLabelNoData : a > kCarbonateLabelAbundance ? kLabelCarbonate : kLabelNone;
    }
    return label;
}

std::string carbonateLabelFromAbundanceRule() {
    char rule[96];
    std::snprintf(rule, sizeof rule, "synthetic: true carbonate abundance > %.2g", kCarbonateLabelAbundance);
    return rule;
}

ImageStack labelAsTarget(const std::vector<std::uint8_t>& label, int width, int height) {
    ImageStack target(width, height, {kCarbonateLabelChannel});
    for (std::size_t p = 0; p < label.size(); ++p)
        target.values[p] = label[p] == kLabelNoData ? std::nanf("") : static_cast<float>(label[p] == kLabelCarbonate);
    return target;
}

} // namespace jezero
