#include "jezero/io/ScenePaths.h"

#include "jezero/core/Error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

namespace fs = std::filesystem;

namespace jezero::io {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

} // namespace

std::optional<std::string> siblingFile(const std::string& path, const std::string& ext) {
    for (const auto& e : {lower(ext), upper(ext)}) {
        fs::path candidate(path);
        candidate.replace_extension(e);
        if (fs::is_regular_file(candidate)) return candidate.string();
    }
    return std::nullopt;
}

SceneFile resolveSceneFile(const std::string& userPath) {
    const fs::path path(userPath);
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error("cannot open " + userPath + ": no such file");
    if (fs::is_directory(path, ec)) throw Error("cannot open " + userPath + ": it is a directory, not a scene file");
    // A FIFO, socket or device would block the reader or never end: only regular files are read.
    if (!fs::is_regular_file(path, ec)) throw Error("cannot open " + userPath + ": not a regular file");
    if (fs::file_size(path, ec) == 0) throw Error("cannot open " + userPath + ": the file is empty");

    const std::string ext = lower(path.extension().string());
    if (ext == ".lbl") return {SceneFormat::Pds3, userPath, userPath};
    if (ext == ".tif" || ext == ".tiff") return {SceneFormat::GeoTiff, userPath, userPath};
    if (ext == ".hdr") {
        for (const char* dataExt : {".img", ".dat", ".bin"})
            if (auto data = siblingFile(userPath, dataExt)) return {SceneFormat::Envi, *data, userPath};
        fs::path bare = path; // ENVI also allows a data file with no extension at all
        bare.replace_extension();
        if (fs::is_regular_file(bare)) return {SceneFormat::Envi, bare.string(), userPath};
        throw Error("cannot open " + userPath + ": no data file (.img) beside the ENVI header");
    }
    if (ext == ".img") {
        // An ENVI header (MTRDR products and converted cubes carry the wavelength list there) wins
        // over a PDS3 label, which names detector rows only.
        if (siblingFile(userPath, ".hdr")) return {SceneFormat::Envi, userPath, userPath};
        if (auto label = siblingFile(userPath, ".lbl")) return {SceneFormat::Pds3, *label, userPath};
        throw Error("cannot open " + userPath + ": no .hdr or .lbl label beside it");
    }
    throw Error("cannot open " + userPath + ": '" + path.extension().string() +
                "' is not a CRISM scene file (use .img, .lbl, .hdr or .tif)");
}

std::optional<CrismProductName> parseCrismProductName(const std::string& path) {
    static const std::regex pattern(R"(^([a-z]{3})([0-9a-f]{8})_([0-9a-f]{2})_([a-z]{2}[0-9]{3})([a-z])(_.*)?$)",
                                    std::regex::icase);
    const std::string stem = fs::path(path).stem().string();
    std::smatch m;
    if (!std::regex_match(stem, m, pattern)) return std::nullopt;
    return CrismProductName{upper(m[1]), upper(m[2]), m[3], upper(m[4]), static_cast<char>(std::toupper(m[5].str()[0]))};
}

std::optional<SceneFile> findDetectorPartner(const std::string& path) {
    const auto name = parseCrismProductName(path);
    if (!name || (name->sensor != 'S' && name->sensor != 'L')) return std::nullopt;
    const fs::path p(path);
    const std::string stem = p.stem().string();
    // The sensor letter is the character right after the 5-character activity: class(3) id(8) _cc_ aaaaa.
    const std::size_t sensorAt = 3 + 8 + 4 + 5;
    std::string partnerStem = stem;
    const char c = stem[sensorAt];
    const bool wasLower = std::islower(static_cast<unsigned char>(c));
    const char swapped = (name->sensor == 'S') ? 'l' : 's';
    partnerStem[sensorAt] = wasLower ? swapped : static_cast<char>(std::toupper(swapped));
    const fs::path partner = p.parent_path() / (partnerStem + p.extension().string());
    std::error_code ec;
    if (!fs::is_regular_file(partner, ec)) return std::nullopt;
    try {
        return resolveSceneFile(partner.string());
    } catch (const Error&) {
        return std::nullopt;
    }
}

} // namespace jezero::io
