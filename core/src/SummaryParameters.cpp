#include "jezero/core/SummaryParameters.h"

#include "DelimitedText.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Task.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace jezero {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPaperMaxChannelDistanceNm = 20.0; // Paper: no channel this close → NaN
constexpr double kPipelineReachNm = 50.0;           // CrismPipeline: beyond the kept range by more → NaN

// The CRISM team's conservative channel set (mro_crism_wavelength_defaults, /conservative_set): the same
// for VNIR, IR and joined cubes, since the channels between 1015 and 1044 nm are dropped either way.
bool keptByPipeline(double nm) {
    return (nm >= 430 && nm <= 1015 && !(nm > 635 && nm < 706)) || (nm >= 1044 && nm <= 3900 && !(nm > 2657 && nm < 2797));
}

struct VnirPeak {
    double wavelengthUm = kNaN;
    double reflectance = kNaN;
};

// Per-pixel results shared between parameters (RPEAK1 and BDI1000VIS use the same VNIR fit).
struct PixelScratch {
    bool peakKnown = false;
    VnirPeak peak;
};

// What a parameter sees per pixel: the kernel medians it registered, their channel wavelengths, and
// the whole spectrum (RPEAK1 and BDI1000VIS fit all VNIR channels).
struct Pixel {
    const double* medians;
    const double* wavelengths; // nm of the channel each kernel is centred on
    const float* spectrum;
    PixelScratch* scratch;
};
using Evaluate = std::function<double(const Pixel&)>;

struct Kernel {
    double nominalNm;
    int width;
    std::vector<int> channels; // empty when the grid has no channel near nominalNm
    double wavelengthNm;
};

// Registers kernels while the parameters are bound; ids index Pixel::medians.
class Binder {
public:
    Binder(const std::vector<double>& w, ParameterConvention convention) : mWavelengths(w), mConvention(convention) {
        for (int c = 0; c < static_cast<int>(w.size()); ++c)
            if (convention == ParameterConvention::Paper || keptByPipeline(w[c])) mKept.push_back(c);
    }

    ParameterConvention convention() const { return mConvention; }

    int R(double nm, int width) {
        const auto key = std::make_pair(nm, width);
        if (auto it = mIds.find(key); it != mIds.end()) {
            mUsed.emplace_back(nm, width);
            return it->second;
        }
        Kernel k{nm, width, {}, kNaN};
        // Positions are in the kept channels (the pipeline drops the others before anything else).
        const auto wavelength = [&](int i) { return mWavelengths[mKept[i]]; };
        const int n = static_cast<int>(mKept.size());
        int nearest = 0;
        for (int i = 1; i < n; ++i)
            if (std::abs(wavelength(i) - nm) < std::abs(wavelength(nearest) - nm)) nearest = i; // the first of equals, as IDL's where(… eq min(…))
        const bool paper = mConvention == ParameterConvention::Paper;
        const bool reached = n > 0 && (paper ? std::abs(wavelength(nearest) - nm) <= kPaperMaxChannelDistanceNm
                                             : nm >= wavelength(0) - kPipelineReachNm && nm <= wavelength(n - 1) + kPipelineReachNm);
        if (reached) {
            k.wavelengthNm = wavelength(nearest);
            const int first = std::max(0, nearest - width / 2);
            const int last = std::min(n - 1, paper ? nearest - width / 2 + width - 1 : nearest + width / 2);
            for (int i = first; i <= last; ++i) k.channels.push_back(mKept[i]);
        }
        const int id = static_cast<int>(mKernels.size());
        mKernels.push_back(std::move(k));
        mIds[key] = id;
        mUsed.emplace_back(nm, width);
        return id;
    }

    const std::vector<double>& wavelengths() const { return mWavelengths; }
    std::vector<Kernel>& kernels() { return mKernels; }
    // Kernels registered since the last call (the current parameter's).
    std::vector<std::pair<double, int>> takeUsed() { return std::exchange(mUsed, {}); }

private:
    const std::vector<double>& mWavelengths;
    ParameterConvention mConvention;
    std::vector<int> mKept; // channel indices the convention uses, ascending
    std::vector<Kernel> mKernels;
    std::map<std::pair<double, int>, int> mIds;
    std::vector<std::pair<double, int>> mUsed;
};

// ---- building blocks --------------------------------------------------------------------------

