#pragma once
#include <string>
#include <vector>

namespace jezero {

// The directory holding Jezero's bundled data (resources/): $JEZERO_RESOURCES when set, else the
// source tree's resources/ for a build-tree run, else ../share/jezero beside the executable.
std::string resourcesDirectory();

// resourcesDirectory() + "/" + relativePath; throws Error when that file does not exist.
std::string resourcePath(const std::string& relativePath);

// Where Jezero keeps what it makes for the user (logs, the sample scene, runs): $XDG_DATA_HOME/jezero,
// else ~/.local/share/jezero (the workstation's defaultDataFolder is the same place).
std::string userDataDirectory();

// The shipped models (resources/models, see its MODEL_CARD.md): "carbonate" names the
// carbonate-probability U-Net (PNR input, the label as target); "fal" the FAL U-Net (PNR → R2529,
// R1506, R1080); "unet" and "diffusion" the CAR-target
// (PNR input) U-Net and residual diffusion model; "fusion" and "fusion-diffusion" the learned fusion
// (--fuse sr: a U-Net, and an SR3-style diffusion model, bringing a prediction at 18 m to a CaSSIS
// image's 4.6 m grid).
std::vector<std::string> shippedModelNames();
// A shipped model's name → its checkpoint; anything else is taken as a checkpoint path (returned as is).
std::string resolveModel(const std::string& nameOrPath);
} // namespace jezero
