// The synthesizer's endmembers and regions, read from the bundled resources.
#include "jezero/core/SceneSynthesizer.h"

#include "../DelimitedText.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SpectralLibrary.h"
#include "jezero/core/Statistics.h"
#include "jezero/core/WavelengthTable.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace jezero {
namespace {

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

// A spectrum split into its upper convex hull (brightness and colour) and its continuum-removed band
// shapes (≤ 1), so lab analogues can take a measured Mars continuum.
struct HullAndBands {
    std::vector<double> hull, bands;
};

HullAndBands splitHull(const std::vector<double>& wavelengths, const std::vector<double>& spectrum) {
    HullAndBands out{spectrum, continuumRemoved(wavelengths, spectrum)};
    for (std::size_t b = 0; b < spectrum.size(); ++b) {
        double& band = out.bands[b];
        band = std::isfinite(band) ? std::clamp(band, 0.05, 1.0) : 1.0;
        out.hull[b] = std::isfinite(spectrum[b]) ? spectrum[b] / band : 1.0;
    }
    return out;
}

// Band shapes raised to the power that makes their deepest band in [fromNm, toNm] `depth` deep.
std::vector<double> scaledBands(std::vector<double> bands, const std::vector<double>& wavelengths, double depth, double fromNm, double toNm) {
    double deepest = 1.0;
    for (std::size_t b = 0; b < bands.size(); ++b)
        if (wavelengths[b] >= fromNm && wavelengths[b] <= toNm) deepest = std::min(deepest, bands[b]);
    const double power = deepest < 0.999 ? std::log(1 - depth) / std::log(deepest) : 1.0;
    for (double& v : bands) v = std::pow(v, power);
    return bands;
}

double deepestBand(const std::vector<double>& bands) { return 1.0 - *std::min_element(bands.begin(), bands.end()); }

std::vector<double> times(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = std::clamp(a[i] * b[i], 0.02, 4.0);
    return out;
}

double carbonateWeight(const std::string& cls, const std::string& path, int line) {
    if (cls == "common") return 0.6;
    if (cls == "present") return 0.3;
    if (cls == "rare") return 0.05;
    if (cls == "none") return 0.0;
    throw Error("cannot read " + path + ": line " + std::to_string(line) + ": carbonate must be common, present, rare or none, not '" + cls + "'");
}

} // namespace

std::vector<GeologicRegion> readGeologicRegions(const std::string& path) {
    const auto table = detail::readDelimitedTable(path);
    const std::vector<std::string> columns = {"slug", "region", "latitude_deg", "longitude_deg", "carbonate", "carbonate_chemistry",
                                              "carbonate_host", "carbonate_setting", "minerals", "sources"};
    if (table.header != columns) throw Error("cannot read " + path + ": expected the columns " + [&] {
        std::string joined;
        for (const auto& c : columns) joined += (joined.empty() ? "" : ",") + c;
        return joined;
    }());
    std::vector<GeologicRegion> regions;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& f = table.rows[r];
        const int line = table.lineNumbers[r];
        const auto fail = [&](const std::string& why) { return Error("cannot read " + path + ": line " + std::to_string(line) + ": " + why); };
        if (f.size() != columns.size()) throw fail("expected " + std::to_string(columns.size()) + " fields, found " + std::to_string(f.size()));
        GeologicRegion g;
        g.slug = f[0];
        g.name = f[1];
        g.latitudeDeg = detail::parseNumber(f[2], path, line);
        g.longitudeDeg = detail::parseNumber(f[3], path, line);
        if (std::abs(g.latitudeDeg) > 90 || std::abs(g.longitudeDeg) > 180) throw fail("latitude or longitude out of range");
        g.carbonate = f[4];
        g.carbonateWeight = carbonateWeight(f[4], path, line);
        g.carbonateChemistry = f[5];
        if (g.carbonateChemistry != "mg" && g.carbonateChemistry != "ca_fe" && g.carbonateChemistry != "any")
            throw fail("carbonate_chemistry must be mg, ca_fe or any");
        g.carbonateHost = f[6];
        g.carbonateSetting = f[7];
        if (g.carbonateSetting != "fractured" && g.carbonateSetting != "bedrock" && g.carbonateSetting != "layered")
            throw fail("carbonate_setting must be fractured, bedrock or layered");
        std::istringstream minerals(f[8]);
        std::string item;
        while (minerals >> item) {
            const auto colon = item.find(':');
            if (colon == std::string::npos) throw fail("minerals must be listed as mineral:probability, not '" + item + "'");
            const double p = detail::parseNumber(item.substr(colon + 1), path, line);
            if (p < 0 || p > 1) throw fail("probability of " + item.substr(0, colon) + " must be in [0, 1]");
            g.minerals.emplace_back(item.substr(0, colon), p);
        }
        if (g.minerals.empty()) throw fail("region " + g.slug + " lists no minerals");
        if (g.carbonateWeight > 0 && g.carbonateHost.empty()) throw fail("a carbonate-bearing region needs a carbonate_host");
        g.sources = f[9];
        regions.push_back(std::move(g));
    }
    return regions;
}

