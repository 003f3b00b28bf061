#include "jezero/core/SpectralMatching.h"

#include "jezero/core/Error.h"
#include "jezero/core/Roi.h"

#include <algorithm>
#include <cmath>

namespace jezero {
namespace {

constexpr int kMinimumChannels = 5;

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    const double n = static_cast<double>(a.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma), sbb += (b[i] - mb) * (b[i] - mb);
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

double angleDeg(const std::vector<double>& a, const std::vector<double>& b) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ab += a[i] * b[i], aa += a[i] * a[i], bb += b[i] * b[i];
    if (aa <= 0 || bb <= 0) return 90.0;
    return std::acos(std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0)) * 180.0 / M_PI;
}

} // namespace

std::vector<LibraryMatch> rankLibraryMatches(const std::vector<double>& w, const std::vector<double>& spectrum, const std::vector<LibrarySpectrum>& library,
                                             double fromNm, double toNm) {
    if (!(fromNm < toNm)) throw Error("the matching range must run from a shorter to a longer wavelength");
    if (spectrum.size() != w.size())
        throw Error("the spectrum has " + std::to_string(spectrum.size()) + " values for " + std::to_string(w.size()) + " wavelengths");
    std::vector<std::size_t> inRange;
    for (std::size_t i = 0; i < w.size(); ++i)
        if (w[i] >= fromNm && w[i] <= toNm && std::isfinite(spectrum[i])) inRange.push_back(i);
    if (static_cast<int>(inRange.size()) < kMinimumChannels)
        throw Error("the spectrum has " + std::to_string(inRange.size()) + " valid channels in " + std::to_string(static_cast<int>(fromNm)) + "–" +
                    std::to_string(static_cast<int>(toNm)) + " nm; matching needs at least " + std::to_string(kMinimumChannels));
    std::vector<LibraryMatch> matches;
    for (const LibrarySpectrum& reference : library) {
        const std::vector<double> resampled = resampleToChannels(reference, w);
        // The channels both have, in the range; each continuum is the upper hull over exactly those.
        std::vector<double> cw, a, b;
        for (std::size_t i : inRange)
            if (std::isfinite(resampled[i])) cw.push_back(w[i]), a.push_back(spectrum[i]), b.push_back(resampled[i]);
        if (static_cast<int>(cw.size()) < kMinimumChannels) continue;
        const std::vector<double> ca = continuumRemoved(cw, a), cb = continuumRemoved(cw, b);
        std::vector<double> ra, rb;
        for (std::size_t i = 0; i < cw.size(); ++i)
            if (std::isfinite(ca[i]) && std::isfinite(cb[i])) ra.push_back(ca[i]), rb.push_back(cb[i]);
        if (static_cast<int>(ra.size()) < kMinimumChannels) continue;
        matches.push_back({reference.name, reference.kind, pearson(ra, rb), angleDeg(a, b), static_cast<int>(ra.size())});
    }
    std::stable_sort(matches.begin(), matches.end(), [](const LibraryMatch& x, const LibraryMatch& y) {
        return x.correlation != y.correlation ? x.correlation > y.correlation : x.angleDeg < y.angleDeg;
    });
    return matches;
}

} // namespace jezero
