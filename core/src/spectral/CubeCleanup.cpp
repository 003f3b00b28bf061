#include "jezero/core/CubeCleanup.h"

#include "../SmallMedian.h"
#include "jezero/core/Error.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Task.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <utility>

namespace jezero {
namespace {

std::string percent(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f %%", 100.0 * fraction);
    return text;
}

// An edge-preserving running median (Kuwahara's idea, in one dimension): the centred window of
// `2·half + 1` values, unless the values of a window ending at i or one starting at i spread less than half
// as much (mean absolute deviation from its median) — beside a step, such as a bright unit's edge across the
// columns, the window on the step's own side is taken, so the step is not read as a stripe. (Switching on
// smaller differences would follow the stripes' own scatter and leave jumps where the window changes.)
std::vector<float> edgePreservingMedian(const std::vector<float>& values, int half) {
    const int n = static_cast<int>(values.size());
    const int window = std::min(n, 2 * half + 1);
    std::vector<float> scratch(static_cast<std::size_t>(window));
    const auto medianAndSpread = [&](int start) {
        const int first = std::clamp(start, 0, n - window);
        std::copy(values.begin() + first, values.begin() + first + window, scratch.begin());
        const auto median = static_cast<float>(detail::medianOf(scratch.data(), window));
        double spread = 0;
        for (int k = first; k < first + window; ++k) spread += std::abs(values[k] - median);
        return std::make_pair(median, spread);
    };
    std::vector<float> out(values.size());
    for (int i = 0; i < n; ++i) {
        const auto centred = medianAndSpread(i - half);
        auto best = centred;
        for (const int start : {i - 2 * half, i}) {
            const auto side = medianAndSpread(start);
            if (2 * side.second < centred.second && side.second < best.second) best = side;
        }
        out[i] = best.first;
    }
    return out;
}

} // namespace

std::string SpikeRemovalReport::summary() const {
    return "spike removal replaced " + std::to_string(valuesReplaced) + " values in " + std::to_string(pixelsTouched) + " pixels";
}

std::string DestripeReport::summary() const {
    return "column destriping corrected " + std::to_string(bandsCorrected) + " bands: mean column correction " + percent(meanAbsoluteCorrection) +
           ", largest " + percent(largestCorrection);
}

namespace {

// A pixel's spectrum over the median spectrum of its 3 × 3 neighbourhood, on the good channels where
// both are valid.
struct RatioSpectrum {
    std::vector<int> channels;
    std::vector<float> ratio, level; // level: the neighbourhood's median

    void measure(const SpectralCube& cube, const std::vector<bool>& good, int x, int y) {
        const float* around[9];
        int count = 0;
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx)
                if (cube.contains(x + dx, y + dy)) around[count++] = cube.spectrum(x + dx, y + dy);
        const float* s = cube.spectrum(x, y);
        channels.clear();
        ratio.clear();
        level.clear();
        float neighbourhood[9];
        for (int b = 0; b < cube.bands(); ++b) {
            if (!good[b] || !std::isfinite(s[b])) continue;
            int valid = 0;
            for (int k = 0; k < count; ++k) {
                neighbourhood[valid] = around[k][b];
                valid += std::isfinite(around[k][b]);
            }
            const double m = detail::medianOf(neighbourhood, valid);
            if (!(m > 0)) continue;
            channels.push_back(b);
            level.push_back(static_cast<float>(m));
            ratio.push_back(static_cast<float>(s[b] / m));
        }
    }

    // |r_i − (r_{i−1} + r_{i+1})/2| at the interior entries: pure noise where nothing is wrong.
    float secondDifference(std::size_t i) const { return std::abs(ratio[i] - 0.5f * (ratio[i - 1] + ratio[i + 1])); }
};

// Each channel's noise in the ratio spectra: 1.4826 × the median second difference / √1.5 over up to
// 4096 pixels spread over the scene (the detector's noise differs by channel: the IR beyond 2.7 µm is far
// noisier than the rest). +∞ for a channel with too few samples (nothing there is called a spike).
std::vector<double> channelNoise(const SpectralCube& cube, const std::vector<bool>& good) {
    const int step = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(cube.pixelCount()) / 4096.0)));
    std::vector<std::vector<float>> differences(static_cast<std::size_t>(cube.bands()));
    RatioSpectrum r;
    for (int y = 0; y < cube.height(); y += step)
        for (int x = 0; x < cube.width(); x += step) {
            r.measure(cube, good, x, y);
            for (std::size_t i = 1; i + 1 < r.ratio.size(); ++i) differences[r.channels[i]].push_back(r.secondDifference(i));
        }
    std::vector<double> sigma(static_cast<std::size_t>(cube.bands()), std::numeric_limits<double>::infinity());
    for (std::size_t b = 0; b < sigma.size(); ++b)
        if (differences[b].size() >= 16)
            sigma[b] = 1.4826 * detail::medianOf(differences[b].data(), static_cast<int>(differences[b].size())) / std::sqrt(1.5);
    return sigma;
}

