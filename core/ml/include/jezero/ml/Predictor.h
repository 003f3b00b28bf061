#pragma once
// A trained model loaded from a checkpoint, applied to input tiles (CHW, the checkpoint's input
// channels and tile size); outputs are in target units (the normalisation is undone).
#include <memory>
#include <string>
#include <vector>

namespace jezero::ml {

class Predictor {
public:
    static Predictor load(const std::string& checkpointPath, const std::string& device = "cpu");
    Predictor(Predictor&&) noexcept;
    ~Predictor();

    int inputChannels() const;
    int outputChannels() const;
    int tile() const;
    std::string configJson() const;
    // input: inputChannels × tile × tile; returns outputChannels × tile × tile. NaN inputs count as the
    // channel mean.
    std::vector<float> predictTile(const std::vector<float>& input) const;

private:
    Predictor();
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

} // namespace jezero::ml
