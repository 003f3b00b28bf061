#include "jezero/core/SceneSynthesizer.h"

#include "jezero/core/Error.h"
#include "jezero/core/Parallel.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SpectralLibrary.h"
#include "jezero/core/Statistics.h"
#include "jezero/core/Task.h"
#include "jezero/core/WavelengthTable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>

namespace jezero {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMarsRadiusM = 3396190.0; // IAU 2000 Mars sphere
constexpr double kPixelSizeM = 18.0;       // MTRDR map-projected FRT
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Portable randomness: raw 64-bit draws turned into numbers by our own formulas, so a seed gives the
// same scene whatever the standard library's distributions do.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : mEngine(seed) {}
    double uniform() { return static_cast<double>(mEngine() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int below(int n) { return static_cast<int>(uniform() * n) % std::max(1, n); }
    double normal() {
        if (mHasSpare) {
            mHasSpare = false;
            return mSpare;
        }
        const double u = std::max(uniform(), 1e-300), v = uniform();
        const double r = std::sqrt(-2.0 * std::log(u));
        mSpare = r * std::sin(2 * kPi * v);
        mHasSpare = true;
        return r * std::cos(2 * kPi * v);
    }

private:
    std::mt19937_64 mEngine;
    bool mHasSpare = false;
    double mSpare = 0;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 29);
}

using Field = std::vector<float>; // size × size, row-major

// Multi-scale value noise in [0, 1]: octaves of bilinearly interpolated random grids.
Field fractalNoise(Rng& rng, int size, int baseCells, int octaves) {
    Field field(static_cast<std::size_t>(size) * size, 0.0f);
    double amplitude = 1.0;
    for (int o = 0, cells = baseCells; o < octaves; ++o, cells *= 2, amplitude *= 0.5) {
        std::vector<double> grid(static_cast<std::size_t>(cells + 1) * (cells + 1));
        for (double& g : grid) g = rng.uniform();
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const double gx = static_cast<double>(x) / size * cells, gy = static_cast<double>(y) / size * cells;
                const int ix = static_cast<int>(gx), iy = static_cast<int>(gy);
                const double tx = gx - ix, ty = gy - iy;
                const auto at = [&](int i, int j) { return grid[static_cast<std::size_t>(j) * (cells + 1) + i]; };
                const double v = (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) + ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
                field[static_cast<std::size_t>(y) * size + x] += static_cast<float>(amplitude * v);
            }
    }
    const auto [lo, hi] = std::minmax_element(field.begin(), field.end());
    const float low = *lo, span = std::max(*hi - *lo, 1e-6f);
    for (float& v : field) v = (v - low) / span;
    return field;
}

// Patches where the field rises above a threshold, ramped to 1.
Field patches(const Field& noise, double threshold, double strength) {
    Field out(noise.size());
    for (std::size_t i = 0; i < noise.size(); ++i)
        out[i] = static_cast<float>(strength * std::clamp((noise[i] - threshold) / (1 - threshold), 0.0, 1.0));
    return out;
}

// Tilted layers (a stratigraphic sequence), perturbed by noise.
Field layers(Rng& rng, int size, double strength) {
    const Field warp = fractalNoise(rng, size, 3, 3);
    const double angle = rng.uniform(0, kPi), period = rng.uniform(0.08, 0.25) * size, duty = rng.uniform(0.25, 0.5);
    Field out(warp.size());
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * size + x;
            const double phase = (x * std::cos(angle) + y * std::sin(angle)) / period + 1.5 * warp[i];
            const double frac = phase - std::floor(phase);
            out[i] = frac < duty ? static_cast<float>(strength * (0.6 + 0.4 * warp[i])) : 0.0f;
        }
    return out;
}

