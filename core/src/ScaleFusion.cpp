#include "jezero/core/ScaleFusion.h"

#include "jezero/core/Error.h"
#include "jezero/core/ImageMetrics.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/PixelGeolocator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace jezero {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Source coordinate of a target pixel centre when target pixels are scale source pixels wide.
double sourceCoordinate(int target, double scale) { return (target + 0.5) * scale - 0.5; }

// Catmull-Rom (a = −0.5) weights for offsets −1, 0, 1, 2 from floor(t).
void cubicWeights(double t, double w[4]) {
    const double t2 = t * t, t3 = t2 * t;
    w[0] = -0.5 * t3 + t2 - 0.5 * t;
    w[1] = 1.5 * t3 - 2.5 * t2 + 1;
    w[2] = -1.5 * t3 + 2 * t2 + 0.5 * t;
    w[3] = 0.5 * t3 - 0.5 * t2;
}

ImageStack resample(const ImageStack& image, int width, int height, double scale, bool cubic) {
    if (width < 1 || height < 1) throw Error("cannot resample to an empty grid");
    const double sx = scale > 0 ? scale : static_cast<double>(image.width) / width;
    const double sy = scale > 0 ? scale : static_cast<double>(image.height) / height;
    const int n = image.channels();
    ImageStack out(width, height, image.channelNames);
    const auto at = [&](int x, int y, int c) {
        x = std::clamp(x, 0, image.width - 1);
        y = std::clamp(y, 0, image.height - 1);
        return image.values[(static_cast<std::size_t>(y) * image.width + x) * n + c];
    };
    parallelFor(static_cast<std::size_t>(height), [&](std::size_t first, std::size_t last) {
        for (std::size_t Y = first; Y < last; ++Y)
            for (int X = 0; X < width; ++X) {
                const double x = sourceCoordinate(X, sx), y = sourceCoordinate(static_cast<int>(Y), sy);
                const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
                const double tx = x - x0, ty = y - y0;
                for (int c = 0; c < n; ++c) {
                    float& target = out.values[(Y * width + X) * n + c];
                    if (cubic) {
                        double wx[4], wy[4], sum = 0;
                        cubicWeights(tx, wx);
                        cubicWeights(ty, wy);
                        bool complete = true;
                        for (int j = 0; j < 4 && complete; ++j)
                            for (int i = 0; i < 4; ++i) {
                                const float v = at(x0 - 1 + i, y0 - 1 + j, c);
                                if (!std::isfinite(v)) {
                                    complete = false;
                                    break;
                                }
                                sum += wx[i] * wy[j] * v;
                            }
                        if (complete) {
                            target = static_cast<float>(sum);
                            continue;
                        }
                    }
                    double sum = 0, weights = 0;
                    for (int j = 0; j < 2; ++j)
                        for (int i = 0; i < 2; ++i) {
                            const float v = at(x0 + i, y0 + j, c);
                            const double w = (i ? tx : 1 - tx) * (j ? ty : 1 - ty);
                            if (std::isfinite(v) && w > 0) sum += w * v, weights += w;
                        }
                    target = weights > 1e-9 ? static_cast<float>(sum / weights) : kNaN;
                }
            }
    });
    return out;
}

// Valid-weighted box means over (2r+1)² windows, from integral images (one channel).
std::vector<double> boxMean(const std::vector<double>& values, const std::vector<unsigned char>& valid, int width, int height, int r) {
    const std::size_t W = static_cast<std::size_t>(width) + 1;
    std::vector<double> sum(W * (height + 1), 0.0), count(W * (height + 1), 0.0);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * width + x, o = (y + 1) * W + x + 1;
            sum[o] = (valid[i] ? values[i] : 0.0) + sum[o - 1] + sum[o - W] - sum[o - W - 1];
            count[o] = (valid[i] ? 1.0 : 0.0) + count[o - 1] + count[o - W] - count[o - W - 1];
        }
    std::vector<double> mean(static_cast<std::size_t>(width) * height, std::numeric_limits<double>::quiet_NaN());
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const int x0 = std::max(0, x - r), x1 = std::min(width, x + r + 1), y0 = std::max(0, y - r), y1 = std::min(height, y + r + 1);
            const auto box = [&](const std::vector<double>& s) { return s[y1 * W + x1] - s[y0 * W + x1] - s[y1 * W + x0] + s[y0 * W + x0]; };
            const double n = box(count);
            if (n > 0) mean[static_cast<std::size_t>(y) * width + x] = box(sum) / n;
        }
    return mean;
}

