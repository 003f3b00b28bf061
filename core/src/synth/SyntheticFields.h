#pragma once
// Private to the synthesizer: portable randomness and the 2-D fields (noise, layers, real map crops)
// that shape synthetic scenes.
#include "jezero/core/ImageStack.h"

#include <cstdint>
#include <random>
#include <vector>

namespace jezero::synth {

constexpr double kPi = 3.14159265358979323846;

// Raw 64-bit draws turned into numbers by our own formulas, so a seed gives the same scene whatever
// the standard library's distributions do.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : mEngine(seed) {}
    double uniform() { return static_cast<double>(mEngine() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int below(int n);
    double normal();
    // An index drawn with probability proportional to weights (all ≥ 0, not all 0).
    std::size_t weighted(const std::vector<double>& weights);

private:
    std::mt19937_64 mEngine;
    bool mHasSpare = false;
    double mSpare = 0;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b);

using Field = std::vector<float>; // size × size, row-major

// Multi-scale value noise in [0, 1]: octaves of bilinearly interpolated random grids.
Field fractalNoise(Rng& rng, int size, int baseCells, int octaves);

// Ridges of a noise field in [0, 1]: 1 on the field's mid-level contour, a network of fracture-like lines.
Field ridges(Rng& rng, int size, int baseCells);

// A stratigraphic coordinate: tilted layers warped by noise; floor(value) numbers the layer.
Field layerCoordinate(Rng& rng, int size, double layersAcross);

// A real parameter map, randomly rotated, scaled and cropped, as percentile ranks in [0, 1]
// (NaN where the crop leaves the map).
Field realCrop(Rng& rng, const ImageStack& maps, int channel, int size);

// Each finite value replaced by its percentile rank in [0, 1) among the field's finite values.
void toPercentileRanks(Field& field);

// Mean over a (2r+1)² window, NaN-free input.
Field boxBlur(const Field& field, int size, int radius);

} // namespace jezero::synth
