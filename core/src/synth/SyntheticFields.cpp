#include "SyntheticFields.h"

#include "jezero/core/Statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero::synth {

int Rng::below(int n) { return static_cast<int>(uniform() * n) % std::max(1, n); }

double Rng::normal() {
    if (mHasSpare) {
        mHasSpare = false;
        return mSpare;
    }
    const double u = std::max(uniform(), 1e-300), v = uniform();
    const double r = std::sqrt(-2.0 * std::log(u));
    mSpare = r * std::sin(2 * kPi * v);
    mHasSpare = true;
    return r * std::cos(2 * kPi * v);
}

std::size_t Rng::weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += std::max(0.0, w);
    double pick = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        pick -= std::max(0.0, weights[i]);
        if (pick < 0) return i;
    }
    for (std::size_t i = weights.size(); i > 0; --i)
        if (weights[i - 1] > 0) return i - 1;
    return 0;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

Field fractalNoise(Rng& rng, int size, int baseCells, int octaves) {
    Field field(static_cast<std::size_t>(size) * size, 0.0f);
    double amplitude = 1.0;
    for (int o = 0, cells = baseCells; o < octaves; ++o, cells *= 2, amplitude *= 0.5) {
        std::vector<double> grid(static_cast<std::size_t>(cells + 1) * (cells + 1));
        for (double& g : grid) g = rng.uniform();
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const double gx = static_cast<double>(x) / size * cells, gy = static_cast<double>(y) / size * cells;
                const int ix = static_cast<int>(gx), iy = static_cast<int>(gy);
                const double tx = gx - ix, ty = gy - iy;
                const auto at = [&](int i, int j) { return grid[static_cast<std::size_t>(j) * (cells + 1) + i]; };
                const double v = (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) + ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
                field[static_cast<std::size_t>(y) * size + x] += static_cast<float>(amplitude * v);
            }
    }
    const auto [lo, hi] = std::minmax_element(field.begin(), field.end());
    const float low = *lo, span = std::max(*hi - *lo, 1e-6f);
    for (float& v : field) v = (v - low) / span;
    return field;
}

Field ridges(Rng& rng, int size, int baseCells) {
    Field field = fractalNoise(rng, size, baseCells, 3);
    const double mid = finitePercentiles(field, {50})[0];
    for (float& v : field) v = static_cast<float>(std::max(0.0, 1.0 - std::abs(v - mid) * 12.0));
    return field;
}

Field layerCoordinate(Rng& rng, int size, double layersAcross) {
    const Field warp = fractalNoise(rng, size, 3, 3);
    const double angle = rng.uniform(0, kPi), period = size / std::max(1.0, layersAcross);
    Field out(warp.size());
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * size + x;
            out[i] = static_cast<float>((x * std::cos(angle) + y * std::sin(angle)) / period + 0.8 * warp[i] + 1000.0);
        }
    return out;
}

Field realCrop(Rng& rng, const ImageStack& maps, int channel, int size) {
    const double angle = rng.uniform(0, 2 * kPi), scale = rng.uniform(0.5, 1.2);
    const double cx = rng.uniform(0.3, 0.7) * maps.width, cy = rng.uniform(0.3, 0.7) * maps.height;
    const double c = std::cos(angle) * scale, s = std::sin(angle) * scale;
    Field out(static_cast<std::size_t>(size) * size, std::numeric_limits<float>::quiet_NaN());
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double dx = x - size / 2.0, dy = y - size / 2.0;
            const double sx = cx + c * dx - s * dy, sy = cy + s * dx + c * dy;
            const int ix = static_cast<int>(std::floor(sx)), iy = static_cast<int>(std::floor(sy));
            if (ix < 0 || iy < 0 || ix + 1 >= maps.width || iy + 1 >= maps.height) continue;
            const double tx = sx - ix, ty = sy - iy;
            const double v = (1 - ty) * ((1 - tx) * maps.at(ix, iy, channel) + tx * maps.at(ix + 1, iy, channel)) +
                             ty * ((1 - tx) * maps.at(ix, iy + 1, channel) + tx * maps.at(ix + 1, iy + 1, channel));
            out[static_cast<std::size_t>(y) * size + x] = static_cast<float>(v);
        }
    toPercentileRanks(out); // unit boundaries then follow the map's own contours whatever its units
    return out;
}

void toPercentileRanks(Field& field) {
    std::vector<float> sorted;
    for (float v : field)
        if (std::isfinite(v)) sorted.push_back(v);
    std::sort(sorted.begin(), sorted.end());
    for (float& v : field)
        if (std::isfinite(v) && !sorted.empty())
            v = static_cast<float>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin()) / static_cast<float>(sorted.size());
}

Field boxBlur(const Field& field, int size, int radius) {
    if (radius <= 0) return field;
    Field rows(field.size()), out(field.size());
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            double sum = 0;
            int n = 0;
            for (int k = std::max(0, x - radius); k <= std::min(size - 1, x + radius); ++k, ++n) sum += field[static_cast<std::size_t>(y) * size + k];
            rows[static_cast<std::size_t>(y) * size + x] = static_cast<float>(sum / n);
        }
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            double sum = 0;
            int n = 0;
            for (int k = std::max(0, y - radius); k <= std::min(size - 1, y + radius); ++k, ++n) sum += rows[static_cast<std::size_t>(k) * size + x];
            out[static_cast<std::size_t>(y) * size + x] = static_cast<float>(sum / n);
        }
    return out;
}

} // namespace jezero::synth
