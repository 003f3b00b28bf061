#pragma once
// The model input images built from a cube (thesis conventions):
//   4-band — BLU, PAN, RED, NIR;   PNR — PAN, NIR, RED;
//   PCA    — the four CaSSIS bands reduced to three principal components;
//   rect   — means of the valid channels inside user wavelength ranges (default 780–900, 860–1150,
//            1550–1990 nm), or the one channel nearest each range's centre.
#include "jezero/core/FilterResponse.h"
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <string>
#include <utility>
#include <vector>

namespace jezero {

class TaskControl;

enum class InputKind { FourBand, Pnr, Pca, Rectangular };

// "4band", "pnr", "pca", "rect"; throws Error for anything else.
InputKind parseInputKind(const std::string& name);
std::string inputKindName(InputKind kind);

struct RectangularRanges {
    std::vector<std::pair<double, double>> rangesNm{{780, 900}, {860, 1150}, {1550, 1990}};
    bool nearestToCentre = false; // the thesis's single-channel variant
};
// "780-900,860-1150,1550-1990"; throws Error on bad text.
RectangularRanges parseRanges(const std::string& text);

// Principal components of the valid pixels (all channels finite) of an image stack.
struct PcaResult {
    ImageStack components;                  // PC1..PCn, NaN where the pixel was invalid
    std::vector<double> explainedVariance;  // fraction of total variance, descending
    std::vector<std::vector<double>> axes;  // unit eigenvectors; largest-|·| entry positive
    std::vector<double> mean;               // per input channel
};
// Covariance over valid pixels, eigen-decomposition (Eigen), projection of centred values.
PcaResult principalComponents(const ImageStack& image, int components);

ImageStack rectangularFilters(const SpectralCube& cube, const RectangularRanges& ranges, TaskControl* control = nullptr);

// A filter image's (a CaSSIS product's) channels as an image stack, named after their filters.
ImageStack filterImageBands(const SpectralCube& cube);

// Builds the named input; explainedVariance receives the PCA's when kind is Pca (may be null).
ImageStack makeModelInput(const SpectralCube& cube, InputKind kind, const FilterSet& filters,
                          const RectangularRanges& ranges = {}, std::vector<double>* explainedVariance = nullptr,
                          TaskControl* control = nullptr);

// Normalisation used by training: per-image min–max of each channel to [0, 1] (the thesis), or a
// fixed per-channel affine map from dataset-wide statistics.
void normaliseImageWise(ImageStack& image);
struct ChannelStatistics {
    std::vector<double> mean;
    std::vector<double> stddev;
};
ChannelStatistics channelStatistics(const std::vector<const ImageStack*>& images);
void normaliseWith(ImageStack& image, const ChannelStatistics& statistics);

} // namespace jezero
