#pragma once
// Medians of a handful of values without sorting: the parameter kernels (1–15 channels) and the
// running spectral median of spike removal take one per value, so branch-free min/max networks are most
// of their cost. Each network works on single floats or on `Lanes` — the same kernel of eight pixels at
// once, one SIMD min/max per exchange. Callers give finite values; an even count averages the middle pair
// (as IDL's median(/even) and numpy's median do).
#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace jezero::detail {

constexpr int kLaneCount = 8;
using Lanes = Eigen::Array<float, kLaneCount, 1>;

inline float smaller(float a, float b) { return std::min(a, b); }
inline float larger(float a, float b) { return std::max(a, b); }
inline Lanes smaller(const Lanes& a, const Lanes& b) { return a.min(b); }
inline Lanes larger(const Lanes& a, const Lanes& b) { return a.max(b); }
inline void fill(float& target, float value) { target = value; }
inline void fill(Lanes& target, float value) { target.setConstant(value); }

template <typename T>
T median3(const T& a, const T& b, const T& c) {
    return larger(smaller(a, b), smaller(larger(a, b), c));
}

// Of four values the smaller of the two pair maxima and the larger of the two pair minima are the middle
// pair; the median of five is the median of that pair and the fifth value.
template <typename T>
T median5(const T& a, const T& b, const T& c, const T& d, const T& e) {
    return median3(e, larger(smaller(a, b), smaller(c, d)), smaller(larger(a, b), larger(c, d)));
}

template <typename T>
void sortPair(T& a, T& b) {
    const T low = smaller(a, b);
    b = larger(a, b);
    a = low;
}

// The fourth of seven by the 16-exchange sorting network (Knuth, TAOCP 5.3.4).
template <typename T>
T median7(T v0, T v1, T v2, T v3, T v4, T v5, T v6) {
    sortPair(v0, v6), sortPair(v2, v3), sortPair(v4, v5);
    sortPair(v0, v2), sortPair(v1, v4), sortPair(v3, v6);
    sortPair(v0, v1), sortPair(v2, v5), sortPair(v3, v4);
    sortPair(v1, v2), sortPair(v4, v6);
    sortPair(v2, v3), sortPair(v4, v5);
    sortPair(v1, v2), sortPair(v3, v4);
    sortPair(v5, v6);
    return v3;
}

// The fifth of nine by 19 exchanges (Paeth's network, as in Devillard's "Fast median search").
template <typename T>
T median9(T p0, T p1, T p2, T p3, T p4, T p5, T p6, T p7, T p8) {
    sortPair(p1, p2), sortPair(p4, p5), sortPair(p7, p8);
    sortPair(p0, p1), sortPair(p3, p4), sortPair(p6, p7);
    sortPair(p1, p2), sortPair(p4, p5), sortPair(p7, p8);
    sortPair(p0, p3), sortPair(p5, p8), sortPair(p4, p7);
    sortPair(p3, p6), sortPair(p1, p4), sortPair(p2, p5);
    sortPair(p4, p7), sortPair(p4, p2), sortPair(p6, p4);
    sortPair(p4, p2);
    return p4;
}

// Batcher's odd–even merge sort of 16 values: 63 exchanges, generated once.
inline const std::array<std::pair<std::uint8_t, std::uint8_t>, 63>& sixteenSortNetwork() {
    static const auto network = [] {
        std::array<std::pair<std::uint8_t, std::uint8_t>, 63> pairs{};
        std::size_t count = 0;
        constexpr int n = 16;
        for (int p = 1; p < n; p <<= 1)
            for (int k = p; k >= 1; k >>= 1)
                for (int j = k % p; j + k < n; j += 2 * k)
                    for (int i = 0; i < std::min(k, n - j - k); ++i)
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p))
                            pairs[count++] = {static_cast<std::uint8_t>(i + j), static_cast<std::uint8_t>(i + j + k)};
        return pairs;
    }();
    return network;
}

constexpr int kLargestNetworkMedian = 16;

// values[0, count), 1 ≤ count ≤ 16, sorted in place: 1, 3, 5, 7 and 9 by their own networks (only the median,
// in values[count / 2], is meaningful then), the rest by the 16-value network with +∞ in the unused places.
// Returns the median's place and, for an even count, the place below it.
template <typename T>
std::pair<int, int> placeMedian(T* values, int count) {
    switch (count) {
    case 1: return {0, 0};
    case 3: values[1] = median3(values[0], values[1], values[2]); return {1, 1};
    case 5: values[2] = median5(values[0], values[1], values[2], values[3], values[4]); return {2, 2};
    case 7: values[3] = median7(values[0], values[1], values[2], values[3], values[4], values[5], values[6]); return {3, 3};
    case 9:
        values[4] = median9(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8]);
        return {4, 4};
    default: break;
    }
    T v[16];
    std::copy(values, values + count, v);
    for (int i = count; i < 16; ++i) fill(v[i], std::numeric_limits<float>::infinity());
    for (const auto& [a, b] : sixteenSortNetwork()) sortPair(v[a], v[b]);
    std::copy(v, v + count, values);
    const int mid = count / 2;
    return {count % 2 ? mid : mid - 1, mid};
}

// The median of values[0, count) (reordered in place); NaN for no values.
inline double medianOf(float* values, int count) {
    if (count == 0) return std::numeric_limits<double>::quiet_NaN();
    if (count <= kLargestNetworkMedian) {
        const auto [below, at] = placeMedian(values, count);
        return 0.5 * (static_cast<double>(values[below]) + values[at]);
    }
    const int mid = count / 2;
    std::nth_element(values, values + mid, values + count);
    if (count % 2) return values[mid];
    return 0.5 * (static_cast<double>(values[mid]) + *std::max_element(values, values + mid));
}

} // namespace jezero::detail