SynthesisInputs defaultSynthesisInputs(ImageStack structure) {
    SynthesisInputs in;
    const auto axis = readMtrdrAxisTable(resourcePath("crism/wavelengths/mtrdr_axis.tab"));
    in.wavelengthsNm = axis.wavelengthsNm;
    in.fwhmNm = axis.fwhmNm;
    in.structure = std::move(structure);
    const auto& w = in.wavelengthsNm;
    const std::string dir = resourcePath("spectra/mica_crism_type_spectra") + "/crism_spec_";
    const auto grid = [&](const LibrarySpectrum& s) { return onGrid(s, w, in.fwhmNm); };
    // Backgrounds: the bland, dusty Mars spectra MICA divided by (column 6 of every type spectrum).
    for (const char* mineral : {"fe_olivine", "mg_carbonate", "fe_smectite", "low_ca_pyroxene", "high_ca_pyroxene", "kaolinite",
                                "hematite", "poly_hyd_sulf", "mg_smectite", "ca_fe_carbonate", "plagioclase", "chlorite"}) {
        auto background = grid(readLibrarySpectrum(dir + mineral + ".txt", mineral, "MICA denominator", 6));
        std::vector<float> values(background.begin(), background.end());
        const double median = finitePercentiles(values, {50})[0];
        for (double& v : background) v /= median; // the albedo field sets the level
        in.backgrounds.push_back(std::move(background));
    }
    // The MICA ratioed type spectrum (column 2) of a mineral, whole: exposure over bland ground.
    const auto micaRatio = [&](const std::string& file) {
        auto ratio = grid(readLibrarySpectrum(dir + file + ".txt", file, "MICA", 2));
        for (double& v : ratio) v = std::isfinite(v) ? std::clamp(v, 0.02, 4.0) : 1.0;
        return ratio;
    };
    const std::string lab = resourcePath("spectra/mica_lab_spectra") + "/";
    const auto usgs = readLibraryTable(resourcePath("spectra/usgs_splib07a/usgs_splib07a_selected_BECK_merged.csv"), "USGS", "");
    const auto usgsSpectrum = [&](const std::string& name) {
        const auto it = std::find_if(usgs.begin(), usgs.end(), [&](const LibrarySpectrum& l) { return l.name == name; });
        if (it == usgs.end()) throw Error("the bundled USGS table has no " + name);
        return *it;
    };
    const auto relab = [&](const std::string& file) { return readLibrarySpectrum(lab + file + "_LAB.txt", file, "lab", 2); };
    const struct {
        const char* name;
        const char* file;
        const char* structure;
    } minerals[] = {{"olivine", "fe_olivine", "OLINDEX3"},          {"low_ca_pyroxene", "low_ca_pyroxene", "LCPINDEX2"},
                    {"high_ca_pyroxene", "high_ca_pyroxene", "HCPINDEX2"}, {"fe_mg_smectite", "fe_smectite", "D2300"},
                    {"sulfate", "poly_hyd_sulf", "BD1900_2"},        {"kaolinite", "kaolinite", ""},
                    {"hematite", "hematite", ""},                     {"serpentine", "serpentine", ""},
                    {"chloride", "chloride", ""},                     {"al_smectite", "al_smectite", ""},
                    {"hydrated_silica", "hydrated_silica", ""}};
    // Other MICA type spectra of the same mineral class, used whole as further Mars variants.
    const std::map<std::string, std::vector<std::string>> micaVariants = {{"olivine", {"mg_olivine"}},
                                                                          {"fe_mg_smectite", {"mg_smectite"}},
                                                                          {"sulfate", {"mono_hyd_sulf"}}};
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
        {"serpentine", {{"RELAB serpentine LALZ01", relab("serpentine")}}},
        {"al_smectite", {{"RELAB montmorillonite LAMO02", relab("al_smectite")}}},
        {"hydrated_silica", {{"RELAB hydrated silica BKR1JB329C", relab("hydrated_silica")}}},
    };
    for (const auto& m : minerals) {
        MineralSignature mineral{m.name, {}, m.structure};
        const auto type = micaRatio(m.file);
        mineral.variants.push_back({std::string("MICA ") + m.file, type, ""});
        if (const auto it = micaVariants.find(mineral.name); it != micaVariants.end())
            for (const auto& file : it->second) mineral.variants.push_back({"MICA " + file, micaRatio(file), ""});
        // A lab analogue keeps the Mars continuum of the type spectrum and the type's deepest band.
        const HullAndBands mars = splitHull(w, type);
        const double depth = std::clamp(deepestBand(mars.bands), 0.02, 0.5);
        if (const auto it = labVariants.find(mineral.name); it != labVariants.end())
            for (const auto& [source, spectrum] : it->second)
                mineral.variants.push_back({source, times(mars.hull, scaledBands(splitHull(w, grid(spectrum)).bands, w, depth, 0, 1e9)), ""});
        in.minerals.push_back(std::move(mineral));
    }
    // Carbonates: the Mars continuum of the MICA spectrum of their chemistry (Mg: Nili Fossae; Ca/Fe),
    // band shapes scaled to an 8 % band in 2.2–2.6 µm (the MICA Ca/Fe carbonate is weaker than dust can
    // hide); the same power deepens or flattens the Fe²⁺ ~1 µm band of siderite and the MICA spectra.
    {
        const HullAndBands mg = splitHull(w, micaRatio("mg_carbonate")), caFe = splitHull(w, micaRatio("ca_fe_carbonate"));
        const auto carbonate = [&](const std::string& source, const std::vector<double>& spectrum, const std::string& chemistry) {
            const HullAndBands& mars = chemistry == "mg" ? mg : caFe;
            return SignatureVariant{source, times(mars.hull, scaledBands(splitHull(w, spectrum).bands, w, 0.08, 2200, 2600)), chemistry};
        };
        MineralSignature c{"carbonate", {}, ""};
        c.variants = {carbonate("MICA mg_carbonate", micaRatio("mg_carbonate"), "mg"),
                      carbonate("MICA ca_fe_carbonate", micaRatio("ca_fe_carbonate"), "ca_fe"),
                      carbonate("RELAB magnesite F1CC06B", grid(relab("mg_carbonate")), "mg"),
                      carbonate("RELAB calcite CAGR01", grid(relab("fe_ca_carbonate")), "ca_fe"),
                      carbonate("USGS siderite HS271.3B", grid(usgsSpectrum("Siderite HS271.3B")), "ca_fe"),
                      carbonate("USGS dolomite HS102.3B", grid(usgsSpectrum("Dolomite HS102.3B")), "mg")};
        in.minerals.push_back(std::move(c));
    }
    // Basalt has no MICA spectrum: its lab band shapes (10 % deep) on a flat continuum 25 % darker
    // than the dusty ground (dark basaltic sand against bright dust; APPROX).
    const auto basalt = [&](const char* name) {
        std::vector<double> dark(w.size(), 0.75);
        return times(dark, scaledBands(splitHull(w, grid(usgsSpectrum(name))).bands, w, 0.10, 0, 1e9));
    };
    in.minerals.push_back({"basalt",
                           {{"USGS basalt BR93-46B (fresh)", basalt("Basalt fresh BR93-46B"), ""},
                            {"USGS basalt BR93-43 (weathered)", basalt("Basalt weathered BR93-43"), ""}},
                           ""});
    in.regions = readGeologicRegions(resourcePath("geology/mars_regions.csv"));
    std::set<std::string> known;
    for (const auto& m : in.minerals) known.insert(m.name);
    for (const auto& r : in.regions) {
        for (const auto& [mineral, p] : r.minerals)
            if (!known.count(mineral)) throw Error("region " + r.slug + " names the unknown mineral '" + mineral + "'");
        if (!r.carbonateHost.empty() && !known.count(r.carbonateHost))
            throw Error("region " + r.slug + " names the unknown carbonate host '" + r.carbonateHost + "'");
    }
    return in;
}

} // namespace jezero
