#pragma once
// Which file to hand to GDAL for a path the user gave (.img, .lbl, .hdr, .tif), and the other half
// of a CRISM VNIR (S) + IR (L) pair when it lies beside it. No I/O beyond looking at the directory.
#include <optional>
#include <string>

namespace jezero::io {

enum class SceneFormat { Pds3, Envi, GeoTiff };

struct SceneFile {
    SceneFormat format = SceneFormat::Envi;
    std::string openPath;   // what GDAL opens: the .lbl (PDS3), the data file (ENVI), the .tif
    std::string userPath;   // as given
};

// The file beside path with another extension (".hdr"), in the lower- or upper-case spelling PDS
// volumes use; empty when there is none.
std::optional<std::string> siblingFile(const std::string& path, const std::string& extension);

// Throws Error with a one-line reason: missing file, a directory, an empty file, an unknown
// extension, an .img with neither .hdr nor .lbl beside it.
SceneFile resolveSceneFile(const std::string& path);

// Parts of a CRISM product name such as frt0001458f_01_if156s_trr3: the class (frt), observation id,
// counter, activity (if156), sensor (s or l) and the rest (_trr3). Empty when the name is not one.
struct CrismProductName {
    std::string observationClass; // "FRT"
    std::string observationId;    // "0001458F"
    std::string counter;          // "01"
    std::string activity;         // "IF156"
    char sensor = 0;              // 'S', 'L', 'J', ... upper case
};
std::optional<CrismProductName> parseCrismProductName(const std::string& path);

// The other detector's file of the same segment (same class, id, counter, activity, suffix, with s↔l
// swapped) when it exists beside path, resolved the same way; else empty.
std::optional<SceneFile> findDetectorPartner(const std::string& path);

} // namespace jezero::io
