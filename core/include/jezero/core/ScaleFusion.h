#pragma once
// Between a high-resolution filter image (CaSSIS, 4.6 m/px) and the coarser grid a model was trained
// on (CRISM MTRDR, ~18 m/px): degrading the image to the model's scale (a Gaussian PSF, then
// resampling), and bringing a prediction made there back to the fine grid, guided by the image itself.
//
// The PSF: a Gaussian of σ (fine pixels) whose MTF, exp(−2π²σ²ν²), equals mtfAtNyquist at the coarse
// grid's Nyquist frequency ν = 1/(2·factor) cycles per fine pixel:
//     σ = factor · √(−2 ln mtfAtNyquist) / π.
// With 0.3 — the value pan-sharpening studies assume for a sensor's MTF at its Nyquist frequency when
// the real one is not known (Wald's protocol; Aiazzi et al. 2006) — σ ≈ 0.49 · factor: for 4.6 → 18 m
// (factor 3.9), σ ≈ 1.9 fine pixels.
//
// Fusion of a coarse prediction P with the fine guide G (CaSSIS PAN, or the mean of the filters):
//   bicubic — P upsampled, the baseline every method must beat;
//   guided  — He et al.'s guided filter (2010/2013): per window of radius ≈ factor, P ≈ a·G + b fitted
//             by least squares (regularised by ε), then q = mean(a)·G + mean(b);
//   hpf     — high-pass injection: q = P↑ + g·(G − G_low), G_low = G through the same PSF, the gain
//             g = cov(P↑, G_low)/var(G_low) per channel (regression-based injection);
//   gs      — Gram–Schmidt-style component substitution (GSA, Aiazzi et al. 2007): an intensity I_low
//             regressed from the upsampled channels onto G_low, the guide matched to it in mean and
//             spread, and each channel gets g_k·(G′ − I_low), g_k = cov(P↑_k, I_low)/var(I_low).
// NaN pixels stay NaN and never spread into valid ones (every filter is normalised by its valid weights).
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <string>
#include <vector>

namespace jezero {

enum class FusionMethod { Bicubic, Guided, HighPass, GramSchmidt, Learned };
// "bicubic", "guided", "hpf", "gs", "sr" (Learned); throws Error otherwise.
FusionMethod parseFusionMethod(const std::string& name);
std::string fusionMethodName(FusionMethod method);

double psfSigmaForReduction(double factor, double mtfAtNyquist = 0.3);

// Separable Gaussian blur of every channel (σ in pixels, kernel ±3σ), NaN-aware.
ImageStack gaussianBlur(const ImageStack& image, double sigma);
// Samples the image at the pixel centres of a width × height grid whose pixels are scale source
// pixels wide (0: the grid covers the same extent), top-left corners aligned (bilinear; blur first when
// reducing). NaN-aware.
ImageStack resampleBilinear(const ImageStack& image, int width, int height, double scale = 0);
// The same with Catmull-Rom bicubic weights; near NaN it falls back to the valid neighbours' bilinear value.
ImageStack resampleBicubic(const ImageStack& image, int width, int height, double scale = 0);

// The cube as seen at a pixel factor times larger: every channel blurred with σ (fine pixels), then
// resampled to ⌈width/factor⌉ × ⌈height/factor⌉. Metadata kept, the geotransform scaled; the
// geolocator maps coarse pixels through the fine one.
SpectralCube degradeCube(const SpectralCube& cube, double factor, double sigma);

struct FusionOptions {
    FusionMethod method = FusionMethod::Guided;
    double factor = 0;       // coarse pixel / fine pixel; 0: guide width / coarse width
    double sigma = 0;        // the PSF between the grids (fine pixels); 0: psfSigmaForReduction(factor)
    double guidedEpsilon = 0; // guided filter ε relative to the guide's variance; 0: 1e-3
};

// coarse: the prediction on the coarse grid; guide: one channel (or several, averaged) on the fine
// grid covering the same extent. Returns coarse's channels on the fine grid. Throws Error for Learned
// (a network: core/ml LearnedFusion).
ImageStack fuseToFineGrid(const ImageStack& coarse, const ImageStack& guide, const FusionOptions& options = {});

// What the learned fusion sees of one coarse channel, the same in its training data and in use: on the
// fine grid, COARSE — the channel upsampled (bicubic) and standardised by its own mean and spread on
// the coarse grid, so that any quantity (a FAL reflectance, a carbonate probability) is one kind of
// input — and the filter bands BLU, PAN, RED, NIR as ln I/F less each band's mean over the image
// (colour and texture, not the scene's brightness). The network's target is DETAIL: the fine truth in
// the same standardised units less COARSE; the fused channel is (COARSE + DETAIL) · scale + mean.
struct LearnedFusionInput {
    ImageStack input;      // COARSE, BLU, PAN, RED, NIR on the fine grid
    double mean = 0, scale = 0; // scale 0: the channel is constant (or has < 2 valid pixels); nothing to learn
};
const std::vector<std::string>& learnedFusionChannels(); // COARSE, BLU, PAN, RED, NIR
constexpr const char* kLearnedFusionTarget = "DETAIL";
// coarseChannel: one channel on the coarse grid; fineBands: a filter image's bands (named) on the fine
// grid; factor: coarse pixel / fine pixel. Throws Error when a band is missing.
LearnedFusionInput learnedFusionInput(const ImageStack& coarseChannel, const ImageStack& fineBands, double factor);
// A fine channel as the coarse grid sees it: through the PSF σ (fine pixels), then resampled to
// ⌈W/factor⌉ × ⌈H/factor⌉ (what degradeCube does to every band of a cube).
ImageStack degradeImage(const ImageStack& fine, double factor, double sigma);

} // namespace jezero

namespace jezero {

// Wald's protocol on one scene taken as the fine truth (a reduced-resolution check of fusion): the
// target degraded by factor through the PSF is what a perfect model would predict at the coarse
// scale; each method brings it back with the fine guide; scored against the fine target.
struct FusionScore {
    std::string method;
    double rmse = 0;   // mean over channels, target units
    double ergas = 0;  // 100 · (1/factor) · √(mean_k (RMSE_k / mean_k)²) (Wald 2000)
    double samDeg = 0; // spectral angle between the channel vectors, mean over pixels
    double ssim = 0;   // mean over channels, data range = the truth channel's range
    double psnr = 0;   // 20 log10(range / RMSE), mean over channels
};
// One fused image (the fine grid) against the truth there, channel by channel over the pixels valid in both.
FusionScore scoreFused(const ImageStack& fused, const ImageStack& truth, double factor);
// Scores bicubic, guided, hpf and gs (in that order) on one target/guide pair of the same grid.
std::vector<FusionScore> scoreFusion(const ImageStack& fineTarget, const ImageStack& fineGuide, double factor);

} // namespace jezero
