#pragma once
// Bringing a CaSSIS image's radiometry to the training domain, and what its noise is.
//   Noise: Immerkær's fast estimate (1996, "Fast noise variance estimation", CVIU 64:300): the image
//   convolved with the 3 × 3 difference-of-Laplacians kernel [1 −2 1; −2 4 −2; 1 −2 1], which cancels
//   any locally planar signal, gives σ = √(π/2) · Σ|I ∗ N| / (6 (W − 2)(H − 2)) (here over the valid
//   3 × 3 neighbourhoods only).
//   Calibration against an overlapping CRISM scene: the CaSSIS bands the CRISM cube gives (the filter
//   simulation) sampled at the image's pixel centres through both georeferences (one CRS), and per band
//   the least-squares line reference ≈ gain · image + offset over the pixels valid in both.
#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneMetadata.h"
#include "jezero/core/SpectralCube.h"

#include <cstddef>
#include <string>
#include <vector>

namespace jezero {

// One noise σ per channel, in the image's units; NaN where fewer than 9 valid neighbourhoods exist.
std::vector<double> estimateNoiseSigma(const ImageStack& image);

struct BandFit {
    std::string band;
    double gain = 1, offset = 0;
    std::size_t pixels = 0; // the pairs the line was fitted on
    double r2 = 0;          // the share of the reference's variance the line explains
};

// Per channel of image, the line to reference (same grid and channel names). Throws Error when a
// channel is missing from reference or fewer than 100 pixels are valid in both.
std::vector<BandFit> fitToReference(const ImageStack& image, const ImageStack& reference);
// Applies the lines in place (NaN stays NaN).
void applyBandFits(ImageStack& image, const std::vector<BandFit>& fits);
// A filter image (CaSSIS) with the lines applied to its filter bands: the image as calibrated.
SpectralCube withBandFits(const SpectralCube& filterImage, const std::vector<BandFit>& fits);

// source (on its georeference) sampled bilinearly at the pixel centres of a width × height grid on
// target's georeference; NaN outside source. Both must be in one CRS — the caller checks that (the
// same CRS can be written as different WKT: io::sameCrs compares them). Throws Error when either lacks
// a geotransform.
ImageStack sampleOnGrid(const ImageStack& source, const SceneMetadata& sourceGeoreference, int width, int height,
                        const SceneMetadata& targetGeoreference);

} // namespace jezero