struct Plane {
    std::vector<double> values;
    std::vector<unsigned char> valid;
};

Plane planeOf(const ImageStack& image, int channel) {
    Plane p;
    p.values.resize(image.pixelCount());
    p.valid.resize(image.pixelCount());
    for (std::size_t i = 0; i < image.pixelCount(); ++i) {
        const float v = image.values[i * image.channels() + channel];
        p.valid[i] = std::isfinite(v);
        p.values[i] = p.valid[i] ? v : 0.0;
    }
    return p;
}

// The guide as one channel: the mean of its valid channels.
ImageStack guideChannel(const ImageStack& guide) {
    ImageStack one(guide.width, guide.height, {"guide"});
    const int n = guide.channels();
    for (std::size_t p = 0; p < guide.pixelCount(); ++p) {
        double sum = 0;
        int count = 0;
        for (int c = 0; c < n; ++c)
            if (const float v = guide.values[p * n + c]; std::isfinite(v)) sum += v, ++count;
        one.values[p] = count == n ? static_cast<float>(sum / n) : kNaN;
    }
    return one;
}

// Covariance and variance over pixels where both are valid.
std::pair<double, double> covarianceAndVariance(const ImageStack& a, int ca, const ImageStack& b, int cb) {
    double sa = 0, sb = 0, sab = 0, sbb = 0, n = 0;
    for (std::size_t p = 0; p < a.pixelCount(); ++p) {
        const double x = a.values[p * a.channels() + ca], y = b.values[p * b.channels() + cb];
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        sa += x, sb += y, sab += x * y, sbb += y * y, ++n;
    }
    if (n < 2) return {0, 0};
    return {sab / n - sa / n * sb / n, sbb / n - sb / n * sb / n};
}

// A coarse grid's pixel positions through the fine grid's geolocator (pixel edges coincide at 0).
class ScaledGeolocator : public PixelGeolocator {
public:
    ScaledGeolocator(std::shared_ptr<const PixelGeolocator> fine, double factor) : mFine(std::move(fine)), mFactor(factor) {}
    std::optional<LatLon> latLon(double column, double row) const override { return mFine->latLon(column * mFactor, row * mFactor); }

private:
    std::shared_ptr<const PixelGeolocator> mFine;
    double mFactor;
};

} // namespace

FusionMethod parseFusionMethod(const std::string& name) {
    if (name == "bicubic") return FusionMethod::Bicubic;
    if (name == "guided") return FusionMethod::Guided;
    if (name == "hpf") return FusionMethod::HighPass;
    if (name == "gs") return FusionMethod::GramSchmidt;
    if (name == "sr") return FusionMethod::Learned;
    throw Error("unknown fusion method '" + name + "' (bicubic, guided, hpf, gs or sr)");
}

std::string fusionMethodName(FusionMethod method) {
    switch (method) {
    case FusionMethod::Bicubic: return "bicubic";
    case FusionMethod::Guided: return "guided";
    case FusionMethod::HighPass: return "hpf";
    case FusionMethod::GramSchmidt: return "gs";
    case FusionMethod::Learned: return "sr";
    }
    return "?";
}

double psfSigmaForReduction(double factor, double mtfAtNyquist) {
    if (!(factor > 0) || !(mtfAtNyquist > 0 && mtfAtNyquist < 1)) throw Error("a PSF needs a reduction factor > 0 and an MTF between 0 and 1");
    return factor * std::sqrt(-2.0 * std::log(mtfAtNyquist)) / M_PI;
}

