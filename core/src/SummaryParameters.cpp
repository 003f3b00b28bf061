#include "jezero/core/SummaryParameters.h"

#include "DelimitedText.h"
#include "SmallMedian.h"
#include "jezero/core/BadBands.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Task.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cctype>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>

namespace jezero {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPaperMaxChannelDistanceNm = 20.0; // Paper: no channel this close → NaN
constexpr double kPipelineReachNm = 50.0;           // CrismPipeline: beyond the kept range by more → NaN

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
        // The pipeline first drops the channels outside the CRISM team's conservative set (the same for VNIR,
        // IR and joined cubes, since the channels between 1015 and 1044 nm are dropped either way).
        for (int c = 0; c < static_cast<int>(w.size()); ++c)
            if (convention == ParameterConvention::Paper || !BadBands::crismPipeline().isBad(w[c])) mKept.push_back(c);
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
//
// Least squares in u = (λ − centre)/half-range ∈ [−1, 1], which keeps the degree-5 normal equations well
// conditioned. When every channel of a pixel is valid (nearly always) the fit is a fixed linear map of the
// spectrum, solved once at binding; a pixel with no-data channels solves its own 6×6 system.
class VnirPeakFit {
public:
    explicit VnirPeakFit(const std::vector<double>& wavelengthsNm) {
        for (int c = 0; c < static_cast<int>(wavelengthsNm.size()); ++c)
            if (wavelengthsNm[c] >= 430 && wavelengthsNm[c] <= 1015 && !(wavelengthsNm[c] >= 635 && wavelengthsNm[c] <= 706)) {
                mChannels.push_back(c);
                mMicrons.push_back(wavelengthsNm[c] / 1000.0);
            }
        if (mChannels.size() < kMinimumChannels) return;
        const Eigen::Index n = static_cast<Eigen::Index>(mChannels.size());
        Eigen::Matrix<double, Eigen::Dynamic, 6> design(n, 6);
        const double first = mMicrons.front(), last = mMicrons.back();
        for (Eigen::Index i = 0; i < n; ++i) design.row(i) = powers((mMicrons[i] - (first + last) / 2) / ((last - first) / 2));
        const Eigen::Matrix<double, 6, 6> normal = design.transpose() * design;
        mAllValidSolution = normal.ldlt().solve(design.transpose());
    }

    const std::vector<int>& channels() const { return mChannels; }

    VnirPeak fit(const float* s) const {
        const int n = static_cast<int>(mChannels.size());
        int valid = 0, firstValid = -1, lastValid = -1;
        for (int i = 0; i < n; ++i)
            if (std::isfinite(s[mChannels[i]])) {
                if (firstValid < 0) firstValid = i;
                lastValid = i;
                ++valid;
            }
        if (valid < static_cast<int>(kMinimumChannels)) return {};
        const double first = mMicrons[firstValid], last = mMicrons[lastValid];
        Eigen::Matrix<double, 6, 1> coef = Eigen::Matrix<double, 6, 1>::Zero();
        if (valid == n) {
            for (int i = 0; i < n; ++i) coef.noalias() += mAllValidSolution.col(i) * static_cast<double>(s[mChannels[i]]);
        } else {
            Eigen::Matrix<double, 6, 6> normal = Eigen::Matrix<double, 6, 6>::Zero();
            Eigen::Matrix<double, 6, 1> rhs = Eigen::Matrix<double, 6, 1>::Zero();
            for (int i = 0; i < n; ++i) {
                const float value = s[mChannels[i]];
                if (!std::isfinite(value)) continue;
                const Eigen::Matrix<double, 6, 1> u = powers((mMicrons[i] - (first + last) / 2) / ((last - first) / 2)).transpose();
                normal.noalias() += u * u.transpose();
                rhs.noalias() += u * static_cast<double>(value);
            }
            coef = normal.ldlt().solve(rhs);
        }
        return peakOf(coef, first, last);
    }

private:
    static constexpr std::size_t kMinimumChannels = 8;

