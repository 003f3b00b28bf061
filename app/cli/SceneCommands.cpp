#include "Commands.h"
#include "SceneJson.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Composite.h"
#include "jezero/core/Error.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/SceneReader.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>

namespace jezero::cli {

Pixel parsePixel(const std::string& text) {
    static const std::regex pattern(R"(^\s*(\d+)\s*,\s*(\d+)\s*$)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern)) throw Error("--pixel takes X,Y (column, row from 0), not '" + text + "'");
    return {std::stoi(m[1]), std::stoi(m[2])};
}

namespace {

struct Options {
    std::string scene, pixel, outDir;
    bool json = false;
    double low = 2.0, high = 98.0;
};

void printInfo(const Options& o) {
    const auto info = sceneInfoJson(io::readScene(o.scene));
    if (o.json) {
        std::cout << info.dump(2) << '\n';
        return;
    }
    for (const auto& [key, value] : info.items())
        std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << '\n';
}

void printSpectrum(const Options& o) {
    const Pixel p = parsePixel(o.pixel);
    const auto s = io::readPixelSpectrum(o.scene, p.x, p.y);
    if (o.json) std::cout << spectrumJson(s.wavelengthsNm, s.values, p.x, p.y).dump(2) << '\n';
    else std::cout << spectrumCsv(s.wavelengthsNm, s.values);
}

std::string formatPercent(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// What the window shows, as files: composite PNG, scene info and one spectrum.
void render(const Options& o) {
    if (!(o.low < o.high))
        throw Error("--stretch-low (" + formatPercent(o.low) + ") must be below --stretch-high (" + formatPercent(o.high) + ")");
    const auto cube = io::readScene(o.scene);
    const Pixel p = o.pixel.empty() ? Pixel{cube.width() / 2, cube.height() / 2} : parsePixel(o.pixel);
    if (!cube.contains(p.x, p.y))
        throw Error("pixel " + o.pixel + " is outside the " + std::to_string(cube.width()) + "x" + std::to_string(cube.height()) + " scene");
    std::filesystem::create_directories(o.outDir);
    const auto rgb = defaultRgbChannels(cube.wavelengthsNm());
    io::writePng(o.outDir + "/composite.png", renderComposite(cube, rgb, {o.low, o.high}));
    const float* s = cube.spectrum(p.x, p.y);
    const std::vector<float> values(s, s + cube.bands());
    auto info = sceneInfoJson(cube);
    info["composite"] = {{"name", rgb.name}, {"wavelengths_nm", rgb.wavelengthsNm}, {"stretch_percent", {o.low, o.high}}};
    writeTextFileAtomically(o.outDir + "/info.json", info.dump(2) + "\n");
    writeTextFileAtomically(o.outDir + "/spectrum.json", spectrumJson(cube.wavelengthsNm(), values, p.x, p.y).dump(2) + "\n");
    writeTextFileAtomically(o.outDir + "/spectrum.csv", spectrumCsv(cube.wavelengthsNm(), values));
    std::cout << "wrote composite.png (" << rgb.name << "), info.json, spectrum.json, spectrum.csv (pixel " << p.x << "," << p.y
              << ") to " << o.outDir << '\n';
}

} // namespace

std::vector<Command> addSceneCommands(CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* info = app.add_subcommand("info", "Product id, size, bands, wavelength range, CRS, no-data count");
    info->add_option("SCENE", o->scene, "Scene file (.img, .lbl, .hdr or .tif)")->required();
    info->add_flag("--json", o->json, "Print JSON");

    auto* spectrum = app.add_subcommand("spectrum", "Wavelengths (nm) and values of one pixel");
    spectrum->add_option("SCENE", o->scene, "Scene file")->required();
    spectrum->add_option("--pixel", o->pixel, "X,Y: column (sample) and row (line), from 0")->required();
    spectrum->add_flag("--json", o->json, "Print JSON (NaN as null); CSV otherwise");

    auto* renderCmd = app.add_subcommand("render", "Write what the window shows: composite PNG, info and a spectrum");
    renderCmd->add_option("SCENE", o->scene, "Scene file")->required();
    renderCmd->add_option("--out", o->outDir, "Output directory")->required();
    renderCmd->add_option("--pixel", o->pixel, "X,Y of the spectrum (default: the centre)");
    renderCmd->add_option("--stretch-low", o->low, "Lower percent clip")->check(CLI::Range(0.0, 100.0));
    renderCmd->add_option("--stretch-high", o->high, "Upper percent clip")->check(CLI::Range(0.0, 100.0));

    return {{info, [o] { printInfo(*o); }}, {spectrum, [o] { printSpectrum(*o); }}, {renderCmd, [o] { render(*o); }}};
}

} // namespace jezero::cli