ImageStack gaussianBlur(const ImageStack& image, double sigma) {
    if (!(sigma > 0)) return image;
    const int radius = static_cast<int>(std::ceil(3 * sigma));
    std::vector<double> kernel(2 * radius + 1);
    for (int k = -radius; k <= radius; ++k) kernel[k + radius] = std::exp(-0.5 * k * k / (sigma * sigma));
    const int n = image.channels(), w = image.width, h = image.height;
    ImageStack pass(w, h, image.channelNames), out(w, h, image.channelNames);
    const auto run = [&](const ImageStack& from, ImageStack& to, bool horizontal) {
        parallelFor(static_cast<std::size_t>(h), [&](std::size_t first, std::size_t last) {
            for (std::size_t y = first; y < last; ++y)
                for (int x = 0; x < w; ++x)
                    for (int c = 0; c < n; ++c) {
                        double sum = 0, weights = 0;
                        for (int k = -radius; k <= radius; ++k) {
                            const int xx = horizontal ? x + k : x, yy = horizontal ? static_cast<int>(y) : static_cast<int>(y) + k;
                            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                            const float v = from.values[(static_cast<std::size_t>(yy) * w + xx) * n + c];
                            if (std::isfinite(v)) sum += kernel[k + radius] * v, weights += kernel[k + radius];
                        }
                        to.values[(y * w + x) * n + c] = weights > 0 ? static_cast<float>(sum / weights) : kNaN;
                    }
        });
    };
    run(image, pass, true);
    run(pass, out, false);
    for (std::size_t i = 0; i < out.values.size(); ++i)
        if (!std::isfinite(image.values[i])) out.values[i] = kNaN;
    return out;
}

ImageStack resampleBilinear(const ImageStack& image, int width, int height, double scale) { return resample(image, width, height, scale, false); }
ImageStack resampleBicubic(const ImageStack& image, int width, int height, double scale) { return resample(image, width, height, scale, true); }

SpectralCube degradeCube(const SpectralCube& cube, double factor, double sigma) {
    if (!(factor >= 1)) throw Error("degrading needs a factor of at least 1");
    ImageStack fine(cube.width(), cube.height(), std::vector<std::string>(static_cast<std::size_t>(cube.bands())));
    std::copy(cube.data(), cube.data() + fine.values.size(), fine.values.begin());
    const ImageStack coarse = degradeImage(fine, factor, sigma);
    const int width = coarse.width, height = coarse.height;
    SpectralCube out(width, height, cube.wavelengthsNm());
    out.setFwhmNm(cube.fwhmNm());
    std::copy(coarse.values.begin(), coarse.values.end(), out.data());
    SceneMetadata metadata = cube.metadata();
    if (metadata.geoTransform)
        for (int i : {1, 2, 4, 5}) (*metadata.geoTransform)[i] *= factor;
    out.metadata() = metadata;
    if (cube.geolocator()) out.setGeolocator(std::make_shared<ScaledGeolocator>(cube.sharedGeolocator(), factor));
    return out;
}

ImageStack degradeImage(const ImageStack& fine, double factor, double sigma) {
    if (!(factor >= 1)) throw Error("degrading needs a factor of at least 1");
    const int width = static_cast<int>(std::ceil(fine.width / factor)), height = static_cast<int>(std::ceil(fine.height / factor));
    return resampleBilinear(gaussianBlur(fine, sigma), width, height, factor);
}

const std::vector<std::string>& learnedFusionChannels() {
    static const std::vector<std::string> names{"COARSE", "BLU", "PAN", "RED", "NIR"};
    return names;
}

