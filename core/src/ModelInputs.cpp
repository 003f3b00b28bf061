#include "jezero/core/ModelInputs.h"

#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Error.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Task.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

namespace jezero {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

bool allFinite(const float* v, int n) {
    return std::all_of(v, v + n, [](float x) { return std::isfinite(x); });
}

ImageStack selectChannels(const ImageStack& source, const std::vector<std::string>& names) {
    ImageStack out(source.width, source.height, names);
    std::vector<int> index;
    for (const auto& n : names) {
        const int i = source.channelIndex(n);
        if (i < 0) throw Error("the filter set has no " + n + " filter");
        index.push_back(i);
    }
    for (std::size_t p = 0; p < source.pixelCount(); ++p)
        for (std::size_t c = 0; c < index.size(); ++c)
            out.values[p * names.size() + c] = source.values[p * source.channels() + index[c]];
    return out;
}

} // namespace

InputKind parseInputKind(const std::string& name) {
    if (name == "4band") return InputKind::FourBand;
    if (name == "pnr") return InputKind::Pnr;
    if (name == "pca") return InputKind::Pca;
    if (name == "rect") return InputKind::Rectangular;
    throw Error("unknown input kind '" + name + "' (use pnr, 4band, pca or rect)");
}

std::string inputKindName(InputKind kind) {
    switch (kind) {
    case InputKind::FourBand: return "4band";
    case InputKind::Pnr: return "pnr";
    case InputKind::Pca: return "pca";
    case InputKind::Rectangular: return "rect";
    }
    return {};
}

RectangularRanges parseRanges(const std::string& text) {
    static const std::regex range(R"(^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*$)");
    RectangularRanges ranges;
    ranges.rangesNm.clear();
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        std::smatch m;
        if (!std::regex_match(item, m, range)) throw Error("bad wavelength range '" + item + "' (use e.g. 780-900)");
        const double lo = std::stod(m[1]), hi = std::stod(m[2]);
        if (!(lo < hi)) throw Error("wavelength range '" + item + "' is empty (start must be below end)");
        ranges.rangesNm.emplace_back(lo, hi);
    }
    if (ranges.rangesNm.empty()) throw Error("no wavelength ranges given");
    return ranges;
}

PcaResult principalComponents(const ImageStack& image, int components) {
    const int n = image.channels();
    if (components < 1 || components > n) throw Error("PCA: cannot keep " + std::to_string(components) + " of " + std::to_string(n) + " channels");
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(n);
    Eigen::MatrixXd scatter = Eigen::MatrixXd::Zero(n, n);
    std::size_t valid = 0;
    for (std::size_t p = 0; p < image.pixelCount(); ++p) {
        const float* v = image.values.data() + p * n;
        if (!allFinite(v, n)) continue;
        mean += Eigen::Map<const Eigen::VectorXf>(v, n).cast<double>();
        ++valid;
    }
    if (valid < 2) throw Error("PCA needs at least two valid pixels");
    mean /= static_cast<double>(valid);
    for (std::size_t p = 0; p < image.pixelCount(); ++p) {
        const float* v = image.values.data() + p * n;
        if (!allFinite(v, n)) continue;
        const Eigen::VectorXd d = Eigen::Map<const Eigen::VectorXf>(v, n).cast<double>() - mean;
        scatter.noalias() += d * d.transpose();
    }
    const Eigen::MatrixXd covariance = scatter / static_cast<double>(valid - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
    // Eigen sorts ascending; take from the back. Sign: the largest-magnitude entry is positive.
    Eigen::MatrixXd axes(n, components);
    PcaResult result;
    const double total = std::max(covariance.trace(), 1e-300);
    for (int k = 0; k < components; ++k) {
        Eigen::VectorXd axis = solver.eigenvectors().col(n - 1 - k);
        Eigen::Index largest;
        axis.cwiseAbs().maxCoeff(&largest);
        if (axis(largest) < 0) axis = -axis;
        axes.col(k) = axis;
        result.axes.emplace_back(axis.data(), axis.data() + n);
        result.explainedVariance.push_back(std::max(0.0, solver.eigenvalues()(n - 1 - k)) / total);
    }
    result.mean.assign(mean.data(), mean.data() + n);
    std::vector<std::string> names;
    for (int k = 0; k < components; ++k) names.push_back("PC" + std::to_string(k + 1));
    result.components = ImageStack(image.width, image.height, names);
    for (std::size_t p = 0; p < image.pixelCount(); ++p) {
        const float* v = image.values.data() + p * n;
        if (!allFinite(v, n)) continue;
        const Eigen::VectorXd projected = axes.transpose() * (Eigen::Map<const Eigen::VectorXf>(v, n).cast<double>() - mean);
        for (int k = 0; k < components; ++k) result.components.values[p * components + k] = static_cast<float>(projected(k));
    }
    return result;
}

ImageStack rectangularFilters(const SpectralCube& cube, const RectangularRanges& ranges, TaskControl* control) {
    std::vector<std::string> names;
    std::vector<std::vector<int>> channels;
    const auto& w = cube.wavelengthsNm();
    for (const auto& [lo, hi] : ranges.rangesNm) {
        std::ostringstream name;
        name << lo << "-" << hi << "nm";
        names.push_back(name.str());
        std::vector<int> inside;
        if (ranges.nearestToCentre) {
            inside.push_back(cube.nearestBand((lo + hi) / 2));
        } else {
            for (int b = 0; b < cube.bands(); ++b)
                if (w[b] >= lo && w[b] <= hi) inside.push_back(b);
        }
        if (inside.empty())
            throw Error("the scene has no channel in " + name.str() + " (it covers " + std::to_string(static_cast<int>(w.front())) + "-" +
                        std::to_string(static_cast<int>(w.back())) + " nm)");
        channels.push_back(std::move(inside));
    }
    ImageStack image(cube.width(), cube.height(), names);
    parallelFor(static_cast<std::size_t>(cube.height()), [&](std::size_t y0, std::size_t y1) {
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            for (int x = 0; x < cube.width(); ++x) {
                const float* s = cube.spectrum(x, static_cast<int>(y));
                for (std::size_t c = 0; c < channels.size(); ++c) {
                    double sum = 0;
                    int count = 0;
                    for (int b : channels[c])
                        if (!std::isnan(s[b])) {
                            sum += s[b];
                            ++count;
                        }
                    image.at(x, static_cast<int>(y), static_cast<int>(c)) = count ? static_cast<float>(sum / count) : kNaN;
                }
            }
        }
    });
    return image;
}

