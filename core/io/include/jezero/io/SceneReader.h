#pragma once
#include "jezero/core/SpectralCube.h"

#include <string>
#include <vector>

namespace jezero {
class TaskControl;
}

namespace jezero::io {

struct ReadOptions {
    // Join a VNIR (S) + IR (L) TRR3 pair of the same segment into one cube, as MTRDR does.
    bool joinDetectorPair = true;
    // Values outside [minValid, maxValid] are bad pixels and become NaN, as do the file's no-data
    // value, CRISM's 65535 and non-finite values. The defaults bound any physical I/F.
    double minValid = -1.0;
    double maxValid = 10.0;
    // Uncompressed files are read straight from their raw layout (several times faster, no GDAL block
    // cache); false reads every file through GDAL's RasterIO, to compare the two.
    bool directRawRead = true;
};

// Reads a CRISM scene (PDS3 TRR3 .lbl/.img, ENVI .hdr/.img incl. MTRDR, GeoTIFF) into one
// pixel-interleaved cube, wavelengths ascending in nm. Throws Error with a one-line message for
// anything it cannot read; TaskCanceled when control is canceled.
SpectralCube readScene(const std::string& path, const ReadOptions& options = {}, TaskControl* control = nullptr);

// One pixel's spectrum read straight from the file(s), without decoding the rest of the cube.
struct PixelSpectrum {
    std::vector<double> wavelengthsNm; // ascending
    std::vector<float> values;         // NaN where invalid
    SceneMetadata metadata;
};
PixelSpectrum readPixelSpectrum(const std::string& path, int x, int y, const ReadOptions& options = {});

// Every file a scene is read from (labels, headers, data files; both detectors of a joined pair): what an
// output must never overwrite.
std::vector<std::string> sceneFiles(const std::string& path, const ReadOptions& options = {});

// Whether readScene reads the scene's values straight from their raw layout (every file of it uncompressed
// and laid out plainly) rather than through GDAL's RasterIO.
bool readsRawLayout(const std::string& path, const ReadOptions& options = {});

// Whether two CRS descriptions (WKT, as SceneMetadata holds them) name the same CRS, however written
// (a PDS4 label and an ENVI header spell the same Mars projection differently). False when either is empty.
bool sameCrs(const std::string& wktA, const std::string& wktB);

// When an MTRDR-like VNIR+IR join keeps channels: VNIR up to this wavelength and IR from the next
// (the MTRDR axis keeps S to 1010.18 nm and L from 1047.20 nm).
constexpr double kJoinVnirMaxNm = 1012.0;
constexpr double kJoinIrMinNm = 1045.0;

} // namespace jezero::io