    static Eigen::Matrix<double, 1, 6> powers(double u) {
        Eigen::Matrix<double, 1, 6> p;
        p(0) = 1;
        for (int k = 1; k < 6; ++k) p(k) = p(k - 1) * u;
        return p;
    }

    // The definition's grid is 2001 points. Scanning all of it would be the hot spot of all 56 parameters,
    // so the scan visits every 16th point and then every point within 16 of each coarse local maximum (and
    // of the ends): the same points win unless two extrema of the quintic lie within 16 grid steps
    // (<1.6 % of the range) of each other. The model is evaluated on the grid as a product with the
    // grid's powers of u, precomputed once.
    static constexpr int kPoints = 2001, kStride = 16, kCoarse = (kPoints - 1 + kStride - 1) / kStride + 1;
    using GridPowers = Eigen::Matrix<double, Eigen::Dynamic, 6, Eigen::RowMajor>;
    static int coarseIndex(int j) { return std::min(j * kStride, kPoints - 1); }
    static const GridPowers& gridPowers(bool coarse) {
        static const auto make = [](int count, auto index) {
            GridPowers g(count, 6);
            for (int i = 0; i < count; ++i) g.row(i) = powers(-1.0 + 2.0 * index(i) / (kPoints - 1));
            return g;
        };
        static const GridPowers fine = make(kPoints, [](int i) { return i; });
        static const GridPowers sparse = make(kCoarse, coarseIndex);
        return coarse ? sparse : fine;
    }

    static VnirPeak peakOf(const Eigen::Matrix<double, 6, 1>& coef, double first, double last) {
        const auto umAt = [&](int i) { return first + (last - first) * i / (kPoints - 1); };
        Eigen::Matrix<double, kCoarse, 1> coarseValues;
        coarseValues.noalias() = gridPowers(true) * coef;
        // Fine-grid windows around coarse local maxima, in wavelength order, with one point more at each
        // end for the slope test (values[i − from + 1] is grid point i).
        struct Window {
            int from, to;
            const double* values;
            double at(int i) const { return values[i - from + 1]; }
        };
        // A quintic has at most two interior maxima, so with the two ends at most four windows. More (a flat
        // model, where rounding ties many coarse points) and the whole grid is scanned, as defined.
        constexpr int kMaxWindows = 4;
        Window windows[kMaxWindows];
        double windowValues[kMaxWindows][2 * kStride + 3];
        std::vector<double> wholeGrid;
        int windowCount = 0;
        for (int j = 0; j < kCoarse; ++j) {
            const bool rising = j == 0 || coarseValues(j) >= coarseValues(j - 1);
            const bool falling = j + 1 == kCoarse || coarseValues(j) >= coarseValues(j + 1);
            if (!(rising && falling)) continue;
            if (windowCount == kMaxWindows) {
                wholeGrid.resize(kPoints + 2);
                Eigen::Map<Eigen::VectorXd>(wholeGrid.data() + 1, kPoints).noalias() = gridPowers(false) * coef;
                windows[0] = {0, kPoints - 1, wholeGrid.data()};
                windowCount = 1;
                break;
            }
            Window& w = windows[windowCount];
            w = {std::max(0, coarseIndex(j) - kStride), std::min(kPoints - 1, coarseIndex(j) + kStride), windowValues[windowCount]};
            ++windowCount;
            const int lo = std::max(0, w.from - 1), hi = std::min(kPoints - 1, w.to + 1);
            Eigen::Map<Eigen::VectorXd>(windowValues[windowCount - 1] + (lo - w.from + 1), hi - lo + 1).noalias() =
                gridPowers(false).middleRows(lo, hi - lo + 1) * coef;
        }
        int best = 0;
        double bestValue = -std::numeric_limits<double>::infinity();
        for (int k = 0; k < windowCount; ++k)
            for (int i = windows[k].from; i <= windows[k].to; ++i) {
                const double v = windows[k].at(i);
                if (v > bestValue || (v == bestValue && i < best)) {
                    best = i;
                    bestValue = v;
                }
            }
        if (best == kPoints - 1 || umAt(best) >= 0.9) {
            // The first interior point where the slope turns from rising to falling.
            for (int k = 0; k < windowCount; ++k) {
                const Window& w = windows[k];
                bool found = false;
                for (int i = std::max(1, w.from); i <= std::min(kPoints - 2, w.to); ++i) {
                    const double before = w.at(i) - w.at(i - 1), after = w.at(i + 1) - w.at(i);
                    if (before > 0 && after <= 0 && (after - before) < 0) {
                        best = i;
                        bestValue = w.at(i);
                        found = true;
                        break;
                    }
                }
                if (found) break;
            }
        }
        return {umAt(best), bestValue};
    }