ImageStack filterImageBands(const SpectralCube& cube) {
    const auto& names = cube.metadata().filterNames;
    ImageStack bands(cube.width(), cube.height(), names);
    std::copy(cube.data(), cube.data() + cube.pixelCount() * names.size(), bands.values.begin());
    return bands;
}

ImageStack makeModelInput(const SpectralCube& cube, InputKind kind, const FilterSet& filters, const RectangularRanges& ranges,
                          std::vector<double>* explainedVariance, TaskControl* control) {
    const bool filterImage = !cube.metadata().filterNames.empty();
    if (kind == InputKind::Rectangular && filterImage)
        throw Error("rect inputs are ranges of a spectrometer's channels; this " + cube.metadata().instrument + " image has only its filters");
    if (kind == InputKind::Rectangular) return rectangularFilters(cube, ranges, control);
    const ImageStack bands = filterImage ? filterImageBands(cube) : simulateCassis(cube, filters, control);
    if (filterImage)
        for (const char* needed : kind == InputKind::Pnr ? std::vector<const char*>{"PAN", "NIR", "RED"} : std::vector<const char*>{"BLU", "PAN", "RED", "NIR"})
            if (bands.channelIndex(needed) < 0)
                throw Error(inputKindName(kind) + " inputs need the " + needed + " filter, which this " + cube.metadata().instrument + " image lacks");
    switch (kind) {
    case InputKind::FourBand: return selectChannels(bands, {"BLU", "PAN", "RED", "NIR"});
    case InputKind::Pnr: return selectChannels(bands, {"PAN", "NIR", "RED"});
    case InputKind::Pca: {
        auto pca = principalComponents(selectChannels(bands, {"BLU", "PAN", "RED", "NIR"}), 3);
        if (explainedVariance) *explainedVariance = pca.explainedVariance;
        return std::move(pca.components);
    }
    default: break;
    }
    throw Error("unsupported input kind");
}

void normaliseImageWise(ImageStack& image) {
    const int n = image.channels();
    for (int c = 0; c < n; ++c) {
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (std::size_t p = 0; p < image.pixelCount(); ++p) {
            const float v = image.values[p * n + c];
            if (!std::isfinite(v)) continue;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        const float span = hi - lo;
        for (std::size_t p = 0; p < image.pixelCount(); ++p) {
            float& v = image.values[p * n + c];
            if (std::isfinite(v)) v = span > 0 ? (v - lo) / span : 0.0f;
        }
    }
}

ChannelStatistics channelStatistics(const std::vector<const ImageStack*>& images) {
    if (images.empty()) throw Error("no images to take statistics of");
    const int n = images.front()->channels();
    std::vector<double> sum(n, 0.0), sumSq(n, 0.0);
    std::vector<std::size_t> count(n, 0);
    for (const ImageStack* image : images) {
        if (image->channels() != n) throw Error("images differ in channel count");
        for (std::size_t p = 0; p < image->pixelCount(); ++p)
            for (int c = 0; c < n; ++c) {
                const double v = image->values[p * n + c];
                if (!std::isfinite(v)) continue;
                sum[c] += v;
                sumSq[c] += v * v;
                ++count[c];
            }
    }
    ChannelStatistics stats;
    for (int c = 0; c < n; ++c) {
        const double m = count[c] ? sum[c] / count[c] : 0.0;
        const double var = count[c] > 1 ? (sumSq[c] - count[c] * m * m) / (count[c] - 1) : 0.0;
        stats.mean.push_back(m);
        stats.stddev.push_back(std::sqrt(std::max(0.0, var)));
    }
    return stats;
}

void normaliseWith(ImageStack& image, const ChannelStatistics& statistics) {
    const int n = image.channels();
    if (static_cast<int>(statistics.mean.size()) != n) throw Error("statistics do not match the image's channels");
    for (std::size_t p = 0; p < image.pixelCount(); ++p)
        for (int c = 0; c < n; ++c) {
            float& v = image.values[p * n + c];
            const double sd = statistics.stddev[c] > 0 ? statistics.stddev[c] : 1.0;
            if (std::isfinite(v)) v = static_cast<float>((v - statistics.mean[c]) / sd);
        }
}

} // namespace jezero
