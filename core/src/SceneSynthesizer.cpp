#include "jezero/core/SceneSynthesizer.h"

#include "jezero/core/Error.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/Task.h"
#include "synth/SyntheticFields.h"
#include "synth/SyntheticGeology.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

namespace jezero {
using namespace synth;
namespace {

constexpr double kMarsRadiusM = 3396190.0; // IAU 2000 Mars sphere
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string marsEquirectangularWkt(double latitude, double longitude) {
    char wkt[1024];
    std::snprintf(wkt, sizeof wkt,
                  "PROJCS[\"Mars Equirectangular (synthetic scene)\",GEOGCS[\"GCS_Mars_2000_Sphere\",DATUM[\"D_Mars_2000_Sphere\","
                  "SPHEROID[\"Mars_2000_Sphere\",%.1f,0.0]],PRIMEM[\"Reference_Meridian\",0.0],UNIT[\"Degree\",0.0174532925199433]],"
                  "PROJECTION[\"Equidistant_Cylindrical\"],PARAMETER[\"False_Easting\",0.0],PARAMETER[\"False_Northing\",0.0],"
                  "PARAMETER[\"Central_Meridian\",%.6f],PARAMETER[\"Standard_Parallel_1\",%.6f],UNIT[\"Meter\",1.0]]",
                  kMarsRadiusM, longitude, latitude);
    return wkt;
}

// Pixel → latitude/longitude on the synthetic scene's equirectangular grid (standard parallel and
// central meridian at its centre, the IAU 2000 sphere): what io's OGR geolocator gives for the written file.
class EquirectangularGeolocator : public PixelGeolocator {
public:
    EquirectangularGeolocator(const std::array<double, 6>& geoTransform, double centreLatitudeDeg, double centreLongitudeDeg)
        : mGeoTransform(geoTransform), mLatitude(centreLatitudeDeg), mLongitude(centreLongitudeDeg) {}
    std::optional<LatLon> latLon(double column, double row) const override {
        const auto& gt = mGeoTransform;
        const double easting = gt[0] + column * gt[1] + row * gt[2], northing = gt[3] + column * gt[4] + row * gt[5];
        constexpr double degrees = 180.0 / kPi;
        return LatLon{northing / kMarsRadiusM * degrees, mLongitude + easting / (kMarsRadiusM * std::cos(mLatitude / degrees)) * degrees};
    }

private:
    std::array<double, 6> mGeoTransform;
    double mLatitude, mLongitude;
};

std::uint64_t sceneSeedOf(const SynthesisOptions& options, int index) { return mix(options.seed, static_cast<std::uint64_t>(index) + 1); }

} // namespace

bool sceneCarriesCarbonate(double f, int index) {
    return std::floor((index + 1) * f + 0.5) > std::floor(index * f + 0.5);
}

SceneIdentity sceneIdentity(const SynthesisInputs& in, const SynthesisOptions& options, int index) {
    if (in.regions.empty()) throw Error("the synthesizer has no regions");
    if (options.carbonateFraction < 0 || options.carbonateFraction > 1) throw Error("the carbonate fraction must be between 0 and 1");
    if (!(options.pixelMetres > 0)) throw Error("the pixel size must be positive");
    Rng rng(mix(sceneSeedOf(options, index), 0x1DE17171ull));
    SceneIdentity id;
    id.hasCarbonate = sceneCarriesCarbonate(options.carbonateFraction, index);
    std::vector<double> weights;
    for (const auto& r : in.regions) weights.push_back(id.hasCarbonate ? r.carbonateWeight : 1 - r.carbonateWeight);
    if (std::all_of(weights.begin(), weights.end(), [](double w) { return w <= 0; }))
        throw Error(id.hasCarbonate ? "no region of the geology table reports carbonate" : "every region of the geology table always carries carbonate");
    const GeologicRegion& region = in.regions[rng.weighted(weights)];
    id.region = region.name;
    id.regionSlug = region.slug;
    id.latitudeDeg = std::clamp(region.latitudeDeg + 0.6 * rng.normal(), -89.0, 89.0);
    id.longitudeDeg = region.longitudeDeg + 0.6 * rng.normal();
    if (id.longitudeDeg > 180) id.longitudeDeg -= 360;
    if (id.longitudeDeg < -180) id.longitudeDeg += 360;
    char name[64];
    std::snprintf(name, sizeof name, "syn%04d_%s", index, region.slug.c_str());
    id.name = name;
    return id;
}

double mtrdrSnr(double wavelengthNm) {
    static const double table[][2] = {{436, 40},   {500, 120},  {600, 200},  {750, 250},  {950, 220},  {1010, 80},
                                      {1047, 120}, {1200, 300}, {1500, 380}, {2300, 350}, {2500, 300}, {2650, 200},
                                      {2800, 100}, {3300, 70},  {3600, 40},  {3900, 15}};
    const std::size_t n = std::size(table);
    if (wavelengthNm <= table[0][0]) return table[0][1];
    for (std::size_t i = 1; i < n; ++i)
        if (wavelengthNm <= table[i][0]) {
            const double t = (wavelengthNm - table[i - 1][0]) / (table[i][0] - table[i - 1][0]);
            return table[i - 1][1] + t * (table[i][1] - table[i - 1][1]);
        }
    return table[n - 1][1];
}

SyntheticScene synthesizeScene(const SynthesisInputs& in, const SynthesisOptions& options, int index, TaskControl* control) {
    const int size = options.size;
    if (size < 16 || size > 4096) throw Error("scene size must be between 16 and 4096 pixels");
    if (in.backgrounds.empty() || in.minerals.empty()) throw Error("the synthesizer has no endmembers");
    const SceneIdentity id = sceneIdentity(in, options, index);
    const std::uint64_t sceneSeed = sceneSeedOf(options, index);
    Rng rng(sceneSeed);
    SyntheticScene scene;
    scene.seed = options.seed;
    scene.index = index;
    scene.name = id.name;
    scene.region = id.region;
    scene.latitudeDeg = id.latitudeDeg;
    scene.longitudeDeg = id.longitudeDeg;
    scene.hasCarbonate = id.hasCarbonate;
    const GeologicRegion& region = *std::find_if(in.regions.begin(), in.regions.end(), [&](const GeologicRegion& r) { return r.slug == id.regionSlug; });

    const std::size_t pixels = static_cast<std::size_t>(size) * size;
    const SceneGeology geology = layOutGeology(in, region, scene.hasCarbonate, size, rng);
    scene.unitDescriptions = geology.unitDescriptions;

    // Albedo: the ground's own brightness pattern (a real reflectance map or noise), each unit's tone,
    // shading, and craters (a darker bowl and a brighter rim).
    const int albedoChannel = in.structure.channelIndex("R770");
    Field albedoShape = albedoChannel >= 0 && rng.uniform() < 0.7 ? realCrop(rng, in.structure, albedoChannel, size) : fractalNoise(rng, size, 4, 5);
    const Field fill = fractalNoise(rng, size, 4, 5);
    for (std::size_t i = 0; i < pixels; ++i)
        if (!std::isfinite(albedoShape[i])) albedoShape[i] = fill[i];
    albedoShape = boxBlur(albedoShape, size, 1); // the real map's pixel noise is not the ground's
    const Field shading = fractalNoise(rng, size, 6, 4);
    const double baseAlbedo = rng.uniform(0.16, 0.30);
    Field albedo(pixels);
    for (std::size_t i = 0; i < pixels; ++i)
        albedo[i] = static_cast<float>(baseAlbedo * (0.88 + 0.24 * albedoShape[i]) * geology.tone[i] * (0.95 + 0.1 * shading[i]));
    for (int k = rng.below(4); k > 0; --k) {
        const double cx = rng.uniform(0, size), cy = rng.uniform(0, size), r = rng.uniform(0.03, 0.12) * size;
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const double d = std::hypot(x - cx, y - cy) / r;
                float& a = albedo[static_cast<std::size_t>(y) * size + x];
                if (d < 1) a *= static_cast<float>(1 - 0.25 * (1 - d * d));
                else if (d < 1.25) a *= 1.08f;
            }
    }
    if (control) control->throwIfCanceled();