    std::vector<int> mChannels;
    std::vector<double> mMicrons;
    Eigen::Matrix<double, 6, Eigen::Dynamic> mAllValidSolution; // coefficients = this × the spectrum's channels
};

// The pixel's VNIR peak, fitted once and shared by RPEAK1 and BDI1000VIS.
const VnirPeak& cachedVnirPeak(const Pixel& p, const VnirPeakFit& fit) {
    if (!p.scratch->peakKnown) {
        p.scratch->peak = fit.fit(p.spectrum);
        p.scratch->peakKnown = true;
    }
    return p.scratch->peak;
}

Evaluate rpeak1(Binder& b) {
    const auto fit = std::make_shared<const VnirPeakFit>(b.wavelengths());
    return [=](const Pixel& p) { return cachedVnirPeak(p, *fit).wavelengthUm; };
}

// ∫ (1 - R/R_peak) dλ (µm) over the channels from the one nearest 833 nm to the one nearest 1023 nm,
// channels above 1015 nm removed (trapezoid rule; CAT uses IDL's INT_TABULATED).
Evaluate bdi1000vis(Binder& b) {
    const auto fit = std::make_shared<const VnirPeakFit>(b.wavelengths());
    const auto w = b.wavelengths();
    std::vector<int> band;
    const int first = b.R(833, 1), last = b.R(1023, 1);
    const auto& kernels = b.kernels();
    if (!kernels[first].channels.empty() && !kernels[last].channels.empty())
        for (int c = kernels[first].channels.front(); c <= kernels[last].channels.front(); ++c)
            if (w[c] <= 1015) band.push_back(c);
    return [=](const Pixel& p) {
        if (band.size() < 2) return kNaN;
        const double peak = cachedVnirPeak(p, *fit).reflectance;
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
    std::size_t widestKernel = 0;

    // Working memory of one thread: the kernel medians of a block of pixels, lane by lane.
    struct Scratch {
        explicit Scratch(const Impl& impl) : medians(impl.kernels.size() * detail::kLaneCount), values(impl.widestKernel) {}
        std::vector<double> medians; // [lane][kernel]
        std::vector<float> values;
        detail::Lanes lanes[detail::kLargestNetworkMedian];
    };

    // Up to kLaneCount pixels at once: each kernel's medians for all of them by one SIMD network where the
    // kernel holds no no-data in any of them (nearly always), pixel by pixel otherwise; then each pixel's
    // parameters from its medians. out holds the pixels' values one after the other.
    void evaluate(const float* const* spectra, int count, float* out, Scratch& scratch) const {
        constexpr int kLanes = detail::kLaneCount;
        const float* lane[kLanes];
        for (int l = 0; l < kLanes; ++l) lane[l] = spectra[std::min(l, count - 1)]; // spare lanes repeat the last pixel
        const std::size_t kernelCount = kernels.size();
        for (std::size_t k = 0; k < kernelCount; ++k) {
            const std::vector<int>& channels = kernels[k].channels;
            const int n = static_cast<int>(channels.size());
            if (n > 0 && n <= detail::kLargestNetworkMedian) {
                bool finite = true;
                for (int i = 0; i < n; ++i)
                    for (int l = 0; l < kLanes; ++l) {
                        const float v = lane[l][channels[i]];
                        scratch.lanes[i](l) = v;
                        finite &= std::isfinite(v);
                    }
                if (finite) {
                    const auto [below, at] = detail::placeMedian(scratch.lanes, n);
                    for (int l = 0; l < kLanes; ++l)
                        scratch.medians[l * kernelCount + k] = 0.5 * (static_cast<double>(scratch.lanes[below](l)) + scratch.lanes[at](l));
                    continue;
                }
            }
            for (int l = 0; l < count; ++l) {
                int valid = 0;
                for (int c : channels) { // branch-free: no-data is rare, but unpredictable where it occurs
                    scratch.values[valid] = lane[l][c];
                    valid += std::isfinite(lane[l][c]);
                }
                scratch.medians[l * kernelCount + k] = detail::medianOf(scratch.values.data(), valid);
            }
        }
        const std::size_t parameterCount = evaluators.size();
        for (int l = 0; l < count; ++l) {
            PixelScratch pixelScratch;
            const Pixel pixel{scratch.medians.data() + l * kernelCount, kernelWavelengths.data(), lane[l], &pixelScratch};
            float* pixelOut = out + l * parameterCount;
            for (std::size_t i = 0; i < parameterCount; ++i) {
                const double v = evaluators[i](pixel);
                pixelOut[i] = std::isfinite(v) ? static_cast<float>(v) : std::numeric_limits<float>::quiet_NaN();
            }
        }
    }
};

namespace {

// The unit a summary parameter's formula gives (the table's formulas, Viviano-Beck et al. 2014).
std::string unitOfFormula(const std::string& formula) {
    const auto isChannel = [](const std::string& s, std::size_t from, std::size_t to) {
        if (to <= from + 1 || s[from] != 'R') return false;
        for (std::size_t i = from + 1; i < to; ++i)
            if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        return true;
    };
    if (formula.empty()) return "";
    if (isChannel(formula, 0, formula.size())) return "I/F";
    if (formula.rfind("wavelength", 0) == 0 || formula.rfind("integral over wavelength", 0) == 0) return "µm";
    if (formula.find("per um") != std::string::npos) return "I/F per µm";
    if (const auto slash = formula.find(" / "); slash != std::string::npos && isChannel(formula, 0, slash) &&
                                               isChannel(formula, slash + 3, formula.size()))
        return "ratio";
    return "unitless";
}

} // namespace

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
                if (n < row.size()) {
                    const std::string formula = f < row.size() ? row[f] : "";
                    out[row[n]] = {formula, r < row.size() ? row[r] : "", unitOfFormula(formula)};
                }
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
    for (const Kernel& k : mImpl->kernels) {
        mImpl->kernelWavelengths.push_back(k.wavelengthNm);
        mImpl->widestKernel = std::max(mImpl->widestKernel, k.channels.size());
    }
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
    Impl::Scratch scratch(*mImpl);
    mImpl->evaluate(&spectrum, 1, out.data(), scratch);
    return out;
}

ImageStack SummaryParameters::compute(const SpectralCube& cube, TaskControl* control) const {
    if (static_cast<std::size_t>(cube.bands()) != mImpl->bands)
        throw Error("the cube has " + std::to_string(cube.bands()) + " bands; the parameters were bound to " + std::to_string(mImpl->bands));
    ImageStack image(cube.width(), cube.height(), mImpl->names);
    const std::size_t n = static_cast<std::size_t>(image.channels());
    parallelFor(static_cast<std::size_t>(cube.height()), [&](std::size_t y0, std::size_t y1) {
        Impl::Scratch scratch(*mImpl);
        const float* spectra[detail::kLaneCount];
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            for (int x0 = 0; x0 < cube.width(); x0 += detail::kLaneCount) {
                const int count = std::min(detail::kLaneCount, cube.width() - x0);
                for (int l = 0; l < count; ++l) spectra[l] = cube.spectrum(x0 + l, static_cast<int>(y));
                mImpl->evaluate(spectra, count, &image.values[(y * static_cast<std::size_t>(cube.width()) + x0) * n], scratch);
            }
        }
    });
    if (control) control->setProgress(1.0, "summary parameters");
    return image;
}

} // namespace jezero