LearnedFusionInput learnedFusionInput(const ImageStack& coarseChannel, const ImageStack& fineBands, double factor) {
    if (coarseChannel.channels() != 1) throw Error("the learned fusion takes one coarse channel at a time");
    if (!(factor >= 1)) throw Error("the learned fusion needs a factor of at least 1");
    const int W = fineBands.width, H = fineBands.height;
    LearnedFusionInput result;
    result.input = ImageStack(W, H, learnedFusionChannels());
    const int n = result.input.channels();
    double sum = 0, squares = 0, count = 0;
    for (const float v : coarseChannel.values)
        if (std::isfinite(v)) sum += v, squares += static_cast<double>(v) * v, ++count;
    if (count >= 2) {
        result.mean = sum / count;
        const double variance = (squares - sum * sum / count) / (count - 1);
        result.scale = variance > 1e-20 * std::max(1.0, result.mean * result.mean) ? std::sqrt(variance) : 0.0;
    }
    const ImageStack up = resampleBicubic(coarseChannel, W, H, 1.0 / factor);
    for (std::size_t p = 0; p < up.pixelCount(); ++p)
        result.input.values[p * n] = result.scale > 0 ? static_cast<float>((up.values[p] - result.mean) / result.scale) : (std::isfinite(up.values[p]) ? 0.0f : kNaN);
    for (int c = 1; c < n; ++c) {
        const std::string& name = learnedFusionChannels()[c];
        const int k = fineBands.channelIndex(name);
        if (k < 0) throw Error("the learned fusion needs the filter band " + name + "; the image lacks it");
        const int m = fineBands.channels();
        double bandSum = 0, bandCount = 0;
        for (std::size_t p = 0; p < fineBands.pixelCount(); ++p)
            if (const float v = fineBands.values[p * m + k]; std::isfinite(v)) bandSum += std::log(std::max(static_cast<double>(v), 1e-4)), ++bandCount;
        const double bandMean = bandCount > 0 ? bandSum / bandCount : 0.0;
        for (std::size_t p = 0; p < fineBands.pixelCount(); ++p) {
            const float v = fineBands.values[p * m + k];
            result.input.values[p * n + c] = std::isfinite(v) ? static_cast<float>(std::log(std::max(static_cast<double>(v), 1e-4)) - bandMean) : kNaN;
        }
    }
    return result;
}