// 1 - Rc / (a·Rs + b·Rl)
Evaluate bandDepth(Binder& b, double c, int kc, double s, int ks, double l, int kl) {
    const int ic = b.R(c, kc), is = b.R(s, ks), il = b.R(l, kl);
    return [=](const Pixel& p) {
        const double wc = p.wavelengths[ic], ws = p.wavelengths[is], wl = p.wavelengths[il];
        const double bw = (wc - ws) / (wl - ws);
        return 1.0 - p.medians[ic] / ((1.0 - bw) * p.medians[is] + bw * p.medians[il]);
    };
}

// 1 - (a·Rs + b·Rl) / Rc   (shoulder / inverse band depth)
Evaluate shoulder(Binder& b, double c, int kc, double s, int ks, double l, int kl) {
    const int ic = b.R(c, kc), is = b.R(s, ks), il = b.R(l, kl);
    return [=](const Pixel& p) {
        const double wc = p.wavelengths[ic], ws = p.wavelengths[is], wl = p.wavelengths[il];
        const double bw = (wc - ws) / (wl - ws);
        return 1.0 - ((1.0 - bw) * p.medians[is] + bw * p.medians[il]) / p.medians[ic];
    };
}

Evaluate reflectance(Binder& b, double nm, int k) {
    const int i = b.R(nm, k);
    return [=](const Pixel& p) { return p.medians[i]; };
}

Evaluate ratio(Binder& b, double num, int kn, double den, int kd) {
    const int in = b.R(num, kn), id = b.R(den, kd);
    return [=](const Pixel& p) { return p.medians[in] / p.medians[id]; };
}

Evaluate minimum(Evaluate first, Evaluate second) {
    return [=](const Pixel& p) {
        const double a = first(p), c = second(p);
        return (std::isnan(a) || std::isnan(c)) ? kNaN : std::min(a, c);
    };
}

// A straight continuum through two anchors, evaluated at the wavelengths of other kernels.
struct Continuum {
    int low, high;
    double at(const Pixel& p, int kernel) const {
        const double w0 = p.wavelengths[low], w1 = p.wavelengths[high];
        const double t = (p.wavelengths[kernel] - w0) / (w1 - w0);
        return p.medians[low] + (p.medians[high] - p.medians[low]) * t;
    }
};

struct Term {
    double nm;
    int width;
    double weight;
};

// Σ weight·(RC - R)/|RC|   (OLINDEX3, LCPINDEX2, HCPINDEX2)
Evaluate weightedBandSum(Binder& b, Term low, Term high, const std::vector<Term>& terms) {
    const Continuum rc{b.R(low.nm, low.width), b.R(high.nm, high.width)};
    std::vector<std::pair<int, double>> ids;
    for (const Term& t : terms) ids.emplace_back(b.R(t.nm, t.width), t.weight);
    return [=](const Pixel& p) {
        double sum = 0;
        for (const auto& [id, weight] : ids) {
            const double c = rc.at(p, id);
            sum += weight * (c - p.medians[id]) / std::abs(c);
        }
        return sum;
    };
}

// 1 - (Σ R/RC over numerator) / (scale · Σ R/RC over denominator)   (D2300, D2200, BD1900R2)
Evaluate continuumRatioDepth(Binder& b, Term low, Term high, const std::vector<Term>& numerator,
                             const std::vector<Term>& denominator, double denominatorScale = 1.0) {
    const Continuum rc{b.R(low.nm, low.width), b.R(high.nm, high.width)};
    std::vector<int> num, den;
    for (const Term& t : numerator) num.push_back(b.R(t.nm, t.width));
    for (const Term& t : denominator) den.push_back(b.R(t.nm, t.width));
    return [=](const Pixel& p) {
        double n = 0, d = 0;
        for (int id : num) n += p.medians[id] / rc.at(p, id);
        for (int id : den) d += p.medians[id] / rc.at(p, id);
        return 1.0 - n / (denominatorScale * d);
    };
}

// ---- RPEAK1 / BDI1000VIS: a 5th-order polynomial over the valid VNIR channels -------------------

