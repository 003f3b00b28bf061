#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace jezero {

struct LatLon {
    double latitudeDeg = 0.0;
    double longitudeDeg = 0.0; // east-positive, in (-180, 180]
};

// What is known about a scene besides its values. Fields a file does not carry stay empty.
struct SceneMetadata {
    std::string productId;       // e.g. FRT0001458F_01_IF156L_TRR3, or the file stem
    std::string observationType; // FRT, HRL, HRS, FRS, ATO, ... (empty when unknown)
    std::string sensor;          // "S" (VNIR), "L" (IR), "J" (joined / MTRDR), empty when unknown
    std::string format;          // "PDS3", "ENVI", "GTiff"
    std::string sourcePath;      // the file the values were read from (first file of a pair)
    std::string pairedPath;      // the second file of a joined VNIR+IR pair, else empty
    std::string crsWkt;          // the file's own CRS (Mars spheres are kept as they are), else empty
    std::optional<std::array<double, 6>> geoTransform; // GDAL order: x0, dx, rx, y0, ry, dy
    std::optional<LatLon> centre;                      // centre of the scene, when georeferenced
    bool wavelengthsFromBundledTable = false;          // the file had none of its own
    std::string instrument;      // "CaSSIS" for a filter image; empty for a CRISM cube
    // A filter image's channel names in channel order (BLU, PAN, RED, NIR for CaSSIS): its "wavelengths"
    // are the filters' nominal centres, not spectrometer channels. Empty for a spectrometer cube.
    std::vector<std::string> filterNames;
    std::string units;           // "I/F", "reflectance" or empty when the file does not say
};

} // namespace jezero
