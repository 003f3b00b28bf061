#include "jezero/core/CassisSimulator.h"

#include "jezero/core/Error.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <limits>

namespace jezero {
namespace {

// Linear interpolation in a table sorted by x; 0 outside it.
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double at) {
    if (x.empty() || at < x.front() || at > x.back()) return 0.0;
    const auto it = std::lower_bound(x.begin(), x.end(), at);
    const std::size_t hi = static_cast<std::size_t>(it - x.begin());
    if (x[hi] == at || hi == 0) return y[hi];
    const std::size_t lo = hi - 1;
    return y[lo] + (y[hi] - y[lo]) * (at - x[lo]) / (x[hi] - x[lo]);
}

std::vector<double> channelWidths(const std::vector<double>& w, const std::vector<double>& fwhm) {
    if (fwhm.size() == w.size()) return fwhm;
    std::vector<double> widths(w.size(), 1.0);
    for (std::size_t i = 0; i < w.size(); ++i) {
        double step = std::numeric_limits<double>::infinity();
        if (i > 0) step = std::min(step, w[i] - w[i - 1]);
        if (i + 1 < w.size()) step = std::min(step, w[i + 1] - w[i]);
        widths[i] = std::isfinite(step) ? step : 1.0;
    }
    return widths;
}

// Σ w·I / Σ w over the channels in [first, last) with w > 0 and I valid; NaN when there are none.
float weightedMean(const std::vector<double>& weights, const float* spectrum, std::size_t first, std::size_t last) {
    double sum = 0.0, norm = 0.0;
    for (std::size_t i = first; i < last; ++i) {
        const double w = weights[i];
        const float v = spectrum[i];
        if (w == 0.0 || std::isnan(v)) continue;
        sum += w * v;
        norm += w;
    }
    return norm > 0 ? static_cast<float>(sum / norm) : std::numeric_limits<float>::quiet_NaN();
}

} // namespace

std::vector<std::vector<double>> filterWeights(const std::vector<double>& wavelengthsNm, const std::vector<double>& fwhmNm,
                                               const FilterSet& filters) {
    const auto widths = channelWidths(wavelengthsNm, fwhmNm);
    std::vector<std::vector<double>> weights;
    for (const FilterCurve& filter : filters.filters) {
        std::vector<double> row(wavelengthsNm.size());
        for (std::size_t i = 0; i < wavelengthsNm.size(); ++i)
            row[i] = std::max(0.0, interpolate(filters.wavelengthsNm, filter.response, wavelengthsNm[i])) * widths[i];
        weights.push_back(std::move(row));
    }
    return weights;
}

std::vector<float> simulateBands(const float* spectrum, const std::vector<std::vector<double>>& weights) {
    std::vector<float> out;
    out.reserve(weights.size());
    for (const auto& row : weights) out.push_back(weightedMean(row, spectrum, 0, row.size()));
    return out;
}

ImageStack simulateCassis(const SpectralCube& cube, const FilterSet& filters, TaskControl* control) {
    std::vector<std::string> names;
    for (const auto& f : filters.filters) names.push_back(f.name);
    ImageStack image(cube.width(), cube.height(), names);
    const auto weights = filterWeights(cube.wavelengthsNm(), cube.fwhmNm(), filters);
    // Only the channels some filter sees are visited per pixel.
    std::size_t first = cube.bands(), last = 0;
    for (const auto& row : weights)
        for (std::size_t i = 0; i < row.size(); ++i)
            if (row[i] > 0) {
                first = std::min(first, i);
                last = std::max(last, i + 1);
            }
    const int channels = image.channels();
    parallelFor(static_cast<std::size_t>(cube.height()), [&](std::size_t y0, std::size_t y1) {
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            for (int x = 0; x < cube.width(); ++x) {
                const float* s = cube.spectrum(x, static_cast<int>(y));
                for (int f = 0; f < channels; ++f) image.at(x, static_cast<int>(y), f) = weightedMean(weights[f], s, first, last);
            }
        }
    });
    if (control) control->setProgress(1.0, "CaSSIS bands");
    return image;
}

FilterSet cassisFilters() { return readFilterSet(resourcePath("cassis/cassis_filter_response_on_crism_grid.csv")); }

const std::vector<NominalFilter>& cassisNominalFilters() {
    static const std::vector<NominalFilter> filters = [] {
        // Rows: filter,center_nm,width_nm,… newest version first; the first row of each filter counts.
        const std::string path = resourcePath("cassis/cassis_filter_nominal_centers_widths.csv");
        std::ifstream in(path);
        if (!in) throw Error("cannot read " + path);
        std::vector<NominalFilter> found;
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            NominalFilter f;
            std::string centre, width;
            if (!std::getline(fields, f.name, ',') || !std::getline(fields, centre, ',') || !std::getline(fields, width, ',')) continue;
            if (std::any_of(found.begin(), found.end(), [&](const NominalFilter& g) { return g.name == f.name; })) continue;
            f.centreNm = std::stod(centre);
            f.widthNm = std::stod(width);
            found.push_back(f);
        }
        std::sort(found.begin(), found.end(), [](const NominalFilter& a, const NominalFilter& b) { return a.centreNm < b.centreNm; });
        if (found.size() != 4) throw Error(path + " does not hold the four CaSSIS filters");
        return found;
    }();
    return filters;
}

} // namespace jezero