// CAT's hyperspectral branch: valid channels 430–1015 nm without 635–706 nm; the model evaluated at
// 2001 points from the first to the last valid channel; when its maximum is the last point or lies at
// ≥ 0.9 µm, the first point where the slope turns from rising to falling is used instead.
VnirPeak vnirPeak(const std::vector<int>& channels, const std::vector<double>& wavelengthsNm, const float* s) {
    // Least squares by the 6×6 normal equations in u = (λ − centre)/half-range ∈ [−1, 1], which keeps
    // them well conditioned for degree 5; fixed-size, so nothing is allocated per pixel.
    double first = kNaN, last = kNaN;
    int count = 0;
    for (int c : channels)
        if (std::isfinite(s[c])) {
            if (!count) first = wavelengthsNm[c] / 1000.0;
            last = wavelengthsNm[c] / 1000.0;
            ++count;
        }
    if (count < 8) return {};
    const double x0 = (first + last) / 2, scale = (last - first) / 2;
    Eigen::Matrix<double, 6, 6> normal = Eigen::Matrix<double, 6, 6>::Zero();
    Eigen::Matrix<double, 6, 1> rhs = Eigen::Matrix<double, 6, 1>::Zero();
    for (int c : channels) {
        if (!std::isfinite(s[c])) continue;
        const double u = (wavelengthsNm[c] / 1000.0 - x0) / scale;
        Eigen::Matrix<double, 6, 1> powers;
        powers(0) = 1;
        for (int k = 1; k < 6; ++k) powers(k) = powers(k - 1) * u;
        normal.noalias() += powers * powers.transpose();
        rhs.noalias() += powers * static_cast<double>(s[c]);
    }
    const Eigen::Matrix<double, 6, 1> coef = normal.ldlt().solve(rhs);
    const auto model = [&](double u) {
        return ((((coef(5) * u + coef(4)) * u + coef(3)) * u + coef(2)) * u + coef(1)) * u + coef(0);
    };
    // The definition's grid is 2001 points. Scanning all of it is the hot spot of all 56 parameters, so
    // the scan visits every 16th point and then every point within 16 of each coarse local maximum
    // (and of the ends): the same points win unless two extrema of the quintic lie within 16 grid
    // steps (<1.6 % of the range) of each other.
    constexpr int kPoints = 2001, kStride = 16;
    const auto uAt = [](int i) { return -1.0 + 2.0 * i / (kPoints - 1); };
    const auto umAt = [&](int i) { return first + (last - first) * i / (kPoints - 1); };
    std::vector<int> coarse;
    for (int i = 0; i < kPoints; i += kStride) coarse.push_back(i);
    if (coarse.back() != kPoints - 1) coarse.push_back(kPoints - 1);
    double coarseValues[kPoints / kStride + 2];
    for (std::size_t j = 0; j < coarse.size(); ++j) coarseValues[j] = model(uAt(coarse[j]));
    // Fine-grid windows around coarse local maxima, in wavelength order.
    std::vector<std::pair<int, int>> windows;
    for (std::size_t j = 0; j < coarse.size(); ++j) {
        const bool rising = j == 0 || coarseValues[j] >= coarseValues[j - 1];
        const bool falling = j + 1 == coarse.size() || coarseValues[j] >= coarseValues[j + 1];
        if (rising && falling) windows.emplace_back(std::max(0, coarse[j] - kStride), std::min(kPoints - 1, coarse[j] + kStride));
    }
    int best = 0;
    double bestValue = -std::numeric_limits<double>::infinity();
    for (const auto& [from, to] : windows)
        for (int i = from; i <= to; ++i) {
            const double v = model(uAt(i));
            if (v > bestValue || (v == bestValue && i < best)) {
                best = i;
                bestValue = v;
            }
        }
    if (best == kPoints - 1 || umAt(best) >= 0.9) {
        // The first interior point where the slope turns from rising to falling.
        for (const auto& [from, to] : windows) {
            bool found = false;
            for (int i = std::max(1, from); i <= std::min(kPoints - 2, to); ++i) {
                const double previous = model(uAt(i - 1)), current = model(uAt(i)), next = model(uAt(i + 1));
                const double before = current - previous, after = next - current;
                if (before > 0 && after <= 0 && (after - before) < 0) {
                    best = i;
                    bestValue = current;
                    found = true;
                    break;
                }
            }
            if (found) break;
        }
    }
    return {umAt(best), bestValue};
}

// The pixel's VNIR peak, fitted once and shared by RPEAK1 and BDI1000VIS.
const VnirPeak& cachedVnirPeak(const Pixel& p, const std::vector<int>& channels, const std::vector<double>& w) {
    if (!p.scratch->peakKnown) {
        p.scratch->peak = vnirPeak(channels, w, p.spectrum);
        p.scratch->peakKnown = true;
    }
    return p.scratch->peak;
}

