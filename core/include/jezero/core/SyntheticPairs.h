#pragma once
// One synthetic ground seen at two scales (issue 16): the CaSSIS view at 4.6 m and the CRISM view at
// 18 m, with the truth at 4.6 m, so that predicting on a CaSSIS image — degrading it to the model's
// scale, predicting, fusing back — is scored where CaSSIS sees, against what is really there.
//
// The ground is a synthetic scene (SceneSynthesizer) rendered on the fine grid (its pixels taken as
// finePixelMetres; the synthesizer's units, textures and fractures are drawn per pixel, so they are the
// fine scale's). Its noise-free cube is the ground's I/F.
//   CaSSIS view — the four filters (simulateCassis) of the ground, through CaSSIS's PSF (a Gaussian with
//     MTF 0.3 at its own Nyquist frequency, as ScaleFusion assumes for any sensor: σ ≈ 0.49 px), with
//     signal-dependent noise of SNR 50 (BLU), 100 (PAN), 80 (RED), 70 (NIR) at I/F 0.25 (APPROX: the
//     order of CaSSIS's published SNR, PAN the best and BLU the weakest; Thomas et al. 2017, Space Sci.
//     Rev. 212, 1897), shot-noise scaling elsewhere. A filter image (BLU, PAN, RED, NIR at their nominal
//     centres), I/F, the scene's CRS with finePixelMetres pixels.
//   CRISM view — the ground through the PSF to coarsePixelMetres (degradeCube), with MTRDR's noise
//     (mtrdrSnr, shot-noise scaling; uncorrelated between channels here). What an overlapping CRISM
//     scene gives: the calibration reference (core/Harmonisation).
//   Truth at 4.6 m — the carbonate label (true abundance > kCarbonateLabelAbundance) and FAL's three
//     parameters (R2529, R1506, R1080) of the noise-free cube; NaN outside the footprint.
// The same inputs, options and index give the same pair.
#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneSynthesizer.h"
#include "jezero/core/SpectralCube.h"

#include <string>

namespace jezero {

class TaskControl;

struct PairOptions {
    double finePixelMetres = 4.6;
    double coarsePixelMetres = 18.0;
};

struct SyntheticPair {
    std::string name, region;
    bool hasCarbonate = false;
    SpectralCube cassis;     // fine: the filter image
    SpectralCube crism;      // coarse: the spectrometer cube
    ImageStack carbonateLabel; // fine: one channel "carbonate", 1 or 0 (NaN outside the footprint)
    ImageStack fal;            // fine: R2529, R1506, R1080
};

// options.size is the fine grid's size; options.pixelMetres is replaced by pairOptions.finePixelMetres.
SyntheticPair synthesizePair(const SynthesisInputs& inputs, SynthesisOptions options, int index, const PairOptions& pairOptions = {},
                             TaskControl* control = nullptr);

} // namespace jezero
