#pragma once
// An I/F (or parameter) cube held once in memory, pixel-interleaved (BIP): the spectrum of a pixel is
// contiguous, so reading it is one pointer, and per-pixel spectral maths streams through memory.
// Invalid values (no-data 65535, absurd values at bad pixels) are NaN; every statistic skips NaN.
#include "jezero/core/SceneMetadata.h"

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace jezero {

class PixelGeolocator;

// std::allocator that leaves new elements uninitialised where std::allocator would value-initialise
// (zero-fill) them: a reader that writes every value of a gigabyte cube then does not pay to fill it
// first, and can be canceled while it reads.
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = UninitialisedAllocator<U>;
    };
    UninitialisedAllocator() noexcept = default;
    template <class U>
    UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

class SpectralCube {
public:
    SpectralCube() = default;
    // Allocates width × height × wavelengths.size() values, all NaN. Wavelengths must ascend.
    SpectralCube(int width, int height, std::vector<double> wavelengthsNm);
    // The same with the values left unset, for a reader that writes every one.
    struct Unset {};
    SpectralCube(int width, int height, std::vector<double> wavelengthsNm, Unset);

    int width() const { return mWidth; }
    int height() const { return mHeight; }
    int bands() const { return static_cast<int>(mWavelengthsNm.size()); }
    bool empty() const { return mValues.empty(); }
    std::size_t pixelCount() const { return static_cast<std::size_t>(mWidth) * mHeight; }

    const std::vector<double>& wavelengthsNm() const { return mWavelengthsNm; }
    // Full widths at half maximum per channel (nm) when known, else empty.
    const std::vector<double>& fwhmNm() const { return mFwhmNm; }
    void setFwhmNm(std::vector<double> fwhm);

    float* data() { return mValues.data(); }
    const float* data() const { return mValues.data(); }
    const float* spectrum(int x, int y) const { return mValues.data() + offset(x, y); }
    float* spectrum(int x, int y) { return mValues.data() + offset(x, y); }
    float value(int x, int y, int band) const { return mValues[offset(x, y) + band]; }
    bool contains(int x, int y) const { return x >= 0 && y >= 0 && x < mWidth && y < mHeight; }

    // Index of the channel nearest to wavelengthNm (the cube must have at least one band).
    int nearestBand(double wavelengthNm) const;
    // Pixels with no valid value in any band.
    std::size_t noDataPixelCount() const;
    // Values that are NaN, over all bands.
    std::size_t noDataValueCount() const;

    SceneMetadata& metadata() { return mMetadata; }
    const SceneMetadata& metadata() const { return mMetadata; }

    // Pixel → latitude/longitude, when the scene is georeferenced (else null).
    const PixelGeolocator* geolocator() const { return mGeolocator.get(); }
    std::shared_ptr<const PixelGeolocator> sharedGeolocator() const { return mGeolocator; }
    void setGeolocator(std::shared_ptr<const PixelGeolocator> geolocator);

private:
    std::size_t offset(int x, int y) const {
        return (static_cast<std::size_t>(y) * mWidth + x) * mWavelengthsNm.size();
    }

    int mWidth = 0;
    int mHeight = 0;
    std::vector<double> mWavelengthsNm;
    std::vector<double> mFwhmNm;
    std::vector<float, UninitialisedAllocator<float>> mValues;
    SceneMetadata mMetadata;
    std::shared_ptr<const PixelGeolocator> mGeolocator;
};

// A filter image (CaSSIS) holds broad filters, not a spectrometer's channels: summary parameters and
// browse products cannot be computed from it (never the nearest filter's value instead).
inline bool isFilterImage(const SceneMetadata& metadata) { return !metadata.filterNames.empty(); }
// Throws Error naming what needs the channels when metadata is a filter image's.
void requireSpectrometerChannels(const SceneMetadata& metadata, const std::string& what);

} // namespace jezero
