#include "jezero/core/SyntheticPairs.h"

#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Error.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/SummaryParameters.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace jezero {
namespace {

// Signal-dependent Gaussian noise: σ = level / snr · √(max(I, 0) / level), from one seed.
void addNoise(float* values, std::size_t count, std::size_t stride, double snr, double level, std::mt19937_64& rng) {
    std::normal_distribution<double> unit(0.0, 1.0);
    for (std::size_t i = 0; i < count; ++i) {
        float& v = values[i * stride];
        if (!std::isfinite(v)) continue;
        v = static_cast<float>(v + level / snr * std::sqrt(std::max(0.0, static_cast<double>(v)) / level) * unit(rng));
    }
}

constexpr double kSnrLevel = 0.25; // the I/F the SNRs are quoted at

} // namespace

SyntheticPair synthesizePair(const SynthesisInputs& inputs, SynthesisOptions options, int index, const PairOptions& pairOptions,
                             TaskControl* control) {
    if (!(pairOptions.finePixelMetres > 0) || !(pairOptions.coarsePixelMetres > pairOptions.finePixelMetres))
        throw Error("a synthetic pair needs a fine pixel smaller than the coarse one");
    options.pixelMetres = pairOptions.finePixelMetres;
    SyntheticScene scene = synthesizeScene(inputs, options, index, control);
    SyntheticPair pair;
    pair.name = scene.name;
    pair.region = scene.region;
    pair.hasCarbonate = scene.hasCarbonate;
    std::mt19937_64 rng(scene.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(index) * 0xD1B54A32D192ED03ull + 0xCA5515ull);

    // CaSSIS: the ground through the filters, CaSSIS's PSF and noise, as a filter image.
    const auto& nominal = cassisNominalFilters();
    std::vector<std::string> names;
    std::vector<double> centres, widths;
    for (const NominalFilter& f : nominal) names.push_back(f.name), centres.push_back(f.centreNm), widths.push_back(f.widthNm);
    const ImageStack bands = gaussianBlur(selectChannels(simulateCassis(scene.cleanCube, cassisFilters(), control), names), psfSigmaForReduction(1.0));
    const std::map<std::string, double> snr{{"BLU", 50}, {"PAN", 100}, {"RED", 80}, {"NIR", 70}};
    pair.cassis = SpectralCube(bands.width, bands.height, centres);
    pair.cassis.setFwhmNm(widths);
    std::copy(bands.values.begin(), bands.values.end(), pair.cassis.data());
    for (std::size_t c = 0; c < names.size(); ++c)
        addNoise(pair.cassis.data() + c, pair.cassis.pixelCount(), names.size(), snr.at(names[c]), kSnrLevel, rng);
    SceneMetadata& meta = pair.cassis.metadata();
    meta = scene.cube.metadata();
    meta.productId = scene.name + "_cassis";
    meta.instrument = "CaSSIS";
    meta.sensor.clear();
    meta.observationType.clear();
    meta.filterNames = names;
    meta.units = "I/F";
    pair.cassis.setGeolocator(scene.cube.sharedGeolocator());

    // CRISM: the ground through the PSF to the coarse grid, with MTRDR's noise.
    const double factor = pairOptions.coarsePixelMetres / pairOptions.finePixelMetres;
    pair.crism = degradeCube(scene.cleanCube, factor, psfSigmaForReduction(factor));
    pair.crism.metadata().productId = scene.name + "_crism";
    for (int b = 0; b < pair.crism.bands(); ++b)
        addNoise(pair.crism.data() + b, pair.crism.pixelCount(), static_cast<std::size_t>(pair.crism.bands()), mtrdrSnr(pair.crism.wavelengthsNm()[b]),
                 kSnrLevel, rng);

    // The truth on the fine grid.
    const ImageStack abundance = selectChannels(scene.abundances, {"carbonate"});
    pair.carbonateLabel = ImageStack(abundance.width, abundance.height, {"carbonate"});
    for (std::size_t p = 0; p < abundance.pixelCount(); ++p)
        pair.carbonateLabel.values[p] = std::isfinite(abundance.values[p]) ? (abundance.values[p] > kCarbonateLabelAbundance ? 1.0f : 0.0f)
                                                                          : std::nanf("");
    pair.fal = SummaryParameters(scene.cleanCube.wavelengthsNm(), {"R2529", "R1506", "R1080"}).compute(scene.cleanCube, control);
    return pair;
}

} // namespace jezero
