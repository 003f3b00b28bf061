#pragma once
// Realistic synthetic CRISM MTRDR-like I/F scenes, so the product works and is testable without
// downloading full cubes, and so models can be scored against a known truth.
//
// Physics. Mixing is multiplicative, as CRISM ratio spectra are:
//     I/F(x, y, λ) = albedo(x, y) · tone(unit) · B(λ) · Π_m S_m(λ)^a_m(x, y)  + noise(λ)
// with B a real bland (dusty) Mars I/F spectrum (a MICA denominator) and S_m the *whole* measured
// ratio spectrum of mineral m against that bland ground: the MICA type spectrum (CRISM exposure /
// bland area of the same observation), VNIR included — its brightness and colour relative to the
// dust, the Fe²⁺ ~1 µm bands of olivine, pyroxene and Fe-bearing carbonates — not only its SWIR band
// shapes. A lab analogue (RELAB, USGS) keeps the MICA spectrum's continuum (the measured Mars colour)
// and brings its own continuum-removed band shapes, scaled so abundance means the same band depth
// whichever spectrum a scene draws. a_m ∈ [0, 1] is an abundance-like strength.
//
// Geology. Every scene belongs to a region of resources/geology/mars_regions.csv (published
// assemblages: Nili Fossae and Jezero olivine + Mg-carbonate + Fe/Mg smectite, Huygens and Leighton
// carbonate with kaolinite and Fe/Mg clays, Mawrth Al- and Fe/Mg clays, Gale and Valles sulfates and
// hematite, Terra Sirenum chlorides, …). The scene is cut into 2–4 geologic units — shapes from real
// CRISM parameter maps (FRT00008FC1, Nili Fossae), layered sequences or noise — each dominated by one
// of the region's minerals with minor others, its own tone and texture. Carbonates sit only in the
// unit of the region's carbonate host mineral, in the region's setting (fractures of a light-toned
// layer, impact-exposed bedrock, layers). Carbonate-free scenes of carbonate regions have the same
// units without carbonate, so context alone is not the answer.
//
// Carbonate-bearing scenes: exactly round(n · carbonateFraction) of the first n scenes of every run
// (scene i carries carbonate when ⌊(i+1)f + ½⌋ > ⌊i f + ½⌋). Their regions are drawn with weight
// equal to the region's carbonate weight (common 0.6, present 0.3, rare 0.05, none 0), carbonate-free
// scenes with weight 1 − that, so a region's name and place carry what the literature says about it.
//
// Instrument. Noise is signal-dependent with the wavelength-dependent SNR of mtrdrSnr (at I/F 0.25;
// shot-noise scaling elsewhere) and correlated over neighbouring channels like MTRDR's spectral
// smoothing; a few bad detector columns, a no-data border (a rotated footprint) and the MTRDR channel
// gaps make it look like a real product. cleanCube is the same ground through a perfect instrument.
//
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
    std::string source;           // "MICA mg_carbonate", "RELAB magnesite F1CC06B", ...
    std::vector<double> ratio;    // whole ratio spectrum against bland Mars ground, on the grid
    std::string chemistry;        // carbonates: "mg" or "ca_fe"; empty for other minerals
};

struct MineralSignature {
    std::string name;                       // "olivine", "carbonate", ...
    std::vector<SignatureVariant> variants; // one is drawn per scene
    std::string structure;                  // real map channel where it shows ("OLINDEX3"), or ""
};

// One row of resources/geology/mars_regions.csv.
struct GeologicRegion {
    std::string slug, name;
    double latitudeDeg = 0, longitudeDeg = 0;
    std::string carbonate;         // common, present, rare, none
    double carbonateWeight = 0;    // 0.6, 0.3, 0.05, 0
    std::string carbonateChemistry = "any"; // mg, ca_fe, any
    std::string carbonateHost;     // mineral of the unit carbonates sit in ("" when none reported)
    std::string carbonateSetting;  // fractured, bedrock, layered
    std::vector<std::pair<std::string, double>> minerals; // mineral → probability a scene shows a unit of it
    std::string sources;
};

