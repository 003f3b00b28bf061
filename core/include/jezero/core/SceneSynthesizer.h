#pragma once
// Realistic synthetic CRISM MTRDR-like I/F scenes, so the product works and is testable without
// downloading full cubes. The physics is multiplicative, as CRISM ratio spectra are:
//     I/F(x, y, λ) = albedo(x, y) · illumination(x, y) · B(λ) · Π_m S_m(λ)^a_m(x, y)  + noise
// with B a real bland (dusty) Mars I/F spectrum (a MICA denominator), S_m the real MICA ratioed type
// spectrum of mineral m (≈ 1 outside its bands), a_m its abundance-like strength in [0, 1]. The
// spatial structure comes from real parameter maps (FRT00008FC1, Nili Fossae: OLINDEX3, LCPINDEX2,
// HCPINDEX2, D2300, BD1900_2, R770 … — randomly cropped, rotated and scaled) and from procedural
// fields (multi-scale noise, layered units, craters). Carbonates are rare and clustered, mostly on
// olivine-rich ground. Noise is signal-dependent; a few bad columns, a no-data border (a rotated
// footprint) and the MTRDR channel gaps make it look like a real product.
// Same inputs, options and index → identical values on the same platform (all randomness flows from
// the seed; pixel noise is seeded per row, so threads do not change it).
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jezero {

class TaskControl;

struct SignatureVariant {
    std::string source;           // "MICA Mg carbonate", "RELAB magnesite F1CC06B", ...
    std::vector<double> ratio;    // band-ratio signature on the grid (≤ 1, = 1 outside the bands)
};

struct MineralSignature {
    std::string name;                       // "olivine", "carbonate", ...
    std::vector<SignatureVariant> variants; // one is drawn per scene
    std::string structure;                  // real map channel that shapes it ("OLINDEX3"), or "" for procedural
};

struct SynthesisInputs {
    std::vector<double> wavelengthsNm; // the MTRDR grid
    std::vector<double> fwhmNm;
    std::vector<std::vector<double>> backgrounds; // real bland Mars I/F spectra on the grid
    std::vector<MineralSignature> minerals;       // "carbonate" must be among them
    ImageStack structure;                         // real parameter maps (channels by parameter name)
};

struct SynthesisOptions {
    int size = 256;                 // scenes are size × size
    std::uint64_t seed = 1;
    double carbonateFraction = 0.3; // share of scenes that carry carbonates
};

struct SyntheticScene {
    SpectralCube cube;       // I/F, NaN where no data; metadata carries name, CRS and geotransform
    ImageStack abundances;   // one channel per mineral, in [0, 1]; NaN outside the footprint
    std::string name;        // "syn0003_jezero"
    std::string region;      // "Jezero crater"
    double latitudeDeg = 0, longitudeDeg = 0;
    bool hasCarbonate = false;
    std::string carbonateSpecies; // the carbonate signature's source, when the scene has carbonate
    std::vector<std::pair<std::string, std::string>> signatureSources; // mineral → the spectrum drawn for it
    double carbonatePixelFraction = 0; // valid pixels with carbonate abundance > 0.2
    std::uint64_t seed = 0;            // the run's seed
    int index = 0;                     // the scene's index in the run
};

// The bundled endmembers on the MTRDR grid: real bland Mars spectra (MICA denominators) as
// backgrounds; per mineral its MICA type spectrum and its RELAB and USGS lab analogues (one drawn per
// scene), each lab variant scaled to the MICA spectrum's deepest band; carbonates (MICA Mg and Ca/Fe,
// RELAB magnesite and calcite, USGS siderite and dolomite) scaled to an 8 % band in 2.2–2.6 µm; basalt
// (USGS, fresh and weathered) to 10 %. structure is the real parameter maps (io::readBrowseProduct);
// it may be empty, then every mineral is procedural.
SynthesisInputs defaultSynthesisInputs(ImageStack structure);

// Scene `index` of a run with these options.
SyntheticScene synthesizeScene(const SynthesisInputs& inputs, const SynthesisOptions& options, int index,
                               TaskControl* control = nullptr);

} // namespace jezero