// A real parameter map, randomly rotated, scaled and cropped, then mapped to [0, strength] between its
// median and 98th percentile (values below the median are background).
Field realCrop(Rng& rng, const ImageStack& maps, int channel, int size, double strength) {
    const double angle = rng.uniform(0, 2 * kPi), scale = rng.uniform(0.5, 1.2);
    const double cx = rng.uniform(0.3, 0.7) * maps.width, cy = rng.uniform(0.3, 0.7) * maps.height;
    const double c = std::cos(angle) * scale, s = std::sin(angle) * scale;
    Field out(static_cast<std::size_t>(size) * size, kNaN);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double dx = x - size / 2.0, dy = y - size / 2.0;
            const double sx = cx + c * dx - s * dy, sy = cy + s * dx + c * dy;
            const int ix = static_cast<int>(std::floor(sx)), iy = static_cast<int>(std::floor(sy));
            if (ix < 0 || iy < 0 || ix + 1 >= maps.width || iy + 1 >= maps.height) continue;
            const double tx = sx - ix, ty = sy - iy;
            const double v = (1 - ty) * ((1 - tx) * maps.at(ix, iy, channel) + tx * maps.at(ix + 1, iy, channel)) +
                             ty * ((1 - tx) * maps.at(ix, iy + 1, channel) + tx * maps.at(ix + 1, iy + 1, channel));
            out[static_cast<std::size_t>(y) * size + x] = static_cast<float>(v);
        }
    const auto limits = finitePercentiles(out, {50, 98});
    const double lo = limits[0], span = std::max(limits[1] - limits[0], 1e-9);
    for (float& v : out) v = std::isfinite(v) ? static_cast<float>(strength * std::clamp((v - lo) / span, 0.0, 1.0)) : 0.0f;
    return out;
}

struct Region {
    const char* name;
    const char* slug;
    double latitude, longitude; // planetocentric, east-positive
};
// Carbonate-bearing regions first (olivine–carbonate at Nili Fossae and Jezero; Huygens; Libya Montes).
const Region kCarbonateRegions[] = {{"Jezero crater", "jezero", 18.4, 77.5}, {"Nili Fossae", "nilifossae", 21.0, 74.5},
                                    {"Huygens crater", "huygens", -14.0, 55.6}, {"Libya Montes", "libyamontes", 2.0, 86.0}};
const Region kOtherRegions[] = {{"Coprates Chasma", "coprates", -13.5, -61.0}, {"Mawrth Vallis", "mawrth", 24.0, -19.0},
                                {"Syrtis Major", "syrtis", 8.4, 69.5},        {"Terra Sirenum", "sirenum", -33.0, -160.0},
                                {"Gale crater", "gale", -5.4, 137.8},          {"Nili Fossae", "nilifossae", 21.0, 74.5}};

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

std::vector<double> onGrid(const LibrarySpectrum& s, const std::vector<double>& grid, const std::vector<double>& fwhm) {
    auto values = resampleToChannels(s, grid, fwhm);
    // Fill the few channels the source misses from their nearest valid neighbour.
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i])) continue;
        for (std::size_t d = 1; d < values.size(); ++d) {
            if (i >= d && std::isfinite(values[i - d])) {
                values[i] = values[i - d];
                break;
            }
            if (i + d < values.size() && std::isfinite(values[i + d])) {
                values[i] = values[i + d];
                break;
            }
        }
    }
    return values;
}

} // namespace