// Throws Error naming the file and line for a malformed table or an unknown carbonate class/setting.
std::vector<GeologicRegion> readGeologicRegions(const std::string& path);

struct SynthesisInputs {
    std::vector<double> wavelengthsNm; // the MTRDR grid
    std::vector<double> fwhmNm;
    std::vector<std::vector<double>> backgrounds; // real bland Mars I/F spectra on the grid
    std::vector<MineralSignature> minerals;       // "carbonate" must be among them
    std::vector<GeologicRegion> regions;
    ImageStack structure;                         // real parameter maps (channels by parameter name)
};

struct SynthesisOptions {
    int size = 256;                 // scenes are size × size
    std::uint64_t seed = 1;
    double carbonateFraction = 0.3; // share of scenes that carry carbonates, exact over every run prefix
    double pixelMetres = 18.0;      // the ground a pixel covers (the geotransform): MTRDR's 18 m, or 4.6 m for a CaSSIS-scale rendering
};

// The true carbonate abundance above which a pixel is labelled carbonate (dataset labels, evaluation).
constexpr double kCarbonateLabelAbundance = 0.2;

// Whether scene `index` of a run carries carbonate (see above).
bool sceneCarriesCarbonate(double carbonateFraction, int index);

// What a scene is before it is rendered: cheap, and equal to what synthesizeScene gives.
struct SceneIdentity {
    std::string name;   // "syn0003_jezero"
    std::string region; // "Jezero crater"
    std::string regionSlug;
    double latitudeDeg = 0, longitudeDeg = 0;
    bool hasCarbonate = false;
};
SceneIdentity sceneIdentity(const SynthesisInputs& inputs, const SynthesisOptions& options, int index);

struct SyntheticScene {
    SpectralCube cube;       // observed I/F, NaN where no data; metadata carries name, CRS and geotransform
    SpectralCube cleanCube;  // the same ground with no noise and no detector striping (same no-data)
    ImageStack abundances;   // one channel per mineral, in [0, 1]; NaN outside the footprint
    ImageStack units;        // one channel "unit": the geologic unit index (0 …), NaN outside the footprint
    std::vector<std::string> unitDescriptions; // per unit: dominant mineral, tone, carbonate host or not
    std::string name;        // "syn0003_jezero"
    std::string region;      // "Jezero crater"
    double latitudeDeg = 0, longitudeDeg = 0;
    bool hasCarbonate = false;
    std::string carbonateSpecies; // the carbonate signature's source, when the scene has carbonate
    std::vector<std::pair<std::string, std::string>> signatureSources; // mineral → the spectrum drawn for it
    double carbonatePixelFraction = 0; // valid pixels with carbonate abundance > kCarbonateLabelAbundance
    std::uint64_t seed = 0;            // the run's seed
    int index = 0;                     // the scene's index in the run
};

// The bundled endmembers on the MTRDR grid: real bland Mars spectra (MICA denominators) as
// backgrounds; per mineral its MICA type spectrum and its RELAB and USGS lab analogues (one drawn per
// scene); carbonates (MICA Mg and Ca/Fe, RELAB magnesite and calcite, USGS siderite and dolomite)
// scaled to an 8 % band in 2.2–2.6 µm; basalt (USGS, fresh and weathered) to 10 %; the regions of
// resources/geology/mars_regions.csv. structure is the real parameter maps (io::readBrowseProduct);
// it may be empty, then every unit shape is procedural.
SynthesisInputs defaultSynthesisInputs(ImageStack structure);

// Signal-to-noise ratio of an MTRDR channel at I/F 0.25 (APPROX: the shape of the CRISM in-flight
// SNR — low at the blue end of VNIR and at the 1 µm detector boundary, highest in 1.2–2.4 µm, falling
// steeply with the thermal background beyond 2.6 µm; Murchie et al. 2007, JGR 112, E05S03).
double mtrdrSnr(double wavelengthNm);

// Scene `index` of a run with these options.
SyntheticScene synthesizeScene(const SynthesisInputs& inputs, const SynthesisOptions& options, int index,
                               TaskControl* control = nullptr);

} // namespace jezero
