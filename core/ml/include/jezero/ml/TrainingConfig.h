#pragma once
// A training run's configuration (the JSON file given to `jezero-cli train --config`), written into
// every checkpoint. Unknown keys and out-of-range values are errors, so a typo never trains silently
// with a default.
#include <cstdint>
#include <string>

namespace jezero::ml {

struct TrainingConfig {
    std::string dataset;         // dataset folder (jezero-cli dataset build); relative to the config file
    std::string model = "unet";  // "unet": GroupNorm/SiLU U-Net regression baseline
    int baseWidth = 32;          // channels of the first level; doubled at each level down
    int depth = 4;               // levels (the tile must divide by 2^(depth-1))
    int batch = 8;
    double learningRate = 1e-3;  // Adam, cosine decay to 0 over the run
    int epochs = 20;
    bool augment = true;         // rotation ±45°, vertical flip, quadrant crop (load time)
    std::string device = "auto"; // auto, cpu, cuda, cuda:N
    std::uint64_t seed = 1;
    int threads = 0;             // CPU threads; 0 = one per core

    // Reads a config file; throws Error with a one-line reason (bad JSON, unknown key, bad value).
    static TrainingConfig read(const std::string& path);
    static TrainingConfig fromJson(const std::string& text, const std::string& baseDirectory = ".");
    std::string toJson() const;
};

} // namespace jezero::ml