SynthesisInputs defaultSynthesisInputs(ImageStack structure) {
    SynthesisInputs in;
    const auto axis = readMtrdrAxisTable(resourcePath("crism/wavelengths/mtrdr_axis.tab"));
    in.wavelengthsNm = axis.wavelengthsNm;
    in.fwhmNm = axis.fwhmNm;
    in.structure = std::move(structure);
    const std::string dir = resourcePath("spectra/mica_crism_type_spectra") + "/crism_spec_";
    // Backgrounds: the bland, dusty Mars spectra MICA divided by (column 6 of every type spectrum).
    for (const char* mineral : {"fe_olivine", "mg_carbonate", "fe_smectite", "low_ca_pyroxene", "high_ca_pyroxene", "kaolinite",
                                "hematite", "poly_hyd_sulf", "mg_smectite", "ca_fe_carbonate", "plagioclase", "chlorite"}) {
        auto background = onGrid(readLibrarySpectrum(dir + mineral + ".txt", mineral, "MICA denominator", 6), in.wavelengthsNm, in.fwhmNm);
        std::vector<float> values(background.begin(), background.end());
        const double median = finitePercentiles(values, {50})[0];
        for (double& v : background) v /= median; // the albedo field sets the level
        in.backgrounds.push_back(std::move(background));
    }
    // Signatures: the MICA ratioed type spectra, continuum-removed so they only ever add absorptions.
    const struct {
        const char* name;
        const char* file;
        const char* structure;
    } minerals[] = {{"olivine", "fe_olivine", "OLINDEX3"},          {"low_ca_pyroxene", "low_ca_pyroxene", "LCPINDEX2"},
                    {"high_ca_pyroxene", "high_ca_pyroxene", "HCPINDEX2"}, {"fe_mg_smectite", "fe_smectite", "D2300"},
                    {"sulfate", "poly_hyd_sulf", "BD1900_2"},        {"kaolinite", "kaolinite", ""},
                    {"hematite", "hematite", ""},                     {"carbonate", "mg_carbonate", ""}};
    const auto signature = [&](const LibrarySpectrum& spectrum) {
        auto ratio = continuumRemoved(in.wavelengthsNm, onGrid(spectrum, in.wavelengthsNm, in.fwhmNm));
        for (double& v : ratio) v = std::isfinite(v) ? std::clamp(v, 0.05, 1.0) : 1.0;
        return ratio;
    };
    // A variant is scaled (a power of its signature) so its deepest band at full abundance has a given
    // depth: pure lab minerals have far deeper bands than Martian exposures, and abundance must mean
    // the same whichever spectrum a scene draws. Non-carbonate lab variants take the depth of their
    // MICA type spectrum; carbonates 8 % in 2.2–2.6 µm (the MICA Ca/Fe carbonate is weaker than dust
    // can hide); basalt, which has no MICA spectrum, 10 %.
    const auto scaledTo = [&](std::vector<double> ratio, double depth, double fromNm, double toNm) {
        double deepest = 1.0;
        for (std::size_t b = 0; b < ratio.size(); ++b)
            if (in.wavelengthsNm[b] >= fromNm && in.wavelengthsNm[b] <= toNm) deepest = std::min(deepest, ratio[b]);
        const double power = deepest < 0.999 ? std::log(1 - depth) / std::log(deepest) : 1.0;
        for (double& v : ratio) v = std::pow(v, power);
        return ratio;
    };
    const auto deepestBand = [](const std::vector<double>& ratio) { return 1.0 - *std::min_element(ratio.begin(), ratio.end()); };
    const std::string lab = resourcePath("spectra/mica_lab_spectra") + "/";
    const auto usgs = readLibraryTable(resourcePath("spectra/usgs_splib07a/usgs_splib07a_selected_BECK_merged.csv"), "USGS", "");
    const auto usgsSpectrum = [&](const std::string& name) {
        const auto it = std::find_if(usgs.begin(), usgs.end(), [&](const LibrarySpectrum& l) { return l.name == name; });
        if (it == usgs.end()) throw Error("the bundled USGS table has no " + name);
        return *it;
    };
    const auto relab = [&](const std::string& file) { return readLibrarySpectrum(lab + file + "_LAB.txt", file, "lab", 2); };
    // Lab analogues of each mineral: RELAB (MICA's own analogues) and USGS splib07a.
    const std::map<std::string, std::vector<std::pair<std::string, LibrarySpectrum>>> labVariants = {
        {"olivine", {{"RELAB fayalite LAPO05", relab("fe_olivine")}, {"RELAB forsterite LASC02", relab("mg_olivine")},
                     {"USGS olivine GDS70.d Fo89", usgsSpectrum("Olivine GDS70.d Fo89 lt60um")}}},
        {"low_ca_pyroxene", {{"RELAB LCP LAPP47B", relab("low_ca_pyroxene")}, {"USGS hypersthene NMNHC2368", usgsSpectrum("Hypersthene NMNHC2368")}}},
        {"high_ca_pyroxene", {{"RELAB HCP NBPP22", relab("high_ca_pyroxene")}, {"USGS augite WS588", usgsSpectrum("Augite WS588 Pyroxene")},
                              {"USGS diopside HS15.3B", usgsSpectrum("Diopside HS15.3B Pyroxene")}}},
        {"fe_mg_smectite", {{"RELAB nontronite NCJB26", relab("fe_smectite")}, {"RELAB saponite LASA58", relab("mg_smectite")},
                            {"USGS nontronite NG-1.a", usgsSpectrum("Nontronite NG-1.a")}, {"USGS saponite SapCa-1", usgsSpectrum("Saponite SapCa-1")}}},
        {"sulfate", {{"RELAB polyhydrated sulfate 799F366", relab("polyhydrated_sulfate")}, {"RELAB kieserite F1CC15", relab("monohydrated_sulfate")},
                     {"USGS gypsum HS333.3B", usgsSpectrum("Gypsum HS333.3B (Selenite)")}}},
        {"kaolinite", {{"RELAB kaolinite LAKA04", relab("kaolinite")}, {"USGS kaolinite CM9", usgsSpectrum("Kaolinite CM9")}}},
        {"hematite", {{"USGS hematite GDS27", usgsSpectrum("Hematite GDS27")}}},
    };
    for (const auto& m : minerals) {
        MineralSignature mineral{m.name, {}, m.structure};
        if (mineral.name != "carbonate") {
            auto type = signature(readLibrarySpectrum(dir + m.file + ".txt", m.name, "MICA", 2));
            const double depth = std::clamp(deepestBand(type), 0.02, 0.5);
            mineral.variants.push_back({std::string("MICA ") + m.file, std::move(type)});
            if (const auto it = labVariants.find(mineral.name); it != labVariants.end())
                for (const auto& [source, spectrum] : it->second) mineral.variants.push_back({source, scaledTo(signature(spectrum), depth, 0, 1e9)});
        } else {
            const auto carbonate = [&](const LibrarySpectrum& s) { return scaledTo(signature(s), 0.08, 2200, 2600); };
            mineral.variants = {{"MICA mg_carbonate", carbonate(readLibrarySpectrum(dir + "mg_carbonate.txt", "", "MICA", 2))},
                                {"MICA ca_fe_carbonate", carbonate(readLibrarySpectrum(dir + "ca_fe_carbonate.txt", "", "MICA", 2))},
                                {"RELAB magnesite F1CC06B", carbonate(relab("mg_carbonate"))},
                                {"RELAB calcite CAGR01", carbonate(relab("fe_ca_carbonate"))},
                                {"USGS siderite HS271.3B", carbonate(usgsSpectrum("Siderite HS271.3B"))},
                                {"USGS dolomite HS102.3B", carbonate(usgsSpectrum("Dolomite HS102.3B"))}};
        }
        in.minerals.push_back(std::move(mineral));
    }
    in.minerals.push_back({"basalt",
                           {{"USGS basalt BR93-46B (fresh)", scaledTo(signature(usgsSpectrum("Basalt fresh BR93-46B")), 0.10, 0, 1e9)},
                            {"USGS basalt BR93-43 (weathered)", scaledTo(signature(usgsSpectrum("Basalt weathered BR93-43")), 0.10, 0, 1e9)}},
                           ""});
    return in;
}