std::vector<int> vnirPeakChannels(const std::vector<double>& w) {
    std::vector<int> channels;
    for (int c = 0; c < static_cast<int>(w.size()); ++c)
        if (w[c] >= 430 && w[c] <= 1015 && !(w[c] >= 635 && w[c] <= 706)) channels.push_back(c);
    return channels;
}

Evaluate rpeak1(Binder& b) {
    const auto channels = vnirPeakChannels(b.wavelengths());
    const auto w = b.wavelengths();
    return [=](const Pixel& p) { return cachedVnirPeak(p, channels, w).wavelengthUm; };
}

// ∫ (1 - R/R_peak) dλ (µm) over the channels from the one nearest 833 nm to the one nearest 1023 nm,
// channels above 1015 nm removed (trapezoid rule; CAT uses IDL's INT_TABULATED).
Evaluate bdi1000vis(Binder& b) {
    const auto peakChannels = vnirPeakChannels(b.wavelengths());
    const auto w = b.wavelengths();
    std::vector<int> band;
    const int first = b.R(833, 1), last = b.R(1023, 1);
    const auto& kernels = b.kernels();
    if (!kernels[first].channels.empty() && !kernels[last].channels.empty())
        for (int c = kernels[first].channels.front(); c <= kernels[last].channels.front(); ++c)
            if (w[c] <= 1015) band.push_back(c);
    return [=](const Pixel& p) {
        if (band.size() < 2) return kNaN;
        const double peak = cachedVnirPeak(p, peakChannels, w).reflectance;
        if (!std::isfinite(peak)) return kNaN;
        double integral = 0;
        for (std::size_t i = 1; i < band.size(); ++i) {
            const float r0 = p.spectrum[band[i - 1]], r1 = p.spectrum[band[i]];
            if (std::isnan(r0) || std::isnan(r1)) continue;
            integral += 0.5 * ((1 - r0 / peak) + (1 - r1 / peak)) * (w[band[i]] - w[band[i - 1]]) / 1000.0;
        }
        return integral;
    };
}

// ---- the 56 definitions (numbers from the table; see its notes for sources) ------------------------

using Definition = std::function<Evaluate(Binder&)>;

