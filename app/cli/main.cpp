// jezero-cli: the headless entry point over the same core as the workstation.
#include "SceneJson.h"
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Composite.h"
#include "jezero/core/Error.h"
#include "jezero/core/Logging.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/SceneReader.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <regex>

namespace {

struct Pixel {
    int x = 0;
    int y = 0;
};

Pixel parsePixel(const std::string& text) {
    static const std::regex pattern(R"(^\s*(\d+)\s*,\s*(\d+)\s*$)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        throw jezero::Error("--pixel takes X,Y (column, row from 0), not '" + text + "'");
    return {std::stoi(m[1]), std::stoi(m[2])};
}

void printInfo(const jezero::SpectralCube& cube, bool json) {
    const auto info = jezero::cli::sceneInfoJson(cube);
    if (json) {
        std::cout << info.dump(2) << '\n';
        return;
    }
    for (const auto& [key, value] : info.items())
        std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << '\n';
}

void printSpectrum(const std::string& scene, const std::string& pixelText, bool json) {
    const Pixel p = parsePixel(pixelText);
    const auto s = jezero::io::readPixelSpectrum(scene, p.x, p.y);
    if (json)
        std::cout << jezero::cli::spectrumJson(s.wavelengthsNm, s.values, p.x, p.y).dump(2) << '\n';
    else
        std::cout << jezero::cli::spectrumCsv(s.wavelengthsNm, s.values);
}

// What the window shows, as files: composite PNG, scene info and one spectrum.
void render(const std::string& scene, const std::string& outDir, const std::string& pixelText, double low, double high) {
    const auto cube = jezero::io::readScene(scene);
    const Pixel p = pixelText.empty() ? Pixel{cube.width() / 2, cube.height() / 2} : parsePixel(pixelText);
    if (!cube.contains(p.x, p.y))
        throw jezero::Error("pixel " + pixelText + " is outside the " + std::to_string(cube.width()) + "x" +
                            std::to_string(cube.height()) + " scene");
    std::filesystem::create_directories(outDir);
    const auto rgb = jezero::defaultRgbChannels(cube.wavelengthsNm());
    jezero::io::writePng(outDir + "/composite.png", jezero::renderComposite(cube, rgb, {low, high}));
    const float* s = cube.spectrum(p.x, p.y);
    const std::vector<float> values(s, s + cube.bands());
    auto info = jezero::cli::sceneInfoJson(cube);
    info["composite"] = {{"name", rgb.name}, {"wavelengths_nm", rgb.wavelengthsNm}, {"stretch_percent", {low, high}}};
    jezero::writeTextFileAtomically(outDir + "/info.json", info.dump(2) + "\n");
    jezero::writeTextFileAtomically(outDir + "/spectrum.json",
                                    jezero::cli::spectrumJson(cube.wavelengthsNm(), values, p.x, p.y).dump(2) + "\n");
    jezero::writeTextFileAtomically(outDir + "/spectrum.csv", jezero::cli::spectrumCsv(cube.wavelengthsNm(), values));
    std::cout << "wrote composite.png (" << rgb.name << "), info.json, spectrum.json, spectrum.csv (pixel " << p.x << ","
              << p.y << ") to " << outDir << '\n';
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Jezero: CRISM scenes from the command line"};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log debug messages to stderr");

    std::string scene, pixel, outDir;
    bool json = false;
    double low = 2.0, high = 98.0;

    auto* info = app.add_subcommand("info", "Product id, size, bands, wavelength range, CRS, no-data count");
    info->add_option("SCENE", scene, "Scene file (.img, .lbl, .hdr or .tif)")->required();
    info->add_flag("--json", json, "Print JSON");

    auto* spectrum = app.add_subcommand("spectrum", "Wavelengths (nm) and values of one pixel");
    spectrum->add_option("SCENE", scene, "Scene file")->required();
    spectrum->add_option("--pixel", pixel, "X,Y: column (sample) and row (line), from 0")->required();
    spectrum->add_flag("--json", json, "Print JSON (NaN as null); CSV otherwise");

    auto* renderCmd = app.add_subcommand("render", "Write what the window shows: composite PNG, info and a spectrum");
    renderCmd->add_option("SCENE", scene, "Scene file")->required();
    renderCmd->add_option("--out", outDir, "Output directory")->required();
    renderCmd->add_option("--pixel", pixel, "X,Y of the spectrum (default: the centre)");
    renderCmd->add_option("--stretch-low", low, "Lower percent clip")->check(CLI::Range(0.0, 100.0));
    renderCmd->add_option("--stretch-high", high, "Upper percent clip")->check(CLI::Range(0.0, 100.0));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    jezero::initLogging("jezero-cli", verbose);
    try {
        if (*info) printInfo(jezero::io::readScene(scene), json);
        else if (*spectrum) printSpectrum(scene, pixel, json);
        else if (*renderCmd) render(scene, outDir, pixel, low, high);
        return 0;
    } catch (const std::exception& e) {
        spdlog::debug("failed: {}", e.what());
        std::cerr << "jezero-cli: error: " << e.what() << '\n';
        return 1;
    }
}