// The isolated one- and two-channel excursions of a ratio spectrum: `replaced` gets their indices and
// r.ratio the values on the line between their neighbours.
void findSpikes(RatioSpectrum& r, const std::vector<double>& sigma, const SpikeRemovalOptions& options, std::vector<int>& replaced) {
    auto& v = r.ratio;
    const int n = static_cast<int>(v.size());
    replaced.clear();
    const auto exceeds = [&](int i, double excursion, double level) {
        return std::abs(excursion) > options.threshold * sigma[r.channels[i]] && std::abs(excursion) > options.relativeFloor * std::abs(level);
    };
    for (int i = 1; i + 1 < n; ++i) {
        const float before = v[i - 1], after = v[i + 1];
        // One channel off the line between its neighbours, the neighbours agreeing with each other.
        const double e = v[i] - 0.5 * (before + after);
        if (exceeds(i, e, 0.5 * (before + after)) && std::abs(before - after) < std::abs(e) / 3) {
            v[i] = 0.5f * (before + after);
            replaced.push_back(i);
            continue;
        }
        // Two channels off the line between the channels either side, the same way.
        if (i + 2 < n) {
            const float beyond = v[i + 2];
            const double p1 = before + (beyond - before) / 3.0, p2 = before + 2.0 * (beyond - before) / 3.0;
            const double e1 = v[i] - p1, e2 = v[i + 1] - p2;
            if (e1 * e2 > 0 && exceeds(i, e1, p1) && exceeds(i + 1, e2, p2) && std::abs(before - beyond) < std::min(std::abs(e1), std::abs(e2)) / 3) {
                v[i] = static_cast<float>(p1);
                v[i + 1] = static_cast<float>(p2);
                replaced.push_back(i);
                replaced.push_back(i + 1);
                ++i;
            }
        }
    }
}

struct Replacement {
    std::size_t offset; // into the cube's values
    float value;
};

} // namespace

SpikeRemovalReport removeSpikes(SpectralCube& cube, const BadBands& badBands, const SpikeRemovalOptions& options, TaskControl* control) {
    if (!(options.threshold > 0) || !(options.relativeFloor >= 0)) throw Error("spike removal needs a positive threshold and a floor of at least 0");
    const std::vector<bool> good = badBands.goodChannels(cube.wavelengthsNm());
    const int width = cube.width(), height = cube.height(), bands = cube.bands();
    const std::vector<double> sigma = channelNoise(cube, good);
    SpikeRemovalReport report;
    report.perBand.assign(static_cast<std::size_t>(bands), 0);
    // Found on the cube as it is (every neighbourhood unchanged), then put in place.
    std::mutex merge;
    std::vector<Replacement> replacements;
    std::atomic<int> rowsDone{0};
    parallelFor(static_cast<std::size_t>(height), [&](std::size_t y0, std::size_t y1) {
        std::vector<Replacement> found;
        std::size_t pixels = 0;
        RatioSpectrum r;
        std::vector<int> replaced;
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            const int row = static_cast<int>(y);
            for (int x = 0; x < width; ++x) {
                r.measure(cube, good, x, row);
                findSpikes(r, sigma, options, replaced);
                for (int i : replaced) found.push_back({(static_cast<std::size_t>(row) * width + x) * bands + r.channels[i], r.ratio[i] * r.level[i]});
                pixels += !replaced.empty();
            }
            if (control) control->setProgress(static_cast<double>(++rowsDone) / height, "removing spikes");
        }
        const std::lock_guard<std::mutex> lock(merge);
        replacements.insert(replacements.end(), found.begin(), found.end());
        report.pixelsTouched += pixels;
    });
    for (const Replacement& r : replacements) {
        cube.data()[r.offset] = r.value;
        ++report.perBand[r.offset % static_cast<std::size_t>(bands)];
    }
    report.valuesReplaced = replacements.size();
    return report;
}