const std::vector<std::pair<std::string, Definition>>& definitions() {
    static const std::vector<std::pair<std::string, Definition>> table = {
        {"R440", [](Binder& b) { return reflectance(b, 440, 5); }},
        {"R530", [](Binder& b) { return reflectance(b, 530, 5); }},
        {"R600", [](Binder& b) { return reflectance(b, 600, 5); }},
        {"R770", [](Binder& b) { return reflectance(b, 770, 5); }},
        {"RBR", [](Binder& b) { return ratio(b, 770, 5, 440, 5); }},
        {"BD530_2", [](Binder& b) { return bandDepth(b, 530, 5, 440, 5, 614, 5); }},
        {"SH600_2", [](Binder& b) { return shoulder(b, 600, 5, 533, 5, 716, 3); }},
        {"SH770", [](Binder& b) { return shoulder(b, 775, 5, 716, 3, 860, 5); }},
        {"BD640_2", [](Binder& b) { return bandDepth(b, 624, 3, 600, 5, 760, 5); }},
        {"BD860_2", [](Binder& b) { return bandDepth(b, 860, 5, 755, 5, 977, 5); }},
        {"BD920_2", [](Binder& b) { return bandDepth(b, 920, 5, 807, 5, 984, 5); }},
        {"RPEAK1", [](Binder& b) { return rpeak1(b); }},
        {"BDI1000VIS", [](Binder& b) { return bdi1000vis(b); }},
        {"IRR1", [](Binder& b) { return ratio(b, 800, 5, 997, 5); }},
        {"R1080", [](Binder& b) { return reflectance(b, 1080, 5); }},
        {"R1330", [](Binder& b) { return reflectance(b, 1330, 11); }},
        {"R1506", [](Binder& b) { return reflectance(b, 1506, 5); }},
        {"R2529", [](Binder& b) { return reflectance(b, 2529, 5); }},
        {"R3920", [](Binder& b) { return reflectance(b, 3920, 5); }},
        {"BD1300", [](Binder& b) { return bandDepth(b, 1320, 15, 1080, 5, 1750, 5); }},
        {"OLINDEX3", [](Binder& b) {
             return weightedBandSum(b, {1750, 7, 0}, {1862, 7, 0},
                                    {{1210, 7, 0.1}, {1250, 7, 0.1}, {1263, 7, 0.2}, {1276, 7, 0.2}, {1330, 7, 0.4}});
         }},
        {"LCPINDEX2", [](Binder& b) {
             return weightedBandSum(b, {1560, 7, 0}, {2450, 7, 0}, {{1690, 7, 0.2}, {1750, 7, 0.2}, {1810, 7, 0.3}, {1870, 7, 0.3}});
         }},
        {"HCPINDEX2", [](Binder& b) {
             return weightedBandSum(b, {1690, 7, 0}, {2530, 7, 0},
                                    {{2120, 5, 0.1}, {2140, 7, 0.1}, {2230, 7, 0.15}, {2250, 7, 0.3}, {2430, 7, 0.2}, {2460, 7, 0.15}});
         }},
        {"ISLOPE1", [](Binder& b) {
             const int i1 = b.R(1815, 5), i2 = b.R(2530, 5);
             return Evaluate([=](const Pixel& p) {
                 return (p.medians[i1] - p.medians[i2]) / ((p.wavelengths[i2] - p.wavelengths[i1]) / 1000.0);
             });
         }},
        {"BD1400", [](Binder& b) { return bandDepth(b, 1395, 3, 1330, 5, 1467, 5); }},
        {"BD1435", [](Binder& b) { return bandDepth(b, 1435, 1, 1370, 3, 1470, 3); }},
        {"BD1500_2", [](Binder& b) { return bandDepth(b, 1525, 11, 1367, 5, 1808, 5); }},
        {"ICER1_2", [](Binder& b) {
             const Evaluate bd1435 = bandDepth(b, 1435, 1, 1370, 3, 1470, 3);
             const Evaluate bd1500 = bandDepth(b, 1525, 11, 1367, 5, 1808, 5);
             return Evaluate([=](const Pixel& p) { return 1.0 - (1.0 - bd1435(p)) / (1.0 - bd1500(p)); });
         }},
        {"BD1750_2", [](Binder& b) { return bandDepth(b, 1750, 3, 1690, 5, 1815, 5); }},
        {"BD1900_2", [](Binder& b) {
             // The team's hyperspectral branch has the 1930 nm term only; the paper averages it with a
             // 1985 nm one (the team's multispectral branch).
             const Evaluate a = bandDepth(b, 1930, 5, 1850, 5, 2067, 5);
             if (b.convention() == ParameterConvention::CrismPipeline) return a;
             const Evaluate c = bandDepth(b, 1985, 5, 1850, 5, 2067, 5);
             return Evaluate([=](const Pixel& p) { return 0.5 * a(p) + 0.5 * c(p); });
         }},
        {"BD1900R2", [](Binder& b) {
             return continuumRatioDepth(b, {1815, 5, 0}, {2132, 5, 0},
                                        {{1908, 1, 0}, {1914, 1, 0}, {1921, 1, 0}, {1928, 1, 0}, {1934, 1, 0}, {1941, 1, 0}},
                                        {{1862, 1, 0}, {1869, 1, 0}, {1875, 1, 0}, {2112, 1, 0}, {2120, 1, 0}, {2126, 1, 0}});
         }},
        {"BD2100_2", [](Binder& b) { return bandDepth(b, 2132, 5, 1930, 3, 2250, 3); }},
        {"BD2165", [](Binder& b) { return bandDepth(b, 2165, 3, 2120, 5, 2230, 3); }},
        {"BD2190", [](Binder& b) { return bandDepth(b, 2185, 3, 2120, 5, 2250, 3); }},
        {"MIN2200", [](Binder& b) {
             return minimum(bandDepth(b, 2165, 3, 2120, 5, 2350, 5), bandDepth(b, 2210, 3, 2120, 5, 2350, 5));
         }},
        {"BD2210_2", [](Binder& b) { return bandDepth(b, 2210, 5, 2165, 5, 2290, 5); }},
        {"D2200", [](Binder& b) {
             return continuumRatioDepth(b, {1815, 7, 0}, {2430, 7, 0}, {{2210, 7, 0}, {2230, 7, 0}}, {{2165, 5, 0}}, 2.0);
         }},
        {"BD2230", [](Binder& b) { return bandDepth(b, 2235, 3, 2210, 3, 2252, 3); }},
        {"BD2250", [](Binder& b) { return bandDepth(b, 2245, 7, 2120, 5, 2340, 3); }},
        {"MIN2250", [](Binder& b) {
             return minimum(bandDepth(b, 2210, 3, 2165, 5, 2350, 5), bandDepth(b, 2265, 3, 2165, 5, 2350, 5));
         }},
        {"BD2265", [](Binder& b) { return bandDepth(b, 2265, 3, 2210, 5, 2340, 5); }},
        {"BD2290", [](Binder& b) { return bandDepth(b, 2290, 5, 2250, 5, 2350, 5); }},
        {"D2300", [](Binder& b) {
             return continuumRatioDepth(b, {1815, 5, 0}, {2530, 5, 0}, {{2290, 3, 0}, {2320, 3, 0}, {2330, 3, 0}},
                                        {{2120, 5, 0}, {2170, 5, 0}, {2210, 5, 0}});
         }},
        {"BD2355", [](Binder& b) { return bandDepth(b, 2355, 5, 2300, 5, 2450, 5); }},
        {"SINDEX2", [](Binder& b) { return shoulder(b, 2290, 7, 2120, 5, 2400, 3); }},
        {"MIN2295_2480", [](Binder& b) {
             return minimum(bandDepth(b, 2295, 5, 2165, 5, 2364, 5), bandDepth(b, 2480, 5, 2364, 5, 2570, 5));
         }},
        {"MIN2345_2537", [](Binder& b) {
             return minimum(bandDepth(b, 2345, 5, 2250, 5, 2430, 5), bandDepth(b, 2537, 5, 2430, 5, 2602, 5));
         }},
        {"BD2500_2", [](Binder& b) { return bandDepth(b, 2480, 5, 2364, 5, 2570, 5); }},
        {"BD3000", [](Binder& b) {
             const int i3000 = b.R(3000, 5), i2530 = b.R(2530, 5), i2210 = b.R(2210, 5);
             return Evaluate([=](const Pixel& p) {
                 const double r2530 = p.medians[i2530];
                 return 1.0 - p.medians[i3000] / (r2530 * (r2530 / p.medians[i2210]));
             });
         }},
        {"BD3100", [](Binder& b) { return bandDepth(b, 3120, 5, 3000, 5, 3250, 5); }},
        {"BD3200", [](Binder& b) { return bandDepth(b, 3320, 5, 3250, 5, 3390, 5); }},
        {"BD3400_2", [](Binder& b) { return bandDepth(b, 3420, 15, 3250, 10, 3630, 10); }},
        {"CINDEX2", [](Binder& b) { return shoulder(b, 3610, 11, 3450, 9, 3875, 7); }},
        {"BD2600", [](Binder& b) { return bandDepth(b, 2600, 5, 2530, 5, 2630, 5); }},
        {"IRR2", [](Binder& b) { return ratio(b, 2530, 5, 2210, 5); }},
        {"IRR3", [](Binder& b) { return ratio(b, 3500, 7, 3390, 7); }},
    };
    return table;
}