    // The footprint (a rotated square, no data outside) and bad detector columns.
    const double footprintAngle = rng.uniform(-0.2, 0.2), footprintHalf = rng.uniform(0.86, 0.97) * size / 2;
    std::vector<char> valid(pixels);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double dx = x + 0.5 - size / 2.0, dy = y + 0.5 - size / 2.0;
            const double u = std::cos(footprintAngle) * dx + std::sin(footprintAngle) * dy, v = -std::sin(footprintAngle) * dx + std::cos(footprintAngle) * dy;
            valid[static_cast<std::size_t>(y) * size + x] = std::max(std::abs(u), std::abs(v)) <= footprintHalf;
        }
    std::vector<double> columnGain(size, 1.0);
    for (int k = rng.below(4); k > 0; --k) columnGain[rng.below(size)] = 1 + (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.02, 0.06);
    if (rng.uniform() < 0.3) columnGain[rng.below(size)] = 0; // a dead column: no data
    const std::vector<double>& background = in.backgrounds[static_cast<std::size_t>(rng.below(static_cast<int>(in.backgrounds.size())))];

    // One spectrum per mineral; the carbonate's among those of the region's chemistry.
    const std::size_t bands = in.wavelengthsNm.size(), minerals = in.minerals.size();
    std::vector<std::vector<double>> logSignature(minerals, std::vector<double>(bands));
    for (std::size_t m = 0; m < minerals; ++m) {
        const MineralSignature& mineral = in.minerals[m];
        std::vector<const SignatureVariant*> choices;
        for (const auto& v : mineral.variants)
            if (mineral.name != "carbonate" || region.carbonateChemistry == "any" || v.chemistry == region.carbonateChemistry) choices.push_back(&v);
        if (choices.empty()) throw Error("no " + mineral.name + " spectrum of " + region.carbonateChemistry + " chemistry");
        const SignatureVariant& variant = *choices[static_cast<std::size_t>(rng.below(static_cast<int>(choices.size())))];
        if (mineral.name == "carbonate" && scene.hasCarbonate) scene.carbonateSpecies = variant.source;
        scene.signatureSources.emplace_back(mineral.name, variant.source);
        for (std::size_t b = 0; b < bands; ++b) logSignature[m][b] = std::log(variant.ratio[b]);
    }
    // Noise: σ = (0.25 / SNR(λ)) · √(I/F / 0.25), smoothed over neighbouring channels with weights
    // ¼ ½ ¼ (renormalised to unit variance) like MTRDR's spectral filtering.
    std::vector<double> sigmaAtQuarter(bands);
    for (std::size_t b = 0; b < bands; ++b) sigmaAtQuarter[b] = 0.25 / mtrdrSnr(in.wavelengthsNm[b]);
    const double smoothing = 1.0 / std::sqrt(0.25 * 0.25 + 0.5 * 0.5 + 0.25 * 0.25);

    scene.cube = SpectralCube(size, size, in.wavelengthsNm);
    scene.cube.setFwhmNm(in.fwhmNm);
    scene.cleanCube = SpectralCube(size, size, in.wavelengthsNm);
    scene.cleanCube.setFwhmNm(in.fwhmNm);
    parallelFor(static_cast<std::size_t>(size), [&](std::size_t y0, std::size_t y1) {
        std::vector<double> logSum(bands), white(bands + 2);
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            Rng rowRng(mix(sceneSeed, 0x5EED0000ull + y)); // noise seeded per row: threads do not change it
            for (int x = 0; x < size; ++x) {
                const std::size_t i = y * size + x;
                if (!valid[i] || columnGain[x] == 0) continue; // stays NaN
                float* observed = scene.cube.spectrum(x, static_cast<int>(y));
                float* clean = scene.cleanCube.spectrum(x, static_cast<int>(y));
                std::fill(logSum.begin(), logSum.end(), 0.0);
                for (std::size_t m = 0; m < minerals; ++m) {
                    const double a = geology.abundance[m][i];
                    if (a <= 0) continue;
                    for (std::size_t b = 0; b < bands; ++b) logSum[b] += a * logSignature[m][b];
                }
                for (double& n : white) n = rowRng.normal();
                for (std::size_t b = 0; b < bands; ++b) {
                    const double iof = albedo[i] * background[b] * std::exp(logSum[b]);
                    const double correlated = smoothing * (0.25 * white[b] + 0.5 * white[b + 1] + 0.25 * white[b + 2]);
                    const double seen = iof * columnGain[x];
                    clean[b] = static_cast<float>(iof);
                    observed[b] = static_cast<float>(seen + sigmaAtQuarter[b] * std::sqrt(std::max(seen, 0.01) / 0.25) * correlated);
                }
            }
        }
    });

    // Abundances and units out, and the carbonate statistics of the valid pixels.
    std::vector<std::string> mineralNames;
    for (const auto& m : in.minerals) mineralNames.push_back(m.name);
    scene.abundances = ImageStack(size, size, mineralNames);
    scene.units = ImageStack(size, size, {"unit"});
    const int carbonate = scene.abundances.channelIndex("carbonate");
    std::size_t validCount = 0, carbonateCount = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
        const bool ok = valid[i] && columnGain[i % size] != 0;
        for (std::size_t m = 0; m < minerals; ++m) scene.abundances.values[i * minerals + m] = ok ? geology.abundance[m][i] : kNaN;
        scene.units.values[i] = ok ? static_cast<float>(geology.unit[i]) : kNaN;
        if (!ok) continue;
        ++validCount;
        carbonateCount += geology.abundance[static_cast<std::size_t>(carbonate)][i] > kCarbonateLabelAbundance;
    }
    scene.carbonatePixelFraction = validCount ? static_cast<double>(carbonateCount) / validCount : 0.0;

    SceneMetadata& meta = scene.cube.metadata();
    meta.productId = scene.name;
    meta.observationType = "SYN";
    meta.sensor = "J";
    meta.format = "synthetic";
    meta.crsWkt = marsEquirectangularWkt(scene.latitudeDeg, scene.longitudeDeg);
    const double centreNorthing = kMarsRadiusM * scene.latitudeDeg * kPi / 180.0;
    const double pixel = options.pixelMetres;
    meta.geoTransform = std::array<double, 6>{-size / 2.0 * pixel, pixel, 0.0, centreNorthing + size / 2.0 * pixel, 0.0, -pixel};
    meta.centre = LatLon{scene.latitudeDeg, scene.longitudeDeg};
    const auto geolocator = std::make_shared<const EquirectangularGeolocator>(*meta.geoTransform, scene.latitudeDeg, scene.longitudeDeg);
    scene.cube.setGeolocator(geolocator);
    scene.cleanCube.setGeolocator(geolocator);
    scene.cleanCube.metadata() = meta;
    scene.cleanCube.metadata().productId = scene.name + "_clean";
    if (control) control->setProgress(1.0, "synthesized " + scene.name);
    return scene;
}

} // namespace jezero