ImageStack fuseToFineGrid(const ImageStack& coarse, const ImageStack& guide, const FusionOptions& options) {
    if (coarse.width < 1 || guide.width < 1) throw Error("fusion needs a coarse image and a guide");
    if (options.method == FusionMethod::Learned) throw Error("the learned fusion (sr) runs a network: it needs a fusion model (core/ml)");
    const double factor = options.factor > 0 ? options.factor : static_cast<double>(guide.width) / coarse.width;
    const int W = guide.width, H = guide.height, n = coarse.channels();
    ImageStack up = resampleBicubic(coarse, W, H, 1.0 / factor);
    if (options.method == FusionMethod::Bicubic) return up;
    const double sigma = options.sigma > 0 ? options.sigma : psfSigmaForReduction(factor);
    const ImageStack g = guideChannel(guide);
    // The guide seen as the prediction was made: through the PSF to the coarse grid and back.
    const ImageStack gLow = resampleBicubic(resampleBilinear(gaussianBlur(g, sigma), coarse.width, coarse.height, factor), W, H, 1.0 / factor);
    ImageStack out = up;
    if (options.method == FusionMethod::HighPass) {
        for (int c = 0; c < n; ++c) {
            const auto [cov, var] = covarianceAndVariance(up, c, gLow, 0);
            const double gain = var > 0 ? cov / var : 0.0;
            for (std::size_t p = 0; p < out.pixelCount(); ++p) {
                float& v = out.values[p * n + c];
                const float detail = g.values[p] - gLow.values[p];
                if (std::isfinite(v) && std::isfinite(detail)) v += static_cast<float>(gain * detail);
            }
        }
        return out;
    }
    if (options.method == FusionMethod::GramSchmidt) {
        // I_low: the channels' least-squares combination that best gives the low-pass guide.
        const int k = n + 1;
        std::vector<double> normal(static_cast<std::size_t>(k) * k, 0.0), rhs(k, 0.0);
        for (std::size_t p = 0; p < up.pixelCount(); ++p) {
            std::vector<double> row(k, 1.0);
            bool ok = std::isfinite(gLow.values[p]);
            for (int c = 0; c < n && ok; ++c) ok = std::isfinite(row[c] = up.values[p * n + c]);
            if (!ok) continue;
            for (int i = 0; i < k; ++i) {
                rhs[i] += row[i] * gLow.values[p];
                for (int j = 0; j < k; ++j) normal[i * k + j] += row[i] * row[j];
            }
        }
        for (int i = 0; i < k; ++i) normal[i * k + i] += 1e-9 * (normal[i * k + i] + 1); // ridge: collinear channels
        // Gaussian elimination with partial pivoting (k ≤ a few channels + 1).
        std::vector<double> a = normal, b = rhs;
        for (int col = 0; col < k; ++col) {
            int pivot = col;
            for (int r = col + 1; r < k; ++r)
                if (std::abs(a[r * k + col]) > std::abs(a[pivot * k + col])) pivot = r;
            for (int j = 0; j < k; ++j) std::swap(a[col * k + j], a[pivot * k + j]);
            std::swap(b[col], b[pivot]);
            if (std::abs(a[col * k + col]) < 1e-300) continue;
            for (int r = 0; r < k; ++r) {
                if (r == col) continue;
                const double f = a[r * k + col] / a[col * k + col];
                for (int j = 0; j < k; ++j) a[r * k + j] -= f * a[col * k + j];
                b[r] -= f * b[col];
            }
        }
        std::vector<double> weights(k, 0.0);
        for (int i = 0; i < k; ++i) weights[i] = std::abs(a[i * k + i]) > 1e-300 ? b[i] / a[i * k + i] : 0.0;
        ImageStack intensity(W, H, {"I"});
        for (std::size_t p = 0; p < up.pixelCount(); ++p) {
            double v = weights[n];
            for (int c = 0; c < n; ++c) v += weights[c] * up.values[p * n + c];
            intensity.values[p] = std::isfinite(v) ? static_cast<float>(v) : kNaN;
        }
        // The guide matched to the intensity in mean and spread (against its own low-pass spread).
        double gm = 0, im = 0, count = 0;
        for (std::size_t p = 0; p < up.pixelCount(); ++p)
            if (std::isfinite(g.values[p]) && std::isfinite(intensity.values[p]) && std::isfinite(gLow.values[p])) gm += g.values[p], im += intensity.values[p], ++count;
        gm /= std::max(1.0, count), im /= std::max(1.0, count);
        const auto [_, varI] = covarianceAndVariance(intensity, 0, intensity, 0);
        const auto [__, varGLow] = covarianceAndVariance(gLow, 0, gLow, 0);
        const double stretch = varGLow > 0 ? std::sqrt(varI / varGLow) : 1.0;
        for (int c = 0; c < n; ++c) {
            const auto [cov, var] = covarianceAndVariance(up, c, intensity, 0);
            const double gain = var > 0 ? cov / var : 0.0;
            for (std::size_t p = 0; p < out.pixelCount(); ++p) {
                float& v = out.values[p * n + c];
                const double detail = (g.values[p] - gm) * stretch + im - intensity.values[p];
                if (std::isfinite(v) && std::isfinite(detail)) v += static_cast<float>(gain * detail);
            }
        }
        return out;
    }
    // Guided filter, the guide normalised by its spread so ε means the same for any units.
    const int radius = std::max(1, static_cast<int>(std::lround(factor)));
    const Plane I = planeOf(g, 0);
    const auto [_, varG] = covarianceAndVariance(g, 0, g, 0);
    const double eps = (options.guidedEpsilon > 0 ? options.guidedEpsilon : 1e-3) * std::max(varG, 1e-30);
    std::vector<double> II(I.values.size());
    for (std::size_t i = 0; i < II.size(); ++i) II[i] = I.values[i] * I.values[i];
    for (int c = 0; c < n; ++c) {
        Plane p = planeOf(up, c);
        std::vector<unsigned char> both(p.valid.size());
        std::vector<double> Ip(p.values.size());
        for (std::size_t i = 0; i < both.size(); ++i) both[i] = p.valid[i] && I.valid[i], Ip[i] = I.values[i] * p.values[i];
        const auto meanP = boxMean(p.values, both, W, H, radius), meanIp = boxMean(Ip, both, W, H, radius);
        const auto meanIb = boxMean(I.values, both, W, H, radius), meanIIb = boxMean(II, both, W, H, radius);
        std::vector<double> a(both.size()), b(both.size());
        std::vector<unsigned char> fitted(both.size());
        for (std::size_t i = 0; i < both.size(); ++i) {
            const double var = meanIIb[i] - meanIb[i] * meanIb[i], cov = meanIp[i] - meanIb[i] * meanP[i];
            fitted[i] = std::isfinite(var) && std::isfinite(cov);
            a[i] = fitted[i] ? cov / (std::max(var, 0.0) + eps) : 0.0;
            b[i] = fitted[i] ? meanP[i] - a[i] * meanIb[i] : 0.0;
        }
        const auto meanA = boxMean(a, fitted, W, H, radius), meanB = boxMean(b, fitted, W, H, radius);
        for (std::size_t i = 0; i < both.size(); ++i) {
            float& v = out.values[i * n + c];
            if (std::isfinite(v) && I.valid[i] && std::isfinite(meanA[i])) v = static_cast<float>(meanA[i] * I.values[i] + meanB[i]);
        }
    }
    return out;
}

} // namespace jezero

