#include "jezero/core/SpectralCube.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero {

SpectralCube::SpectralCube(int width, int height, std::vector<double> wavelengthsNm) : SpectralCube(width, height, std::move(wavelengthsNm), Unset{}) {
    std::fill(mValues.begin(), mValues.end(), std::numeric_limits<float>::quiet_NaN());
}

SpectralCube::SpectralCube(int width, int height, std::vector<double> wavelengthsNm, Unset)
    : mWidth(width), mHeight(height), mWavelengthsNm(std::move(wavelengthsNm)) {
    if (width <= 0 || height <= 0 || mWavelengthsNm.empty())
        throw Error("a cube needs a positive size and at least one band");
    if (!std::is_sorted(mWavelengthsNm.begin(), mWavelengthsNm.end()))
        throw Error("cube wavelengths must ascend");
    mValues.resize(pixelCount() * mWavelengthsNm.size());
}

void SpectralCube::setFwhmNm(std::vector<double> fwhm) {
    if (!fwhm.empty() && fwhm.size() != mWavelengthsNm.size())
        throw Error("FWHM list has " + std::to_string(fwhm.size()) + " values for " +
                    std::to_string(mWavelengthsNm.size()) + " bands");
    mFwhmNm = std::move(fwhm);
}

int SpectralCube::nearestBand(double wavelengthNm) const {
    const auto& w = mWavelengthsNm;
    auto it = std::lower_bound(w.begin(), w.end(), wavelengthNm);
    if (it == w.end()) return bands() - 1;
    if (it == w.begin()) return 0;
    const auto below = it - 1;
    return static_cast<int>((wavelengthNm - *below <= *it - wavelengthNm ? below : it) - w.begin());
}

std::size_t SpectralCube::noDataPixelCount() const {
    std::size_t count = 0;
    const std::size_t b = mWavelengthsNm.size();
    for (std::size_t p = 0; p < pixelCount(); ++p) {
        const float* s = mValues.data() + p * b;
        if (std::all_of(s, s + b, [](float v) { return std::isnan(v); })) ++count;
    }
    return count;
}

std::size_t SpectralCube::noDataValueCount() const {
    return static_cast<std::size_t>(std::count_if(mValues.begin(), mValues.end(), [](float v) { return std::isnan(v); }));
}

void SpectralCube::setGeolocator(std::shared_ptr<const PixelGeolocator> geolocator) {
    mGeolocator = std::move(geolocator);
}

void requireSpectrometerChannels(const SceneMetadata& metadata, const std::string& what) {
    if (!isFilterImage(metadata)) return;
    std::string filters;
    for (const auto& f : metadata.filterNames) filters += (filters.empty() ? "" : ", ") + f;
    throw Error(what + " need a spectrometer's channels; this " + (metadata.instrument.empty() ? std::string("filter") : metadata.instrument) +
                " image has only its filters (" + filters + ")");
}

} // namespace jezero