double nanMedian(double* values, int count) {
    if (count == 0) return kNaN;
    const int mid = count / 2;
    std::nth_element(values, values + mid, values + count);
    if (count % 2) return values[mid];
    const double upper = values[mid];
    return 0.5 * (upper + *std::max_element(values, values + mid));
}

} // namespace

const std::vector<std::string>& summaryParameterNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& [name, definition] : definitions()) n.push_back(name);
        return n;
    }();
    return names;
}

struct SummaryParameters::Impl {
    std::vector<std::string> names;
    std::vector<Evaluate> evaluators;
    std::vector<std::vector<std::pair<double, int>>> kernelsUsed;
    std::vector<Kernel> kernels;
    std::vector<double> kernelWavelengths;
    std::size_t bands = 0;

    void evaluate(const float* spectrum, float* out, std::vector<double>& medians, std::vector<double>& values) const {
        for (std::size_t k = 0; k < kernels.size(); ++k) {
            int n = 0;
            for (int c : kernels[k].channels)
                if (std::isfinite(spectrum[c])) values[n++] = spectrum[c];
            medians[k] = nanMedian(values.data(), n);
        }
        PixelScratch scratch;
        const Pixel pixel{medians.data(), kernelWavelengths.data(), spectrum, &scratch};
        for (std::size_t i = 0; i < evaluators.size(); ++i) {
            const double v = evaluators[i](pixel);
            out[i] = std::isfinite(v) ? static_cast<float>(v) : std::numeric_limits<float>::quiet_NaN();
        }
    }
};