DestripeReport destripeColumns(SpectralCube& cube, const BadBands& badBands, const DestripeOptions& options, TaskControl* control) {
    if (options.smoothingColumns < 3 || options.smoothingColumns % 2 == 0)
        throw Error("the destriping window must be an odd number of columns, at least 3 (not " + std::to_string(options.smoothingColumns) + ")");
    const std::vector<bool> good = badBands.goodChannels(cube.wavelengthsNm());
    const int width = cube.width(), height = cube.height(), bands = cube.bands();
    DestripeReport report;
    report.gains.assign(static_cast<std::size_t>(bands), std::vector<float>(static_cast<std::size_t>(width), 1.0f));
    // Bands in blocks of 16 (a cache line of each spectrum): the cube is read once for the column medians
    // and once to divide the gains out.
    constexpr int kBlock = 16;
    const int blocks = (bands + kBlock - 1) / kBlock;
    std::atomic<int> blocksDone{0};
    parallelFor(static_cast<std::size_t>(blocks), [&](std::size_t k0, std::size_t k1) {
        std::vector<float> columns(static_cast<std::size_t>(kBlock) * height); // [band of the block][row]
        std::vector<std::vector<float>> medians(kBlock, std::vector<float>(static_cast<std::size_t>(width)));
        for (std::size_t k = k0; k < k1; ++k) {
            if (control) control->throwIfCanceled();
            const int b0 = static_cast<int>(k) * kBlock, count = std::min(bands, b0 + kBlock) - b0;
            for (int x = 0; x < width; ++x) {
                for (int y = 0; y < height; ++y) {
                    const float* s = cube.spectrum(x, y) + b0;
                    for (int j = 0; j < count; ++j) columns[static_cast<std::size_t>(j) * height + y] = s[j];
                }
                for (int j = 0; j < count; ++j) {
                    float* values = &columns[static_cast<std::size_t>(j) * height];
                    int n = 0;
                    for (int y = 0; y < height; ++y) {
                        values[n] = values[y];
                        n += std::isfinite(values[y]);
                    }
                    medians[j][x] = n ? static_cast<float>(detail::medianOf(values, n)) : std::nanf("");
                }
            }
            bool anyCorrected = false;
            for (int j = 0; j < count; ++j) {
                const int b = b0 + j;
                if (!good[b]) continue; // a band the list calls bad is left as it is
                // Columns without data or signal (TRR3 masks its edge columns) keep gain 1 and are left out
                // of the running median, which runs over the columns that have data.
                std::vector<int> columnsWithData;
                std::vector<float> values;
                for (int x = 0; x < width; ++x)
                    if (std::isfinite(medians[j][x]) && medians[j][x] > 0) {
                        columnsWithData.push_back(x);
                        values.push_back(medians[j][x]);
                    }
                if (static_cast<int>(values.size()) < options.smoothingColumns) continue;
                const std::vector<float> smooth = edgePreservingMedian(values, options.smoothingColumns / 2);
                for (std::size_t i = 0; i < values.size(); ++i) report.gains[b][columnsWithData[i]] = values[i] / smooth[i];
                anyCorrected = true;
            }
            if (anyCorrected)
                for (int y = 0; y < height; ++y)
                    for (int x = 0; x < width; ++x) {
                        float* s = cube.spectrum(x, y) + b0;
                        for (int j = 0; j < count; ++j) s[j] /= report.gains[b0 + j][x];
                    }
            if (control) control->setProgress(static_cast<double>(++blocksDone) / blocks, "destriping columns");
        }
    });
    double sum = 0;
    std::size_t count = 0;
    for (int b = 0; b < bands; ++b) {
        const auto& gain = report.gains[b];
        if (std::all_of(gain.begin(), gain.end(), [](float g) { return g == 1.0f; })) continue;
        ++report.bandsCorrected;
        for (float g : gain) {
            sum += std::abs(g - 1.0);
            ++count;
            report.largestCorrection = std::max(report.largestCorrection, std::abs(g - 1.0));
        }
    }
    report.meanAbsoluteCorrection = count ? sum / static_cast<double>(count) : 0.0;
    return report;
}

std::vector<std::string> cleanScene(SpectralCube& cube, const CleanupChoice& choice, TaskControl* control) {
    std::vector<std::string> lines;
    if (!choice.any()) return lines;
    if (!cube.metadata().filterNames.empty()) throw Error("spike removal and destriping are for spectrometer cubes, not filter images");
    const BadBands bad = BadBands::forScene(cube.metadata());
    if (choice.removeSpikes) lines.push_back(removeSpikes(cube, bad, {}, control).summary());
    if (choice.destripe) {
        // A map-projected cube's columns are not detector columns: dividing "column gains" out of them
        // would print stripes of the scene's own structure along the map grid.
        if (cube.metadata().geoTransform && !cube.metadata().crsWkt.empty())
            lines.push_back("column destriping skipped: the scene is map-projected, its columns are not detector columns");
        else
            lines.push_back(destripeColumns(cube, bad, {}, control).summary());
    }
    return lines;
}

} // namespace jezero
