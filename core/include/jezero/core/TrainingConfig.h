#pragma once
// A training run's configuration (the JSON file given to `jezero-cli train --config`), written into
// every checkpoint. Unknown keys and out-of-range values are errors, so a typo never trains silently
// with a default.
#include <cstdint>
#include <string>
#include <vector>

namespace jezero {

// The diffusion model's settings ("diffusion": {...} in the config file).
struct DiffusionConfig {
    std::string mode = "residual"; // residual: learns target − regression prediction (CorrDiff); plain: the target
    std::string regression;        // residual mode: the regression checkpoint (embedded in this run's checkpoints)
    double sigmaData = 0;          // EDM σ_data in normalised units; 0 = measured on the train split
    double pMean = -1.2, pStd = 1.2; // log-normal training noise levels (EDM)
    double emaDecay = 0.999;       // EMA of the weights, used for validation and prediction
    double imageDropout = 0.1;     // share of training samples without the input image (image guidance)
    double metadataDropout = 0.1;  // share without latitude/longitude/location (metadata guidance)
    bool metadata = true;          // condition on latitude, longitude (sin/cos) and the location name
    bool attention = true;         // self-attention at the lowest resolution only
};

struct TrainingConfig {
    std::string dataset;         // dataset folder (jezero-cli dataset build); relative to the config file
    std::string model = "unet";  // unet (GroupNorm/SiLU U-Net), resnet34 (ResNet34-encoder U-Net), diffusion
    int baseWidth = 32;          // first-level width (unet, diffusion; default 32) or stem width (resnet34; 64)
    int depth = 4;               // levels of unet and diffusion (the tile must divide by 2^(depth-1))
    int batch = 8;
    double learningRate = 1e-3;  // Adam, cosine decay to 0 over the run
    int epochs = 20;
    bool augment = true;         // rotation ±45°, vertical flip, quadrant crop (load time)
    std::string device = "auto"; // auto, cpu, cuda, cuda:N
    std::uint64_t seed = 1;
    int threads = 0;             // CPU threads; 0 = one per core
    bool bf16 = true;            // CUDA only: bfloat16 autocast
    // Carbonate-probability models only: the weight of positive (carbonate) label pixels in the binary
    // cross-entropy. "balanced" = negatives / positives of the train split, "sqrt" = its square root
    // (a milder balance), or a number ≥ 1 written as text ("1" = plain BCE).
    std::string positiveWeight = "balanced";
    // What the network sees of each input channel before standardisation: "none" (the I/F) or "log"
    // (ln I/F, floored at 1e-4: brightness and illumination scale all channels alike, so band ratios —
    // where a mineral's colour lives — become differences a convolution forms directly). unet and
    // resnet34 only (a residual diffusion model may embed such a network).
    std::string inputTransform = "none";
    // unet only: condition on the scene's latitude, longitude (sin/cos) and location name, as the
    // diffusion model can (diffusion.metadata) — each block's features scaled and shifted by an
    // embedding of them (FiLM), starting as the plain U-Net. A region's published mineral assemblage
    // fixes which minerals its units can hold, so the location tells what PAN/NIR/RED colour leaves open.
    bool metadata = false;
    // unet and resnet34 on image targets (not the carbonate label): the weight of a per-tile term
    // mean(1 − Pearson r) over tiles and channels added to the MSE. The thesis scores each image's own
    // correlation and structure (PCC, SSIM after per-image min–max scaling), which a global MSE
    // weighs by each tile's spread: a tile of low contrast barely counts. 0 = MSE only.
    double correlationLoss = 0;
    // The same for structure: the weight of (1 − SSIM), SSIM as `evaluate` scores it (each tile's
    // channels min–max scaled by the target's range; Gaussian 11 × 11, σ 1.5; windows wholly inside
    // and free of no-data). 0 = none.
    double ssimLoss = 0;
    DiffusionConfig diffusion;   // model "diffusion" only

    // Reads a config file; throws Error with a one-line reason (bad JSON, unknown key, bad value).
    static TrainingConfig read(const std::string& path);
    static TrainingConfig fromJson(const std::string& text, const std::string& baseDirectory = ".");
    std::string toJson() const;
    // The settings that differ from `before`, one "key: before → now" each (diffusion.* keys nested).
    std::vector<std::string> changesFrom(const TrainingConfig& before) const;
    // Whether `other` builds a network of the same shape (model, widths, depth, diffusion mode,
    // attention, metadata), so that this config's weights load into it.
    bool sameNetworkAs(const TrainingConfig& other) const;
};

} // namespace jezero