ParameterDescription describeParameter(const std::string& name) {
    static const std::map<std::string, ParameterDescription> table = [] {
        std::map<std::string, ParameterDescription> out;
        try {
            const auto t = detail::readDelimitedTable(resourcePath("crism/parameters/crism_summary_parameters_vb2014.csv"));
            const auto column = [&](const std::string& h) {
                return static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), h) - t.header.begin());
            };
            const std::size_t n = column("name"), f = column("formula"), r = column("rationale");
            for (const auto& row : t.rows)
                if (n < row.size()) out[row[n]] = {f < row.size() ? row[f] : "", r < row.size() ? row[r] : ""};
        } catch (const Error&) {
            // No table: parameters without descriptions, never an error for a tooltip.
        }
        return out;
    }();
    const auto it = table.find(name);
    return it == table.end() ? ParameterDescription{} : it->second;
}

ParameterConvention parseParameterConvention(const std::string& name) {
    if (name == "pipeline") return ParameterConvention::CrismPipeline;
    if (name == "paper") return ParameterConvention::Paper;
    throw Error("the parameter convention is pipeline (the CRISM team's code, default) or paper, not '" + name + "'");
}

SummaryParameters::SummaryParameters(const std::vector<double>& wavelengthsNm, const std::vector<std::string>& names, ParameterConvention convention)
    : mImpl(std::make_unique<Impl>()) {
    Binder binder(wavelengthsNm, convention);
    const auto& all = definitions();
    for (const std::string& name : names.empty() ? summaryParameterNames() : names) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const auto& d) { return d.first == name; });
        if (it == all.end()) throw Error("unknown summary parameter '" + name + "'");
        mImpl->names.push_back(name);
        mImpl->evaluators.push_back(it->second(binder));
        mImpl->kernelsUsed.push_back(binder.takeUsed());
    }
    mImpl->kernels = std::move(binder.kernels());
    for (const Kernel& k : mImpl->kernels) mImpl->kernelWavelengths.push_back(k.wavelengthNm);
    mImpl->bands = wavelengthsNm.size();
}

SummaryParameters::~SummaryParameters() = default;
SummaryParameters::SummaryParameters(SummaryParameters&&) noexcept = default;
SummaryParameters& SummaryParameters::operator=(SummaryParameters&&) noexcept = default;

const std::vector<std::string>& SummaryParameters::names() const { return mImpl->names; }

std::vector<std::pair<double, int>> SummaryParameters::kernelsOf(const std::string& name) const {
    const auto it = std::find(mImpl->names.begin(), mImpl->names.end(), name);
    if (it == mImpl->names.end()) throw Error("parameter '" + name + "' is not bound");
    return mImpl->kernelsUsed[static_cast<std::size_t>(it - mImpl->names.begin())];
}

std::vector<float> SummaryParameters::compute(const float* spectrum) const {
    std::vector<float> out(mImpl->names.size());
    std::vector<double> medians(mImpl->kernels.size()), scratch(64);
    mImpl->evaluate(spectrum, out.data(), medians, scratch);
    return out;
}

ImageStack SummaryParameters::compute(const SpectralCube& cube, TaskControl* control) const {
    if (static_cast<std::size_t>(cube.bands()) != mImpl->bands)
        throw Error("the cube has " + std::to_string(cube.bands()) + " bands; the parameters were bound to " + std::to_string(mImpl->bands));
    ImageStack image(cube.width(), cube.height(), mImpl->names);
    const int n = image.channels();
    parallelFor(static_cast<std::size_t>(cube.height()), [&](std::size_t y0, std::size_t y1) {
        std::vector<double> medians(mImpl->kernels.size()), scratch(64);
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            for (int x = 0; x < cube.width(); ++x)
                mImpl->evaluate(cube.spectrum(x, static_cast<int>(y)), &image.values[(y * cube.width() + x) * n], medians, scratch);
        }
    });
    if (control) control->setProgress(1.0, "summary parameters");
    return image;
}

} // namespace jezero
