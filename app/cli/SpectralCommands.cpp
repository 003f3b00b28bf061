#include "Commands.h"
#include "jezero/core/BadBands.h"
#include "jezero/core/BrowseProducts.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/CsvText.h"
#include "jezero/core/CubeCleanup.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SpectralLibrary.h"
#include "jezero/core/SpectralMatching.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/io/EnviWriter.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/SceneReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <memory>
#include <sstream>

namespace jezero::cli {
namespace {

struct Options {
    std::string scene, out, filters, kind = "pnr", ranges, names, product = "FAL", pixel, normalise = "none", convention = "pipeline";
    std::string range = "1000-2600", roi, roiName;
    int top = 10;
    bool all = false, nearestChannel = false, json = false;
    CleanupChoice cleanup;
};

// Reads the scene and runs the clean-up steps asked for, saying what each changed.
SpectralCube readCleaned(const Options& o) {
    SpectralCube cube = io::readScene(o.scene);
    for (const std::string& line : cleanScene(cube, o.cleanup)) std::cout << line << '\n';
    return cube;
}

std::string cleanupNote(const CleanupChoice& c) {
    if (!c.any()) return "none";
    return std::string(c.removeSpikes ? "spike removal" : "") + (c.removeSpikes && c.destripe ? ", " : "") + (c.destripe ? "column destriping" : "");
}

FilterSet loadFilters(const Options& o) { return o.filters.empty() ? cassisFilters() : readFilterSet(o.filters); }

std::map<std::string, std::string> provenance(const SpectralCube& cube, const std::string& what) {
    return {{"JEZERO_PRODUCT", what}, {"JEZERO_SOURCE_SCENE", cube.metadata().productId}, {"JEZERO_SOURCE_PATH", cube.metadata().sourcePath}};
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

void cassis(const Options& o) {
    requireTiff(o.out);
    requireNotInput(o.out, o.scene);
    const auto cube = io::readScene(o.scene);
    const auto bands = simulateCassis(cube, loadFilters(o));
    auto meta = provenance(cube, "CaSSIS-like bands simulated from CRISM I/F");
    meta["JEZERO_FILTERS"] = o.filters.empty() ? "bundled CaSSIS responses" : o.filters;
    io::writeGeoTiff(o.out, bands, cube.metadata(), meta);
    std::cout << "wrote " << o.out << " (" << join(bands.channelNames) << ")\n";
}

void inputs(const Options& o) {
    requireTiff(o.out);
    requireNotInput(o.out, o.scene);
    const InputKind kind = parseInputKind(o.kind);
    if (kind != InputKind::Rectangular && (!o.ranges.empty() || o.nearestChannel)) throw Error("--ranges and --nearest-channel apply to --kind rect only");
    if (kind == InputKind::Rectangular && !o.filters.empty()) throw Error("--filters applies to the CaSSIS-filter kinds (pnr, 4band, pca), not rect");
    RectangularRanges ranges = o.ranges.empty() ? RectangularRanges{} : parseRanges(o.ranges);
    ranges.nearestToCentre = o.nearestChannel;
    if (o.normalise != "none" && o.normalise != "image") throw Error("--normalise takes none or image, not '" + o.normalise + "'");
    const auto cube = io::readScene(o.scene);
    std::vector<double> explained;
    ImageStack image = makeModelInput(cube, kind, loadFilters(o), ranges, &explained);
    if (o.normalise == "image") normaliseImageWise(image);
    auto meta = provenance(cube, "model input " + inputKindName(kind));
    meta["JEZERO_NORMALISATION"] = o.normalise;
    std::ostringstream line;
    line << "wrote " << o.out << " (" << inputKindName(kind) << ": " << join(image.channelNames) << ")";
    if (kind == InputKind::Pca) {
        std::ostringstream variance;
        for (std::size_t i = 0; i < explained.size(); ++i) variance << (i ? "," : "") << explained[i];
        meta["JEZERO_PCA_EXPLAINED_VARIANCE"] = variance.str();
        line << "; explained variance " << variance.str();
    }
    io::writeGeoTiff(o.out, image, cube.metadata(), meta);
    std::cout << line.str() << '\n';
}

// The requested names, checked before any scene is read (a typo should not cost reading a cube).
std::vector<std::string> parameterNames(const Options& o) {
    if (o.all && !o.names.empty()) throw Error("--names and --all exclude each other");
    if (o.all || o.names.empty()) return summaryParameterNames();
    const auto names = splitList(o.names);
    const auto& known = summaryParameterNames();
    for (const auto& name : names)
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw Error("unknown summary parameter '" + name + "' (jezero-cli params-spectrum lists them all)");
    return names;
}

void params(const Options& o) {
    requireTiff(o.out);
    requireNotInput(o.out, o.scene);
    const auto names = parameterNames(o);
    const auto convention = parseParameterConvention(o.convention);
    const auto cube = readCleaned(o);
    requireSpectrometerChannels(cube.metadata(), "Summary parameters");
    const auto image = SummaryParameters(cube.wavelengthsNm(), names, convention).compute(cube);
    auto meta = provenance(cube, "CRISM summary parameters (Viviano-Beck et al. 2014)");
    meta["JEZERO_PARAMETER_CONVENTION"] = o.convention;
    meta["JEZERO_CLEANUP"] = cleanupNote(o.cleanup);
    io::writeGeoTiff(o.out, image, cube.metadata(), meta);
    std::cout << "wrote " << o.out << " (" << names.size() << " parameters)\n";
}

void browse(const Options& o) {
    const std::string ext = extensionOf(o.out);
    if (ext != "png" && ext != "tif" && ext != "tiff") throw Error("--out must end in .png or .tif, not '" + o.out + "'");
    requireNotInput(o.out, o.scene);
    const BrowseProduct product = browseProduct(o.product);
    const auto cube = readCleaned(o);
    requireSpectrometerChannels(cube.metadata(), "Browse products");
    const std::vector<std::string> names(product.parameters.begin(), product.parameters.end());
    const auto parameters = SummaryParameters(cube.wavelengthsNm(), names).compute(cube);
    const CompositeImage image = renderBrowse(parameters, product);
    if (ext == "png") {
        io::writePng(o.out, image);
    } else {
        auto meta = provenance(cube, "CRISM browse product " + product.name + " (parameter values)");
        meta["JEZERO_CLEANUP"] = cleanupNote(o.cleanup);
        for (int c = 0; c < 3; ++c) {
            std::ostringstream range;
            range << image.channels[c].low << "," << image.channels[c].high;
            meta["JEZERO_STRETCH_" + std::string(1, "RGB"[c])] = range.str();
        }
        io::writeGeoTiff(o.out, parameters, cube.metadata(), meta);
    }
    std::cout << "wrote " << o.out << " (" << product.name << ": " << join(names) << ")\n";
}

void paramsSpectrum(const Options& o) {
    const Pixel p = parsePixel(o.pixel);
    const auto names = parameterNames(o);
    const auto s = io::readPixelSpectrum(o.scene, p.x, p.y);
    requireSpectrometerChannels(s.metadata, "Summary parameters");
    const auto values = SummaryParameters(s.wavelengthsNm, names, parseParameterConvention(o.convention)).compute(s.values.data());
    if (o.json) {
        nlohmann::json j;
        j["pixel"] = {p.x, p.y};
        auto& out = j["parameters"] = nlohmann::json::object();
        for (std::size_t i = 0; i < names.size(); ++i)
            out[names[i]] = std::isnan(values[i]) ? nlohmann::json(nullptr) : nlohmann::json(values[i]);
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cout << "parameter,value\n";
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::cout << names[i] << ',';
        if (!std::isnan(values[i])) std::cout << values[i];
        std::cout << '\n';
    }
}

// Library spectra ranked against one pixel (rankLibraryMatches: continuum-removed correlation, angle).
void match(const Options& o) {
    if (o.pixel.empty() == o.roi.empty()) throw Error("match takes --pixel X,Y or --roi FILE.geojson (one of them)");
    const RectangularRanges parsed = parseRanges(o.range);
    if (parsed.rangesNm.size() != 1) throw Error("--range takes one wavelength range FROM-TO in nm, not '" + o.range + "'");
    if (o.top < 1) throw Error("--top must be at least 1");
    const auto [from, to] = parsed.rangesNm.front();
    std::vector<double> wavelengths, spectrum;
    SceneMetadata metadata;
    nlohmann::json subject;
    if (!o.pixel.empty()) {
        const Pixel p = parsePixel(o.pixel);
        const auto s = io::readPixelSpectrum(o.scene, p.x, p.y);
        wavelengths = s.wavelengthsNm;
        spectrum.assign(s.values.begin(), s.values.end());
        metadata = s.metadata;
        subject["pixel"] = {p.x, p.y};
    } else {
        // An ROI's mean spectrum (the workstation's ROI files: GeoJSON with pixel coordinates).
        std::ifstream in(o.roi);
        if (!in) throw Error("cannot read the ROI file " + o.roi);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto rois = roisFromGeoJson(text);
        std::string names;
        for (const Roi& r : rois) names += (names.empty() ? "" : ", ") + r.name;
        const auto chosen = std::find_if(rois.begin(), rois.end(), [&](const Roi& r) { return r.name == o.roiName; });
        if (rois.empty()) throw Error(o.roi + " holds no ROI");
        if (o.roiName.empty() && rois.size() > 1) throw Error(o.roi + " holds several ROIs (" + names + "): name one with --roi-name");
        if (!o.roiName.empty() && chosen == rois.end()) throw Error(o.roi + " has no ROI '" + o.roiName + "' (it has " + names + ")");
        const Roi& roi = o.roiName.empty() ? rois.front() : *chosen;
        const SpectralCube cube = io::readScene(o.scene);
        const RoiSpectrum s = roiSpectrum(cube, roi);
        if (s.pixelCount == 0) throw Error("the ROI '" + roi.name + "' covers no pixel of the scene");
        wavelengths = cube.wavelengthsNm();
        spectrum = s.mean;
        metadata = cube.metadata();
        subject["roi"] = roi.name;
        subject["pixels"] = s.pixelCount;
    }
    spectrum = BadBands::forScene(metadata).masked(wavelengths, spectrum); // the detectors' ends and filter boundaries are not compared
    const auto library = bundledSpectralLibrary(); // read once: it is 76 files
    const auto matches = rankLibraryMatches(wavelengths, spectrum, library, from, to);
    const std::size_t shown = std::min<std::size_t>(matches.size(), static_cast<std::size_t>(o.top));
    if (o.json) {
        nlohmann::json j = subject;
        j["range_nm"] = {from, to};
        j["library_size"] = library.size();
        j["matches"] = nlohmann::json::array();
        for (std::size_t i = 0; i < shown; ++i)
            j["matches"].push_back({{"rank", i + 1}, {"name", matches[i].name}, {"kind", matches[i].kind}, {"correlation", matches[i].correlation},
                                    {"angle_deg", matches[i].angleDeg}, {"channels", matches[i].channels}});
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cout << "rank,name,kind,correlation,angle_deg,channels\n";
    for (std::size_t i = 0; i < shown; ++i)
        std::cout << i + 1 << ',' << csvField(matches[i].name) << ',' << matches[i].kind << ',' << matches[i].correlation << ',' << matches[i].angleDeg << ','
                  << matches[i].channels << '\n';
}

// The scene with the chosen clean-up steps, as an ENVI cube (what params/browse would compute from).
void clean(const Options& o) {
    if (!o.cleanup.any()) throw Error("clean needs --despike, --destripe or both");
    if (extensionOf(o.out) != "img") throw Error("--out must be an ENVI image ending in .img (its .hdr is written beside it), not '" + o.out + "'");
    // The .img and the .hdr written beside it may be none of the scene's own files (a label's data file,
    // a header, the joined partner's).
    const std::string header = std::filesystem::path(o.out).replace_extension(".hdr").string();
    for (const std::string& file : io::sceneFiles(o.scene))
        for (const std::string& written : {o.out, header}) requireNotInput(written, file);
    const auto cube = readCleaned(o);
    io::writeEnviCube(o.out, cube, "cleaned by jezero-cli clean (" + cleanupNote(o.cleanup) + ") from " + cube.metadata().sourcePath);
    std::cout << "wrote " << o.out << '\n';
}

} // namespace

std::vector<Command> addSpectralCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    const auto scene = [&](CLI::App* sub) { sub->add_option("SCENE", o->scene, "Scene file (.img, .lbl, .hdr or .tif)")->required(); };

    auto* cassisCmd = app.add_subcommand("cassis", "Simulate the four CaSSIS bands (BLU, PAN, RED, NIR) as a GeoTIFF");
    scene(cassisCmd);
    cassisCmd->add_option("--out", o->out, "Output GeoTIFF")->required();
    cassisCmd->add_option("--filters", o->filters, "Filter response table (default: the bundled CaSSIS curves)");

    auto* inputsCmd = app.add_subcommand("inputs", "Write a model input image (pnr, 4band, pca, rect) as a GeoTIFF");
    scene(inputsCmd);
    inputsCmd->add_option("--kind", o->kind, "pnr | 4band | pca | rect (default pnr)");
    inputsCmd->add_option("--ranges", o->ranges, "rect: wavelength ranges in nm (default 780-900,860-1150,1550-1990)");
    inputsCmd->add_flag("--nearest-channel", o->nearestChannel, "rect: the channel nearest each range's centre instead of the mean");
    inputsCmd->add_option("--normalise", o->normalise, "none | image (per-channel min-max to 0..1)");
    inputsCmd->add_option("--filters", o->filters, "Filter response table (default: the bundled CaSSIS curves)");
    inputsCmd->add_option("--out", o->out, "Output GeoTIFF")->required();

    auto* paramsCmd = app.add_subcommand("params", "Compute summary parameters as a GeoTIFF (one band each)");
    scene(paramsCmd);
    paramsCmd->add_option("--names", o->names, "Comma-separated parameter names (default: all)");
    paramsCmd->add_flag("--all", o->all, "All 56 parameters (not with --names)");
    paramsCmd->add_option("--convention", o->convention, "pipeline (default: the CRISM team's MTRDR code) or paper (the VB2014 table as printed)");
    paramsCmd->add_option("--out", o->out, "Output GeoTIFF")->required();

    auto* browseCmd = app.add_subcommand("browse", "Render a browse product (FAL, CAR, MAF, ...) as PNG, or its parameters as GeoTIFF");
    scene(browseCmd);
    browseCmd->add_option("--product", o->product, "Browse product name (default FAL)");
    browseCmd->add_option("--out", o->out, "Output .png (rendered) or .tif (parameter values)")->required();

    auto* cleanCmd = app.add_subcommand("clean", "Remove spikes and/or destripe columns (TRR3), writing an ENVI cube");
    scene(cleanCmd);
    cleanCmd->add_option("--out", o->out, "Output ENVI image (.img; the .hdr is written beside it)")->required();
    const auto cleanupFlags = [&](CLI::App* sub) {
        sub->add_flag("--despike", o->cleanup.removeSpikes,
                      "First put isolated one- or two-channel spikes (judged against the pixel's 3x3 neighbourhood) back on the line between "
                      "their neighbouring channels");
        sub->add_flag("--destripe", o->cleanup.destripe,
                      "First divide out detector-column gains (column-median ratio; TRR3 in sensor geometry: skipped, with a line saying so, for a "
                      "map-projected scene)");
    };
    cleanupFlags(cleanCmd);
    cleanupFlags(paramsCmd);
    cleanupFlags(browseCmd);

    auto* paramsSpectrumCmd = app.add_subcommand("params-spectrum", "Every summary parameter of one pixel");
    scene(paramsSpectrumCmd);
    paramsSpectrumCmd->add_option("--pixel", o->pixel, "X,Y: column and row, from 0")->required();
    paramsSpectrumCmd->add_option("--names", o->names, "Comma-separated parameter names (default: all)");
    paramsSpectrumCmd->add_option("--convention", o->convention, "pipeline (default: the CRISM team's MTRDR code) or paper (the VB2014 table as printed)");
    paramsSpectrumCmd->add_flag("--json", o->json, "Print JSON (NaN as null); CSV otherwise");

    auto* matchCmd = app.add_subcommand("match", "Rank the bundled library against one pixel (continuum-removed correlation, spectral angle)");
    scene(matchCmd);
    matchCmd->add_option("--pixel", o->pixel, "X,Y: column and row, from 0");
    matchCmd->add_option("--roi", o->roi, "Instead of a pixel: an ROI file (GeoJSON, as the workstation saves them); its mean spectrum is matched");
    matchCmd->add_option("--roi-name", o->roiName, "Which ROI of the file (needed when it holds several)");
    matchCmd->add_option("--range", o->range, "Wavelength range compared, FROM-TO in nm (default 1000-2600)");
    matchCmd->add_option("--top", o->top, "How many matches to list (default 10)");
    matchCmd->add_flag("--json", o->json, "Print JSON; CSV otherwise");

    return {{matchCmd, [o] { match(*o); }},
            {cassisCmd, [o] { cassis(*o); }},
            {inputsCmd, [o] { inputs(*o); }},
            {paramsCmd, [o] { params(*o); }},
            {browseCmd, [o] { browse(*o); }},
            {paramsSpectrumCmd, [o] { paramsSpectrum(*o); }},
            {cleanCmd, [o] { clean(*o); }}};
}

} // namespace jezero::cli