namespace jezero {

FusionScore scoreFused(const ImageStack& fused, const ImageStack& truth, double factor) {
    if (fused.width != truth.width || fused.height != truth.height || fused.channels() != truth.channels())
        throw Error("a fused image is scored against a truth of the same grid and channels");
    const int n = truth.channels();
    FusionScore s;
    double relative = 0;
    for (int c = 0; c < n; ++c) {
        double sum = 0, count = 0;
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (std::size_t p = 0; p < truth.pixelCount(); ++p)
            if (const float v = truth.values[p * n + c]; std::isfinite(v)) sum += v, ++count, lo = std::min(lo, v), hi = std::max(hi, v);
        const double mean = count ? sum / count : 0, range = hi > lo ? hi - lo : 1;
        double squared = 0, compared = 0;
        for (std::size_t p = 0; p < fused.pixelCount(); ++p) {
            const double a = fused.values[p * n + c], b = truth.values[p * n + c];
            if (std::isfinite(a) && std::isfinite(b)) squared += (a - b) * (a - b), ++compared;
        }
        const double rmse = compared ? std::sqrt(squared / compared) : 0;
        s.rmse += rmse / n;
        relative += mean != 0 ? rmse * rmse / (mean * mean) : 0;
        s.psnr += (rmse > 0 ? 20 * std::log10(range / rmse) : 100) / n;
        s.ssim += ssim(fused.values.data() + c, truth.values.data() + c, fused.width, fused.height, range, n) / n;
    }
    s.ergas = 100.0 / factor * std::sqrt(relative / n);
    double angle = 0, pixels = 0;
    for (std::size_t p = 0; p < fused.pixelCount(); ++p) {
        double dot = 0, aa = 0, bb = 0;
        bool ok = true;
        for (int c = 0; c < n && ok; ++c) {
            const double a = fused.values[p * n + c], b = truth.values[p * n + c];
            ok = std::isfinite(a) && std::isfinite(b);
            dot += a * b, aa += a * a, bb += b * b;
        }
        if (!ok || aa <= 0 || bb <= 0) continue;
        angle += std::acos(std::clamp(dot / std::sqrt(aa * bb), -1.0, 1.0)) * 180 / M_PI;
        ++pixels;
    }
    s.samDeg = pixels ? angle / pixels : 0;
    return s;
}

std::vector<FusionScore> scoreFusion(const ImageStack& fineTarget, const ImageStack& fineGuide, double factor) {
    if (fineTarget.width != fineGuide.width || fineTarget.height != fineGuide.height) throw Error("the target and the guide must share a grid");
    const double sigma = psfSigmaForReduction(factor);
    const int w = static_cast<int>(std::ceil(fineTarget.width / factor)), h = static_cast<int>(std::ceil(fineTarget.height / factor));
    const ImageStack coarse = resampleBilinear(gaussianBlur(fineTarget, sigma), w, h, factor);
    std::vector<FusionScore> scores;
    for (const FusionMethod method : {FusionMethod::Bicubic, FusionMethod::Guided, FusionMethod::HighPass, FusionMethod::GramSchmidt}) {
        FusionOptions options;
        options.method = method;
        options.factor = factor;
        options.sigma = sigma;
        FusionScore s = scoreFused(fuseToFineGrid(coarse, fineGuide, options), fineTarget, factor);
        s.method = fusionMethodName(method);
        scores.push_back(s);
    }
    return scores;
}

} // namespace jezero
