#pragma once
// LPIPS (Zhang et al. 2018), the learned perceptual distance, from a TorchScript file the user
// supplies: its forward(x, y) takes two N × 3 × H × W images scaled to [−1, 1] and returns their
// distance (N values, any trailing singleton dimensions). Jezero ships no such network: LPIPS's
// weights sit on ImageNet-trained backbones that cannot be downloaded here. Export one with
// torch.jit.script(lpips.LPIPS(net="alex")) and pass the file to evaluate --lpips.
#include <memory>
#include <string>
#include <vector>

namespace jezero::ml {

class LpipsScorer {
public:
    // Throws Error when the file is not a TorchScript module (one line).
    static LpipsScorer load(const std::string& path, const std::string& device = "cpu");
    LpipsScorer(LpipsScorer&&) noexcept;
    ~LpipsScorer();
    // a, b: 3 × height × width (CHW) on the 0–255 scale of the per-image metrics.
    double distance(const std::vector<float>& a, const std::vector<float>& b, int height, int width) const;

private:
    LpipsScorer();
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

} // namespace jezero::ml
