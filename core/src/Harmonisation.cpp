#include "jezero/core/Harmonisation.h"

#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero {

std::vector<double> estimateNoiseSigma(const ImageStack& image) {
    const int n = image.channels(), w = image.width, h = image.height;
    static constexpr int kernel[3][3] = {{1, -2, 1}, {-2, 4, -2}, {1, -2, 1}};
    std::vector<double> sigma(n, std::numeric_limits<double>::quiet_NaN());
    for (int c = 0; c < n; ++c) {
        double sum = 0;
        std::size_t count = 0;
        for (int y = 1; y + 1 < h; ++y)
            for (int x = 1; x + 1 < w; ++x) {
                double response = 0;
                bool valid = true;
                for (int j = -1; j <= 1 && valid; ++j)
                    for (int i = -1; i <= 1; ++i) {
                        const float v = image.at(x + i, y + j, c);
                        if (!std::isfinite(v)) {
                            valid = false;
                            break;
                        }
                        response += kernel[j + 1][i + 1] * static_cast<double>(v);
                    }
                if (valid) sum += std::abs(response), ++count;
            }
        if (count >= 9) sigma[c] = std::sqrt(M_PI / 2) * sum / (6.0 * static_cast<double>(count));
    }
    return sigma;
}

std::vector<BandFit> fitToReference(const ImageStack& image, const ImageStack& reference) {
    if (image.width != reference.width || image.height != reference.height) throw Error("the image and its reference must share a grid");
    std::vector<BandFit> fits;
    for (int c = 0; c < image.channels(); ++c) {
        const int r = reference.channelIndex(image.channelNames[c]);
        if (r < 0) throw Error("the reference has no " + image.channelNames[c] + " band");
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, n = 0;
        for (std::size_t p = 0; p < image.pixelCount(); ++p) {
            const double x = image.values[p * image.channels() + c], y = reference.values[p * reference.channels() + r];
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            sx += x, sy += y, sxx += x * x, sxy += x * y, syy += y * y, ++n;
        }
        if (n < 100)
            throw Error("the image and its reference overlap on " + std::to_string(static_cast<long>(n)) + " valid pixels of " + image.channelNames[c] +
                        "; a calibration fit needs at least 100");
        const double varX = sxx / n - (sx / n) * (sx / n), covXY = sxy / n - (sx / n) * (sy / n), varY = syy / n - (sy / n) * (sy / n);
        BandFit fit;
        fit.band = image.channelNames[c];
        fit.pixels = static_cast<std::size_t>(n);
        fit.gain = varX > 0 ? covXY / varX : 1.0;
        fit.offset = sy / n - fit.gain * sx / n;
        fit.r2 = varX > 0 && varY > 0 ? covXY * covXY / (varX * varY) : 0.0;
        fits.push_back(fit);
    }
    return fits;
}

void applyBandFits(ImageStack& image, const std::vector<BandFit>& fits) {
    for (const BandFit& fit : fits) {
        const int c = image.channelIndex(fit.band);
        if (c < 0) throw Error("the image has no " + fit.band + " band");
        for (std::size_t p = 0; p < image.pixelCount(); ++p) {
            float& v = image.values[p * image.channels() + c];
            if (std::isfinite(v)) v = static_cast<float>(fit.gain * v + fit.offset);
        }
    }
}

ImageStack sampleOnGrid(const ImageStack& source, const SceneMetadata& sourceGeoreference, int width, int height, const SceneMetadata& targetGeoreference) {
    if (!sourceGeoreference.geoTransform || !targetGeoreference.geoTransform) throw Error("both images need a georeference to be sampled onto each other");
    const auto& s = *sourceGeoreference.geoTransform;
    const auto& t = *targetGeoreference.geoTransform;
    const double det = s[1] * s[5] - s[2] * s[4];
    if (det == 0) throw Error("the reference's geotransform cannot be inverted");
    const int n = source.channels();
    ImageStack out(width, height, source.channelNames);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            // Target pixel centre → map → source pixel coordinates (GDAL's affine, inverted).
            const double X = t[0] + (x + 0.5) * t[1] + (y + 0.5) * t[2], Y = t[3] + (x + 0.5) * t[4] + (y + 0.5) * t[5];
            const double dx = X - s[0], dy = Y - s[3];
            const double column = (s[5] * dx - s[2] * dy) / det - 0.5, row = (-s[4] * dx + s[1] * dy) / det - 0.5;
            const int x0 = static_cast<int>(std::floor(column)), y0 = static_cast<int>(std::floor(row));
            const double tx = column - x0, ty = row - y0;
            for (int c = 0; c < n; ++c) {
                double sum = 0, weights = 0;
                for (int j = 0; j < 2; ++j)
                    for (int i = 0; i < 2; ++i) {
                        const int xx = x0 + i, yy = y0 + j;
                        const double wgt = (i ? tx : 1 - tx) * (j ? ty : 1 - ty);
                        if (xx < 0 || yy < 0 || xx >= source.width || yy >= source.height || wgt <= 0) continue;
                        const float v = source.at(xx, yy, c);
                        if (std::isfinite(v)) sum += wgt * v, weights += wgt;
                    }
                out.at(x, y, c) = weights > 0.5 ? static_cast<float>(sum / weights) : std::numeric_limits<float>::quiet_NaN();
            }
        }
    return out;
}

SpectralCube withBandFits(const SpectralCube& filterImage, const std::vector<BandFit>& fits) {
    ImageStack bands = filterImageBands(filterImage);
    applyBandFits(bands, fits);
    SpectralCube calibrated = filterImage;
    std::copy(bands.values.begin(), bands.values.end(), calibrated.data());
    return calibrated;
}

} // namespace jezero