SyntheticScene synthesizeScene(const SynthesisInputs& in, const SynthesisOptions& options, int index, TaskControl* control) {
    const int size = options.size;
    if (size < 16 || size > 4096) throw Error("scene size must be between 16 and 4096 pixels");
    if (in.backgrounds.empty() || in.minerals.empty()) throw Error("the synthesizer has no endmembers");
    const std::uint64_t sceneSeed = mix(options.seed, static_cast<std::uint64_t>(index) + 1);
    Rng rng(sceneSeed);
    SyntheticScene scene;
    scene.seed = options.seed;
    scene.index = index;
    scene.hasCarbonate = rng.uniform() < options.carbonateFraction;
    const Region& region = scene.hasCarbonate ? (rng.uniform() < 0.8 ? kCarbonateRegions[rng.below(2)] : kCarbonateRegions[2 + rng.below(2)])
                                              : kOtherRegions[rng.below(static_cast<int>(std::size(kOtherRegions)))];
    scene.region = region.name;
    scene.latitudeDeg = region.latitude + 0.6 * rng.normal();
    scene.longitudeDeg = region.longitude + 0.6 * rng.normal();
    char name[64];
    std::snprintf(name, sizeof name, "syn%04d_%s", index, region.slug);
    scene.name = name;

    const std::size_t pixels = static_cast<std::size_t>(size) * size;
    const auto structureChannel = [&](const std::string& n) { return n.empty() ? -1 : in.structure.channelIndex(n); };

    // Albedo and illumination.
    const int albedoChannel = structureChannel("R770");
    const Field albedoShape = albedoChannel >= 0 && rng.uniform() < 0.7 ? realCrop(rng, in.structure, albedoChannel, size, 1.0)
                                                                        : fractalNoise(rng, size, 4, 5);
    const Field shading = fractalNoise(rng, size, 6, 4);
    const double baseAlbedo = rng.uniform(0.16, 0.30);
    Field albedo(pixels);
    for (std::size_t i = 0; i < pixels; ++i)
        albedo[i] = static_cast<float>(baseAlbedo * (0.8 + 0.4 * albedoShape[i]) * (0.95 + 0.1 * shading[i]));
    // Craters: a darker bowl and a brighter rim.
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

    // Abundances.
    std::vector<std::string> mineralNames;
    for (const auto& m : in.minerals) mineralNames.push_back(m.name);
    scene.abundances = ImageStack(size, size, mineralNames);
    const int olivine = scene.abundances.channelIndex("olivine");
    std::vector<Field> abundance(in.minerals.size(), Field(pixels, 0.0f));
    for (std::size_t m = 0; m < in.minerals.size(); ++m) {
        const MineralSignature& mineral = in.minerals[m];
        if (mineral.name == "carbonate") continue; // placed below, on the olivine
        const double presence = mineral.name == "olivine" || mineral.name.find("pyroxene") != std::string::npos ? 0.8
                                : mineral.name == "fe_mg_smectite"                                               ? 0.6
                                                                                                                 : 0.25;
        if (rng.uniform() >= presence) continue;
        const double strength = rng.uniform(0.35, 1.0);
        const int channel = structureChannel(mineral.structure);
        if (channel >= 0 && rng.uniform() < 0.7) abundance[m] = realCrop(rng, in.structure, channel, size, strength);
        else if ((mineral.name == "sulfate" || mineral.name == "fe_mg_smectite") && rng.uniform() < 0.5) abundance[m] = layers(rng, size, strength);
        else abundance[m] = patches(fractalNoise(rng, size, 3, 5), rng.uniform(0.5, 0.75), strength);
    }
    const int carbonate = scene.abundances.channelIndex("carbonate");
    if (carbonate < 0) throw Error("the synthesizer needs a carbonate signature");
    if (scene.hasCarbonate) {
        // A few clustered blobs, centred on olivine-rich ground where there is some.
        std::vector<std::size_t> olivineRich;
        if (olivine >= 0) {
            const float richest = *std::max_element(abundance[olivine].begin(), abundance[olivine].end());
            for (std::size_t i = 0; i < pixels; ++i)
                if (abundance[olivine][i] > 0 && abundance[olivine][i] > 0.5f * richest) olivineRich.push_back(i);
        }
        const Field texture = fractalNoise(rng, size, 8, 3);
        for (int k = 2 + rng.below(5); k > 0; --k) {
            double cx, cy;
            if (!olivineRich.empty() && rng.uniform() < 0.8) {
                const std::size_t i = olivineRich[static_cast<std::size_t>(rng.below(static_cast<int>(olivineRich.size())))];
                cx = static_cast<double>(i % size);
                cy = static_cast<double>(i / size);
            } else {
                cx = rng.uniform(0.1, 0.9) * size;
                cy = rng.uniform(0.1, 0.9) * size;
            }
            const double r = rng.uniform(0.015, 0.07) * size, peak = rng.uniform(0.5, 1.0);
            for (int y = std::max(0, static_cast<int>(cy - 3 * r)); y < std::min(size, static_cast<int>(cy + 3 * r) + 1); ++y)
                for (int x = std::max(0, static_cast<int>(cx - 3 * r)); x < std::min(size, static_cast<int>(cx + 3 * r) + 1); ++x) {
                    const std::size_t i = static_cast<std::size_t>(y) * size + x;
                    const double g = peak * std::exp(-0.5 * (std::pow(x - cx, 2) + std::pow(y - cy, 2)) / (r * r)) * (0.6 + 0.4 * texture[i]);
                    abundance[carbonate][i] = std::max(abundance[carbonate][i], static_cast<float>(g > 0.05 ? g : 0.0));
                }
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

    // Spectra.
    const std::size_t bands = in.wavelengthsNm.size();
    std::vector<std::vector<double>> logSignature(in.minerals.size(), std::vector<double>(bands));
    for (std::size_t m = 0; m < in.minerals.size(); ++m) {
        const auto& variants = in.minerals[m].variants;
        const SignatureVariant& variant = variants[static_cast<std::size_t>(rng.below(static_cast<int>(variants.size())))];
        if (static_cast<int>(m) == carbonate && scene.hasCarbonate) scene.carbonateSpecies = variant.source;
        scene.signatureSources.emplace_back(in.minerals[m].name, variant.source);
        for (std::size_t b = 0; b < bands; ++b) logSignature[m][b] = std::log(variant.ratio[b]);
    }
    std::vector<double> noiseScale(bands);
    for (std::size_t b = 0; b < bands; ++b) noiseScale[b] = in.wavelengthsNm[b] > 3700 ? 3.0 : in.wavelengthsNm[b] > 3000 ? 2.0 : 1.0;
    scene.cube = SpectralCube(size, size, in.wavelengthsNm);
    scene.cube.setFwhmNm(in.fwhmNm);
    parallelFor(static_cast<std::size_t>(size), [&](std::size_t y0, std::size_t y1) {
        std::vector<double> logSum(bands);
        for (std::size_t y = y0; y < y1; ++y) {
            if (control) control->throwIfCanceled();
            Rng rowRng(mix(sceneSeed, 0x5EED0000ull + y)); // noise seeded per row: threads do not change it
            for (int x = 0; x < size; ++x) {
                const std::size_t i = y * size + x;
                float* s = scene.cube.spectrum(x, static_cast<int>(y));
                if (!valid[i] || columnGain[x] == 0) continue; // stays NaN
                std::fill(logSum.begin(), logSum.end(), 0.0);
                for (std::size_t m = 0; m < in.minerals.size(); ++m) {
                    const double a = abundance[m][i];
                    if (a <= 0) continue;
                    for (std::size_t b = 0; b < bands; ++b) logSum[b] += a * logSignature[m][b];
                }
                const double level = albedo[i] * columnGain[x];
                for (std::size_t b = 0; b < bands; ++b) {
                    const double iof = level * background[b] * std::exp(logSum[b]);
                    s[b] = static_cast<float>(iof + (0.0015 + 0.004 * iof) * noiseScale[b] * rowRng.normal());
                }
            }
        }
    });

    // Abundances out, and the carbonate statistics of the valid pixels.
    std::size_t validCount = 0, carbonateCount = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
        const bool ok = valid[i] && columnGain[i % size] != 0;
        for (std::size_t m = 0; m < in.minerals.size(); ++m) scene.abundances.values[i * in.minerals.size() + m] = ok ? abundance[m][i] : kNaN;
        if (!ok) continue;
        ++validCount;
        carbonateCount += abundance[carbonate][i] > 0.2f;
    }
    scene.carbonatePixelFraction = validCount ? static_cast<double>(carbonateCount) / validCount : 0.0;

    SceneMetadata& meta = scene.cube.metadata();
    meta.productId = scene.name;
    meta.observationType = "SYN";
    meta.sensor = "J";
    meta.format = "synthetic";
    meta.crsWkt = marsEquirectangularWkt(scene.latitudeDeg, scene.longitudeDeg);
    const double centreNorthing = kMarsRadiusM * scene.latitudeDeg * kPi / 180.0;
    meta.geoTransform = std::array<double, 6>{-size / 2.0 * kPixelSizeM, kPixelSizeM, 0.0, centreNorthing + size / 2.0 * kPixelSizeM, 0.0, -kPixelSizeM};
    meta.centre = LatLon{scene.latitudeDeg, scene.longitudeDeg};
    if (control) control->setProgress(1.0, "synthesized " + scene.name);
    return scene;
}

} // namespace jezero
