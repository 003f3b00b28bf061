#include "jezero/io/EnviWriter.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace jezero::io {
namespace {

constexpr float kNoData = 65535.0f;

std::string list(const std::vector<double>& values) {
    std::ostringstream out;
    out << '{';
    char number[32];
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::snprintf(number, sizeof number, "%.4f", values[i]);
        out << (i ? ", " : "") << number;
    }
    out << '}';
    return out.str();
}

std::string header(int width, int height, const std::vector<std::string>& names, const std::vector<double>& wavelengths,
                   const std::vector<double>& fwhm, const SceneMetadata& georeference, const std::string& description) {
    std::ostringstream h;
    h << "ENVI\n";
    h << "description = {" << description << "}\n";
    h << "samples = " << width << "\nlines = " << height << "\nbands = " << names.size() << "\n";
    h << "header offset = 0\nfile type = ENVI Standard\ndata type = 4\ninterleave = bil\nbyte order = 0\n";
    h << "data ignore value = 65535\n";
    if (georeference.geoTransform) {
        const auto& g = *georeference.geoTransform;
        char info[256];
        std::snprintf(info, sizeof info, "map info = {Equidistant Cylindrical, 1.0, 1.0, %.6f, %.6f, %.6f, %.6f, units=Meters}\n", g[0], g[3],
                      g[1], -g[5]);
        h << info;
    }
    if (!georeference.crsWkt.empty()) h << "coordinate system string = {" << georeference.crsWkt << "}\n";
    if (!wavelengths.empty()) {
        h << "wavelength units = Nanometers\nwavelength = " << list(wavelengths) << "\n";
        if (fwhm.size() == wavelengths.size()) h << "fwhm = " << list(fwhm) << "\n";
    }
    h << "band names = {";
    for (std::size_t i = 0; i < names.size(); ++i) h << (i ? ", " : "") << names[i];
    h << "}\n";
    return h.str();
}

// Writes value(x, y, band) as BIL float32 little-endian, NaN as 65535.
template <class ValueAt>
void writeBil(const std::string& path, int width, int height, int bands, ValueAt value) {
    writeFileAtomically(path, [&](const std::string& temp) {
        std::ofstream out(temp, std::ios::binary);
        std::vector<float> line(static_cast<std::size_t>(width));
        for (int y = 0; y < height; ++y)
            for (int b = 0; b < bands; ++b) {
                for (int x = 0; x < width; ++x) {
                    const float v = value(x, y, b);
                    line[x] = std::isnan(v) ? kNoData : v;
                }
                // The files are little-endian; so is every machine Jezero builds on (x86-64, arm64).
                out.write(reinterpret_cast<const char*>(line.data()), static_cast<std::streamsize>(line.size() * sizeof(float)));
            }
        out.close();
        if (!out) throw Error("write failed (disk full or no permission?)");
    });
}

std::string headerPath(const std::string& imgPath) {
    std::filesystem::path p(imgPath);
    p.replace_extension(".hdr");
    return p.string();
}

} // namespace

void writeEnviCube(const std::string& imgPath, const SpectralCube& cube, const std::string& description) {
    std::vector<std::string> names;
    for (double w : cube.wavelengthsNm()) {
        char name[32];
        std::snprintf(name, sizeof name, "%.2f nm", w);
        names.push_back(name);
    }
    writeBil(imgPath, cube.width(), cube.height(), cube.bands(), [&](int x, int y, int b) { return cube.value(x, y, b); });
    writeTextFileAtomically(headerPath(imgPath),
                            header(cube.width(), cube.height(), names, cube.wavelengthsNm(), cube.fwhmNm(), cube.metadata(), description));
}

void writeEnviImage(const std::string& imgPath, const ImageStack& image, const SceneMetadata& georeference, const std::string& description) {
    writeBil(imgPath, image.width, image.height, image.channels(), [&](int x, int y, int c) { return image.at(x, y, c); });
    writeTextFileAtomically(headerPath(imgPath), header(image.width, image.height, image.channelNames, {}, {}, georeference, description));
}

} // namespace jezero::io
