#include "SyntheticGeology.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace jezero::synth {
namespace {

int mineralIndex(const SynthesisInputs& in, const std::string& name) {
    for (std::size_t m = 0; m < in.minerals.size(); ++m)
        if (in.minerals[m].name == name) return static_cast<int>(m);
    throw Error("the synthesizer has no mineral '" + name + "'");
}

double smoothstep(double edge0, double edge1, double v) {
    const double t = std::clamp((v - edge0) / (edge1 - edge0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

struct Unit {
    int dominant = -1;
    std::vector<std::pair<int, double>> strengths; // mineral → base abundance
    double tone = 1.0;
};

} // namespace

SceneGeology layOutGeology(const SynthesisInputs& in, const GeologicRegion& region, bool hasCarbonate, int size, Rng& rng) {
    const std::size_t pixels = static_cast<std::size_t>(size) * size;
    const int carbonate = mineralIndex(in, "carbonate");
    const int host = region.carbonateHost.empty() ? -1 : mineralIndex(in, region.carbonateHost);

    // The units' minerals: the first is the host's when the region has one (always for a
    // carbonate-bearing scene, three times in four otherwise), the rest drawn by the region's odds.
    const int unitCount = 2 + rng.below(3);
    std::vector<Unit> units(static_cast<std::size_t>(unitCount));
    std::vector<int> regionMinerals;
    std::vector<double> odds;
    for (const auto& [name, p] : region.minerals) {
        regionMinerals.push_back(mineralIndex(in, name));
        odds.push_back(p);
    }
    const bool hostUnit = host >= 0 && (hasCarbonate || rng.uniform() < 0.75);
    for (int u = 0; u < unitCount; ++u) {
        Unit& unit = units[static_cast<std::size_t>(u)];
        if (u == 0 && hostUnit) {
            unit.dominant = host;
        } else {
            std::vector<double> w = odds;
            for (std::size_t k = 0; k < w.size(); ++k)
                for (int v = 0; v < u; ++v)
                    if (units[static_cast<std::size_t>(v)].dominant == regionMinerals[k]) w[k] *= 0.2; // prefer distinct units
            unit.dominant = regionMinerals[rng.weighted(w)];
        }
        unit.strengths.emplace_back(unit.dominant, rng.uniform(0.5, 1.0));
        for (std::size_t k = 0; k < regionMinerals.size(); ++k)
            if (regionMinerals[k] != unit.dominant && rng.uniform() < 0.35 * odds[k]) unit.strengths.emplace_back(regionMinerals[k], rng.uniform(0.1, 0.3));
        unit.tone = rng.uniform(0.9, 1.1);
        if (u == 0 && hostUnit && region.carbonateSetting == "fractured") unit.tone *= rng.uniform(1.08, 1.2); // the light-toned layer
    }

    // Unit shapes: a layered sequence, a real map's contours (where the first unit's mineral shows in
    // FRT00008FC1), or noise, cut at random shares.
    SceneGeology g;
    g.unit.assign(pixels, 0);
    if (region.carbonateSetting == "layered" && rng.uniform() < 0.6) {
        const Field layers = layerCoordinate(rng, size, rng.uniform(1.5, 4.0));
        for (std::size_t i = 0; i < pixels; ++i) g.unit[i] = static_cast<int>(std::floor(layers[i])) % unitCount;
    } else {
        Field shape;
        const std::string& structure = in.minerals[static_cast<std::size_t>(units[0].dominant)].structure;
        int channel = structure.empty() ? -1 : in.structure.channelIndex(structure);
        if (channel < 0 && in.structure.channels() > 0 && rng.uniform() < 0.5) channel = rng.below(in.structure.channels());
        if (channel >= 0 && rng.uniform() < 0.8) shape = realCrop(rng, in.structure, channel, size);
        const Field noise = fractalNoise(rng, size, 2, 4);
        if (shape.empty()) shape = noise;
        for (std::size_t i = 0; i < pixels; ++i)
            if (!std::isfinite(shape[i])) shape[i] = noise[i];
        // Real maps are noisy pixel to pixel; contacts between units are not: smooth before cutting.
        shape = boxBlur(shape, size, std::max(2, size / 64));
        toPercentileRanks(shape); // so each unit covers its drawn share of the scene
        // Unit 0 takes the field's top share (the mineral's own high values when the map is its index);
        // the others split the rest by independent fields (the largest wins), so any two units may
        // touch — cutting one field at several levels would ring unit 0 with a rim of the middle unit.
        const double share = rng.uniform(0.25, 0.5);
        std::vector<Field> others;
        for (int u = 1; u < unitCount; ++u) others.push_back(boxBlur(fractalNoise(rng, size, 2, 4), size, 2));
        for (std::size_t i = 0; i < pixels; ++i) {
            if (shape[i] >= 1 - share) continue; // unit 0
            int best = 0;
            for (int u = 1; u < unitCount - 1; ++u)
                if (others[static_cast<std::size_t>(u)][i] > others[static_cast<std::size_t>(best)][i]) best = u;
            g.unit[i] = best + 1;
        }
    }

    // Abundances: each unit's minerals with a shared texture, softened across contacts by the
    // instrument's footprint (a 3 × 3 mean).
    const Field texture = fractalNoise(rng, size, 8, 3);
    g.abundance.assign(in.minerals.size(), Field(pixels, 0.0f));
    for (std::size_t i = 0; i < pixels; ++i)
        for (const auto& [m, strength] : units[static_cast<std::size_t>(g.unit[i])].strengths)
            g.abundance[static_cast<std::size_t>(m)][i] = static_cast<float>(strength * (0.7 + 0.3 * texture[i]));
    g.tone.assign(pixels, 1.0f);
    for (std::size_t i = 0; i < pixels; ++i) g.tone[i] = static_cast<float>(units[static_cast<std::size_t>(g.unit[i])].tone);
    // The fractured unit's fractures: darker lines (fill and shadow) whether or not it holds carbonate.
    const Field fractures = hostUnit && region.carbonateSetting == "fractured" ? ridges(rng, size, 6 + rng.below(5)) : Field{};
    if (!fractures.empty())
        for (std::size_t i = 0; i < pixels; ++i)
            if (g.unit[i] == 0) g.tone[i] *= static_cast<float>(1.0 - 0.12 * fractures[i]);

    if (hasCarbonate) {
        Field& a = g.abundance[static_cast<std::size_t>(carbonate)];
        const double peak = rng.uniform(0.5, 1.0);
        const Field clusters = fractalNoise(rng, size, 3, 4);
        const double threshold = rng.uniform(0.5, 0.7);
        std::vector<std::size_t> hostPixels;
        for (std::size_t i = 0; i < pixels; ++i)
            if (g.unit[i] == 0) hostPixels.push_back(i);
        if (region.carbonateSetting == "fractured") {
            // Patches of the light-toned layer, richest between the fractures.
            for (std::size_t i : hostPixels)
                a[i] = static_cast<float>(peak * smoothstep(threshold, threshold + 0.15, clusters[i]) * (0.75 + 0.25 * texture[i]) * (1 - 0.5 * fractures[i]));
        } else if (region.carbonateSetting == "layered") {
            // One or two beds of the host unit.
            const Field beds = layerCoordinate(rng, size, rng.uniform(4, 10));
            const double duty = rng.uniform(0.3, 0.6);
            for (std::size_t i : hostPixels) {
                const double phase = beds[i] - std::floor(beds[i]);
                if (phase < duty) a[i] = static_cast<float>(peak * smoothstep(threshold - 0.2, threshold - 0.05, clusters[i]) * (0.75 + 0.25 * texture[i]));
            }
        }
        // Impact-exposed bedrock (and any scene whose patches missed): a few outcrops in the host unit.
        const auto carbonatePixels = [&] { return std::count_if(a.begin(), a.end(), [](float v) { return v > 1.5 * kCarbonateLabelAbundance; }); }; // margin for the blur below
        // Outcrops are centred well inside the scene, where the footprint keeps them.
        std::vector<std::size_t> centres;
        for (std::size_t i : hostPixels) {
            const auto n = static_cast<std::size_t>(size);
            const std::size_t x = i % n, y = i / n;
            if (x > n / 8 && y > n / 8 && x < n - n / 8 && y < n - n / 8) centres.push_back(i);
        }
        const int outcrops = region.carbonateSetting == "bedrock" ? 1 + rng.below(4) : 0;
        for (int k = 0; k < outcrops || (carbonatePixels() < static_cast<long>(pixels / 200) && k < outcrops + 8); ++k) {
            const std::size_t centre = centres.empty() ? static_cast<std::size_t>(size / 2) * size + size / 2
                                                       : centres[static_cast<std::size_t>(rng.below(static_cast<int>(centres.size())))];
            const double cx = static_cast<double>(centre % size), cy = static_cast<double>(centre / size), r = std::max(3.0, rng.uniform(0.02, 0.06) * size);
            for (int y = std::max(0, static_cast<int>(cy - 3 * r)); y < std::min(size, static_cast<int>(cy + 3 * r) + 1); ++y)
                for (int x = std::max(0, static_cast<int>(cx - 3 * r)); x < std::min(size, static_cast<int>(cx + 3 * r) + 1); ++x) {
                    const std::size_t i = static_cast<std::size_t>(y) * size + x;
                    if (g.unit[i] != 0 && !hostPixels.empty()) continue;
                    const double v = peak * std::exp(-0.5 * (std::pow(x - cx, 2) + std::pow(y - cy, 2)) / (r * r)) * (0.75 + 0.25 * texture[i]);
                    a[i] = std::max(a[i], static_cast<float>(v));
                }
        }
        for (float& v : a) v = v > 0.05f ? v : 0.0f;
    }
    for (Field& a : g.abundance) a = boxBlur(a, size, 1);
    g.tone = boxBlur(g.tone, size, 1);

    for (int u = 0; u < unitCount; ++u) {
        const Unit& unit = units[static_cast<std::size_t>(u)];
        char text[160];
        std::snprintf(text, sizeof text, "%s unit, tone %.2f%s", in.minerals[static_cast<std::size_t>(unit.dominant)].name.c_str(), unit.tone,
                      u == 0 && hostUnit ? (hasCarbonate ? ", carbonate host (with carbonate)" : ", carbonate host (no carbonate here)") : "");
        g.unitDescriptions.push_back(text);
    }
    return g;
}

} // namespace jezero::synth
