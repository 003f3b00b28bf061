#pragma once
// Which library spectra look like a pixel or an ROI mean (ENVI's Spectral Analyst is the model): each
// library spectrum is resampled onto the scene's channels and compared over a wavelength range by
//   - the continuum-removed correlation: Pearson's r of the two spectra divided by their upper hulls
//     over the range — the shape of the absorption bands, blind to brightness and slope (the score);
//   - the spectral angle (degrees) of the spectra as they are — overall shape and slope, blind to
//     brightness.
// MICA type spectra are ratioed I/F and lab spectra reflectance: their bands are comparable, their
// continua are not, which is why the band shape ranks.
#include "jezero/core/SpectralLibrary.h"

#include <string>
#include <vector>

namespace jezero {

struct LibraryMatch {
    std::string name, kind;
    double correlation = 0; // continuum-removed, −1 … 1
    double angleDeg = 0;    // spectral angle, 0 … 90
    int channels = 0;       // channels compared (valid in both, inside the range)
};

// Ranks library by continuum-removed correlation, best first (spectra with fewer than 5 common channels
// in the range are left out). Throws Error when the range is empty or the spectrum has fewer than 5
// valid channels in it.
std::vector<LibraryMatch> rankLibraryMatches(const std::vector<double>& wavelengthsNm, const std::vector<double>& spectrum,
                                             const std::vector<LibrarySpectrum>& library, double fromNm, double toNm);

} // namespace jezero
