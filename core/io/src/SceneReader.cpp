#include "jezero/io/SceneReader.h"

#include "EnviHeader.h"
#include "GdalUtil.h"
#include "OgrGeolocator.h"
#include "Pds3Label.h"
#include "RawCubeReader.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"
#include "jezero/core/WavelengthTable.h"
#include "jezero/io/CassisReader.h"
#include "jezero/io/ScenePaths.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace jezero::io {
namespace {

constexpr float kCrismNoData = 65535.0f;
constexpr int kMtrdrChannels = 489;

struct DatasetCloser {
    void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

// One file's contribution to a cube: its GDAL bands (1-based) in ascending wavelength order.
struct Part {
    SceneFile file;
    DatasetPtr dataset;
    std::vector<int> bands;
    std::vector<double> wavelengthsNm;
    std::vector<double> fwhmNm; // empty when unknown
    std::vector<double> noDataValues;
    SceneMetadata metadata;
};

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

std::string gdalMessage() {
    const std::string message = detail::lastGdalError();
    return message.empty() ? "GDAL could not read it" : message;
}

// The data file a PDS3 label points to (^IMAGE = "NAME.IMG" or ("NAME.IMG", record)) must be a regular
// file: GDAL would block forever opening a FIFO of that name.
void requireRegularPds3Image(const SceneFile& file) {
    const auto pointer = detail::Pds3Label::read(file.openPath).find("^IMAGE");
    if (!pointer) return;
    const auto items = detail::Pds3Label::listItems(*pointer);
    const std::string name = items.empty() ? *pointer : items.front();
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return; // an offset in the label file itself
    const fs::path directory = fs::path(file.openPath).parent_path();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory.empty() ? fs::path(".") : directory, ec))
        if (upper(entry.path().filename().string()) == upper(name) && !entry.is_regular_file(ec))
            throw Error("cannot read " + file.userPath + ": its image file " + entry.path().filename().string() + " is not a regular file");
}

// Refuses a cube that cannot fit in memory before allocating it (a header with absurd dimensions
// would otherwise end in a bare allocation failure).
void requireMemoryFor(const std::string& path, int width, int height, std::size_t bands) {
    const double bytes = static_cast<double>(width) * height * static_cast<double>(bands) * sizeof(float);
    double available = 0;
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit)
        if (key == "MemAvailable:") available = kib * 1024;
    if (available <= 0) available = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
    if (bytes > available)
        throw Error("cannot read " + path + ": " + std::to_string(width) + " × " + std::to_string(height) + " × " + std::to_string(bands) + " values need " +
                    std::to_string(static_cast<long long>(bytes / (1 << 20))) + " MiB, more than the " +
                    std::to_string(static_cast<long long>(available / (1 << 20))) + " MiB of memory available");
}

// The ENVI header's layout keys, checked before GDAL reads them: GDAL takes "samples = 4294967297" as
// 1, and an unknown byte order or interleave as a default, so a damaged header would read wrong data.
void validateEnviHeader(const SceneFile& file) {
    const fs::path user(file.userPath);
    const std::string header = upper(user.extension().string()) == ".HDR" ? file.userPath : siblingFile(file.openPath, ".hdr").value_or("");
    std::ifstream in(header);
    if (!in) return; // GDAL says what is missing
    detail::checkEnviLayout(detail::readEnviHeaderKeys(in), file.userPath, fs::path(header).filename().string());
}

DatasetPtr openDataset(const SceneFile& file) {
    if (file.format == SceneFormat::Pds3) requireRegularPds3Image(file);
    if (file.format == SceneFormat::Envi) validateEnviHeader(file);
    const char* pds[] = {"PDS", nullptr};
    const char* envi[] = {"ENVI", nullptr};
    const char* gtiff[] = {"GTiff", nullptr};
    const char* const* drivers = file.format == SceneFormat::Pds3 ? pds : file.format == SceneFormat::Envi ? envi : gtiff;
    DatasetPtr ds(detail::openRasterQuietly(file.openPath, drivers).release());
    if (!ds) {
        const char* kind = file.format == SceneFormat::Pds3 ? "a PDS3 image" : file.format == SceneFormat::Envi ? "an ENVI cube" : "a GeoTIFF";
        const std::string why = detail::lastGdalError();
        throw Error("cannot read " + file.userPath + ": not " + std::string(kind) + (why.empty() ? "" : " (" + why + ")"));
    }
    if (ds->GetRasterCount() == 0) throw Error("cannot read " + file.userPath + ": it has no raster bands");
    return ds;
}

std::uintmax_t fileSize(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
}

std::uintmax_t imageBytes(GDALDataset& ds) {
    const auto sampleBytes = static_cast<std::uintmax_t>(GDALGetDataTypeSizeBytes(ds.GetRasterBand(1)->GetRasterDataType()));
    return static_cast<std::uintmax_t>(ds.GetRasterXSize()) * ds.GetRasterYSize() * ds.GetRasterCount() * sampleBytes;
}

// Raw formats read past the end of a short file as zeros; refuse such a file up front.
void checkRawFileLength(const Part& part, std::uintmax_t imageStart, const std::string& dataPath) {
    const std::uintmax_t expected = imageStart + imageBytes(*part.dataset);
    const std::uintmax_t actual = fileSize(dataPath);
    if (actual < expected)
        throw Error("cannot read " + part.file.userPath + ": " + fs::path(dataPath).filename().string() + " is truncated (" +
                    std::to_string(actual) + " bytes; the label describes " + std::to_string(expected) + ")");
    // Twice the data or more: the values are wider than the label says (float32 described as bytes or
    // 16-bit integers), and reading them as described would give noise without an error.
    const std::uintmax_t data = expected - imageStart;
    if (data > 0 && actual - imageStart >= 2 * data)
        throw Error("cannot read " + part.file.userPath + ": " + fs::path(dataPath).filename().string() + " holds " +
                    std::to_string((actual - imageStart) / data) + " times the " + std::to_string(data) +
                    " bytes of image its label describes: is the data type right?");
}

std::string dataFileOf(GDALDataset& ds, const std::string& fallback) {
    char** files = ds.GetFileList();
    std::string data = fallback;
    if (files && files[0] && files[1]) data = files[1]; // [0] is the label/header, [1] the data file
    CSLDestroy(files);
    return data;
}

void setOrder(Part& part, const std::vector<double>& wavelengths, std::vector<double> fwhm) {
    auto order = detail::spectralOrder(wavelengths, std::move(fwhm), part.dataset->GetRasterCount(), part.file.userPath);
    part.bands = std::move(order.bands);
    part.wavelengthsNm = std::move(order.wavelengthsNm);
    part.fwhmNm = std::move(order.fwhmNm);
}

void describeFromName(Part& part) {
    part.metadata.productId = upper(fs::path(part.file.userPath).stem().string());
    if (const auto name = parseCrismProductName(part.file.userPath)) {
        part.metadata.observationType = name->observationClass;
        part.metadata.sensor = std::string(1, name->sensor);
    }
}

// ---- PDS3: the label names detector rows (ROWNUM table); the bundled tables give their wavelengths.
void describePds3(Part& part) {
    const auto label = detail::Pds3Label::read(part.file.openPath);
    const std::string& user = part.file.userPath;
    describeFromName(part);
    if (auto id = label.find("PRODUCT_ID")) part.metadata.productId = upper(*id);
    if (auto type = label.find("OBSERVATION_TYPE")) part.metadata.observationType = upper(*type);
    if (auto sensor = label.find("MRO:SENSOR_ID")) part.metadata.sensor = upper(*sensor);
    part.metadata.format = "PDS3";

    const std::string dataPath = dataFileOf(*part.dataset, part.file.openPath);
    const auto recordBytes = label.find("RECORD_BYTES");
    const auto imagePointer = label.find("^IMAGE");
    const auto rownumPointer = label.find("^ROWNUM_TABLE");
    const auto rows = label.find("ROWNUM_TABLE/ROWS");
    if (!recordBytes || !imagePointer || !rownumPointer || !rows)
        throw Error("cannot read " + user + ": the label has no ROWNUM_TABLE (detector rows), so the bands have no wavelengths");
    const std::uintmax_t record = std::strtoull(recordBytes->c_str(), nullptr, 10);
    // A pointer's start in its file: ("X.IMG", 3) is record 3, ("X.IMG", 1025 <BYTES>) byte 1025, a bare
    // 3 record 3 of this file, a bare name its start; record and byte numbers count from 1.
    const auto recordOffset = [&](const std::string& pointer) -> std::uintmax_t {
        const auto items = detail::Pds3Label::listItems(pointer);
        std::string where = items.size() >= 2 ? items[1] : "";
        if (items.size() == 1 && !items[0].empty() && std::isdigit(static_cast<unsigned char>(items[0][0]))) where = items[0];
        if (where.empty()) return 0;
        char* end = nullptr;
        errno = 0;
        const unsigned long long n = std::strtoull(where.c_str(), &end, 10);
        const bool bytes = where.find("<BYTES>") != std::string::npos;
        if (n < 1 || errno == ERANGE || (!bytes && (record == 0 || n - 1 > std::numeric_limits<std::uintmax_t>::max() / record)))
            throw Error("cannot read " + user + ": the label's pointer " + pointer + " names no record or byte from 1 on");
        return bytes ? n - 1 : (n - 1) * record;
    };
    const std::uintmax_t imageStart = recordOffset(*imagePointer);
    checkRawFileLength(part, imageStart, dataPath);
    const std::uintmax_t tableStart = recordOffset(*rownumPointer);
    const std::uintmax_t imageEnd = imageStart + imageBytes(*part.dataset);
    if (tableStart < imageEnd || tableStart >= imageEnd + record)
        throw Error("cannot read " + user + ": the label's image size does not fit its layout (image ends at byte " +
                    std::to_string(imageEnd) + ", ROWNUM table starts at " + std::to_string(tableStart) + ")");

    const int rowCount = std::atoi(rows->c_str());
    if (rowCount != part.dataset->GetRasterCount())
        throw Error("cannot read " + user + ": ROWNUM table has " + std::to_string(rowCount) + " rows for " +
                    std::to_string(part.dataset->GetRasterCount()) + " bands");
    unsigned mask = 0xFFFF;
    if (auto m = label.find("ROWNUM_TABLE/COLUMN/BIT_MASK"); m && m->rfind("2#", 0) == 0)
        mask = static_cast<unsigned>(std::strtoul(m->substr(2).c_str(), nullptr, 2));
    std::ifstream in(dataPath, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(tableStart));
    std::vector<unsigned char> bytes(static_cast<std::size_t>(rowCount) * 2);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        throw Error("cannot read " + user + ": the ROWNUM table is cut off");

    const std::string& sensor = part.metadata.sensor;
    if (sensor != "S" && sensor != "L")
        throw Error("cannot read " + user + ": sensor '" + sensor + "' has no detector-row wavelength table (S or L expected)");
    const std::string table = resourcePath(sensor == "S" ? "crism/wavelengths/trr3_S_band_wavelengths_107.csv"
                                                         : "crism/wavelengths/trr3_L_band_wavelengths_438.csv");
    const auto rowWavelengths = readDetectorRowWavelengths(table);
    std::vector<double> wavelengths;
    for (int i = 0; i < rowCount; ++i) {
        const int row = static_cast<int>(((bytes[2 * i] << 8) | bytes[2 * i + 1]) & mask); // MSB_UNSIGNED_INTEGER
        const auto it = rowWavelengths.find(row);
        if (it == rowWavelengths.end())
            throw Error("cannot read " + user + ": detector row " + std::to_string(row) + " has no nominal wavelength");
        wavelengths.push_back(it->second);
    }
    setOrder(part, std::move(wavelengths), {});
    part.metadata.wavelengthsFromBundledTable = true; // detector rows → nominal wavelengths: the bundled TRR3 tables
    part.noDataValues.push_back(kCrismNoData);
}

// ---- ENVI: the header's wavelength list (MTRDR carries it; "wavelength units" says nm or µm).
void describeEnvi(Part& part) {
    GDALDataset& ds = *part.dataset;
    describeFromName(part);
    part.metadata.format = "ENVI";
    const char* offset = ds.GetMetadataItem("header_offset", "ENVI");
    checkRawFileLength(part, offset ? std::strtoull(offset, nullptr, 10) : 0, part.file.openPath); // openPath is the data file
    const char* wavelengthText = ds.GetMetadataItem("wavelength", "ENVI");
    const char* units = ds.GetMetadataItem("wavelength_units", "ENVI");
    const char* fwhmText = ds.GetMetadataItem("fwhm", "ENVI");
    if (const char* ignore = ds.GetMetadataItem("data_ignore_value", "ENVI")) part.noDataValues.push_back(std::atof(ignore));
    if (!wavelengthText) return;
    std::vector<double> wavelengths, fwhm;
    try {
        wavelengths = detail::parseNumberList(wavelengthText);
        if (fwhmText) fwhm = detail::parseNumberList(fwhmText);
    } catch (const Error& e) {
        throw Error("cannot read " + part.file.userPath + ": bad wavelength list in the header: " + e.what());
    }
    detail::toNanometres(wavelengths, units ? units : "", &fwhm);
    setOrder(part, std::move(wavelengths), std::move(fwhm));
}

// ---- Any format: per-band "wavelength" metadata (GDAL's convention for spectral bands).
void describeFromBandMetadata(Part& part) {
    std::vector<double> wavelengths;
    for (int b = 1; b <= part.dataset->GetRasterCount(); ++b) {
        GDALRasterBand* band = part.dataset->GetRasterBand(b);
        const char* w = band->GetMetadataItem("wavelength");
        if (!w) w = band->GetMetadataItem("WAVELENGTH");
        if (!w) return;
        wavelengths.push_back(std::atof(w));
    }
    const char* units = part.dataset->GetRasterBand(1)->GetMetadataItem("wavelength_units");
    detail::toNanometres(wavelengths, units ? units : "");
    setOrder(part, std::move(wavelengths), {});
}

void useBundledMtrdrAxis(Part& part) {
    const int count = part.dataset->GetRasterCount();
    if (count != kMtrdrChannels)
        throw Error("cannot read " + part.file.userPath + ": no wavelengths in the file, and its " + std::to_string(count) +
                    " bands are not the " + std::to_string(kMtrdrChannels) + "-channel MTRDR grid");
    const auto axis = readMtrdrAxisTable(resourcePath("crism/wavelengths/mtrdr_axis.tab"));
    spdlog::warn("{} has no wavelengths of its own: using the bundled MTRDR wavelength table ({} channels)",
                 part.file.userPath, count);
    setOrder(part, axis.wavelengthsNm, axis.fwhmNm);
    part.metadata.wavelengthsFromBundledTable = true;
}

void describeGeoreference(Part& part) {
    const SceneMetadata georeference = detail::georeferenceOf(*part.dataset);
    part.metadata.crsWkt = georeference.crsWkt;
    part.metadata.geoTransform = georeference.geoTransform;
}

Part openPart(const SceneFile& file) {
    Part part{file, openDataset(file), {}, {}, {}, {}, {}};
    part.metadata.sourcePath = file.userPath;
    switch (file.format) {
    case SceneFormat::Pds3:
        describePds3(part);
        break;
    case SceneFormat::Envi:
        describeEnvi(part);
        break;
    case SceneFormat::GeoTiff:
        describeFromName(part);
        part.metadata.format = "GTiff";
        break;
    }
    if (part.bands.empty()) describeFromBandMetadata(part);
    if (part.bands.empty()) useBundledMtrdrAxis(part);
    for (int b = 1; b <= part.dataset->GetRasterCount(); ++b) {
        int has = 0;
        const double nd = part.dataset->GetRasterBand(b)->GetNoDataValue(&has);
        if (has && std::find(part.noDataValues.begin(), part.noDataValues.end(), nd) == part.noDataValues.end())
            part.noDataValues.push_back(nd);
    }
    describeGeoreference(part);
    return part;
}

// Keeps the part's channels inside [minNm, maxNm].
void keepRange(Part& part, double minNm, double maxNm) {
    Part kept{part.file, std::move(part.dataset), {}, {}, {}, part.noDataValues, part.metadata};
    for (std::size_t i = 0; i < part.bands.size(); ++i) {
        if (part.wavelengthsNm[i] < minNm || part.wavelengthsNm[i] > maxNm) continue;
        kept.bands.push_back(part.bands[i]);
        kept.wavelengthsNm.push_back(part.wavelengthsNm[i]);
        if (!part.fwhmNm.empty()) kept.fwhmNm.push_back(part.fwhmNm[i]);
    }
    part = std::move(kept);
}

// Rows of 16 MiB of values: the unit a read or mask step takes before it looks for a cancel, short
// enough that closing the window during a read of gigabytes is never waited on.
int rowsPerChunk(int width, int bands) { return std::max(1, static_cast<int>((16ll << 20) / (static_cast<long long>(width) * bands * 4))); }

void readPart(Part& part, SpectralCube& cube, int firstBand, const ReadOptions& options, TaskControl* control, double progressStart,
              double progressSpan) {
    GDALDataset& ds = *part.dataset;
    const int width = cube.width();
    const int height = cube.height();
    const auto bands = static_cast<GSpacing>(cube.bands());
    const int chunk = rowsPerChunk(width, cube.bands());
    const auto raw = options.directRawRead ? detail::RawCubeReader::open(ds, part.file.userPath) : nullptr;
    for (int y0 = 0; y0 < height; y0 += chunk) {
        if (control) control->throwIfCanceled();
        const int rows = std::min(chunk, height - y0);
        float* target = cube.spectrum(0, y0) + firstBand;
        if (raw) {
            raw->readRows(y0, rows, part.bands, target, static_cast<std::size_t>(bands));
        } else {
            CPLErrorReset();
            const CPLErr err = ds.RasterIO(GF_Read, 0, y0, width, rows, target, width, rows, GDT_Float32,
                                           static_cast<int>(part.bands.size()), part.bands.data(), bands * 4,
                                           bands * 4 * width, 4, nullptr);
            if (err != CE_None) throw Error("cannot read " + part.file.userPath + ": " + gdalMessage());
        }
        if (control)
            control->setProgress(progressStart + progressSpan * (y0 + rows) / height, "reading " + fs::path(part.file.userPath).filename().string());
    }
}

// The files of a scene, opened and described, ready to read.
struct OpenedScene {
    std::vector<Part> parts;
    std::vector<double> wavelengthsNm;
    std::vector<double> fwhmNm; // empty unless every part has FWHM
    std::vector<double> noDataValues;
    SceneMetadata metadata;
    int width = 0;
    int height = 0;
};

OpenedScene openScene(const std::string& path, const ReadOptions& options) {
    detail::registerDrivers();
    OpenedScene scene;
    auto& parts = scene.parts;
    parts.push_back(openPart(resolveSceneFile(path)));
    if (options.joinDetectorPair) {
        if (auto partner = findDetectorPartner(path)) {
            parts.push_back(openPart(*partner));
            if (parts[0].metadata.sensor == "L") std::swap(parts[0], parts[1]); // VNIR first
            auto& a = *parts[0].dataset;
            auto& b = *parts[1].dataset;
            if (a.GetRasterXSize() != b.GetRasterXSize() || a.GetRasterYSize() != b.GetRasterYSize())
                throw Error("cannot join " + parts[0].file.userPath + " and " + parts[1].file.userPath + ": sizes differ");
            keepRange(parts[0], 0.0, kJoinVnirMaxNm);
            keepRange(parts[1], kJoinIrMinNm, 1e9);
        }
    }
    bool allFwhm = true;
    for (const Part& p : parts) {
        scene.wavelengthsNm.insert(scene.wavelengthsNm.end(), p.wavelengthsNm.begin(), p.wavelengthsNm.end());
        scene.fwhmNm.insert(scene.fwhmNm.end(), p.fwhmNm.begin(), p.fwhmNm.end());
        scene.noDataValues.insert(scene.noDataValues.end(), p.noDataValues.begin(), p.noDataValues.end());
        allFwhm = allFwhm && p.fwhmNm.size() == p.wavelengthsNm.size();
    }
    if (!allFwhm) scene.fwhmNm.clear();
    if (scene.wavelengthsNm.empty()) throw Error("cannot read " + path + ": no channels to read");
    scene.width = parts[0].dataset->GetRasterXSize();
    scene.height = parts[0].dataset->GetRasterYSize();

    scene.metadata = parts[0].metadata;
    if (parts.size() == 2) {
        scene.metadata.productId = parts[0].metadata.productId + "+" + parts[1].metadata.productId;
        scene.metadata.sensor = "J";
        scene.metadata.sourcePath = parts[0].file.userPath;
        scene.metadata.pairedPath = parts[1].file.userPath;
    }
    return scene;
}

} // namespace

SpectralCube readScene(const std::string& path, const ReadOptions& options, TaskControl* control) {
    if (isCassisProduct(path)) return readCassisImage(path, options, control);
    OpenedScene scene = openScene(path, options);
    requireMemoryFor(path, scene.width, scene.height, scene.wavelengthsNm.size());
    // Every value is written by the parts' reads, so none is set first: filling gigabytes with NaN
    // could not be canceled.
    SpectralCube cube(scene.width, scene.height, scene.wavelengthsNm, SpectralCube::Unset{});
    cube.setFwhmNm(scene.fwhmNm);
    int firstBand = 0;
    const std::size_t count = scene.parts.size();
    for (std::size_t i = 0; i < count; ++i) {
        readPart(scene.parts[i], cube, firstBand, options, control, 0.9 * i / count, 0.9 / count);
        firstBand += static_cast<int>(scene.parts[i].bands.size());
    }
    const std::size_t rowValues = static_cast<std::size_t>(cube.width()) * static_cast<std::size_t>(cube.bands());
    const int rows = rowsPerChunk(cube.width(), cube.bands());
    for (int y0 = 0; y0 < cube.height(); y0 += rows) {
        if (control) control->throwIfCanceled();
        detail::maskInvalid(cube.spectrum(0, y0), rowValues * static_cast<std::size_t>(std::min(rows, cube.height() - y0)), scene.noDataValues, options);
    }

    SceneMetadata& metadata = scene.metadata;
    detail::attachGeolocator(cube, metadata);
    cube.metadata() = std::move(metadata);
    spdlog::info("read {} ({}x{}, {} bands, {:.1f}-{:.1f} nm)", path, cube.width(), cube.height(), cube.bands(),
                 cube.wavelengthsNm().front(), cube.wavelengthsNm().back());
    if (control) control->setProgress(1.0, "read");
    return cube;
}

std::vector<std::string> sceneFiles(const std::string& path, const ReadOptions& options) {
    std::vector<std::string> files{path};
    if (isCassisProduct(path)) return files;
    OpenedScene scene = openScene(path, options);
    for (const Part& part : scene.parts) {
        files.push_back(part.file.openPath);
        char** list = part.dataset->GetFileList();
        for (char** f = list; f && *f; ++f) files.emplace_back(*f);
        CSLDestroy(list);
    }
    return files;
}

bool readsRawLayout(const std::string& path, const ReadOptions& options) {
    if (!options.directRawRead || isCassisProduct(path)) return false;
    OpenedScene scene = openScene(path, options);
    return std::all_of(scene.parts.begin(), scene.parts.end(),
                       [](const Part& part) { return detail::RawCubeReader::open(*part.dataset, part.file.userPath) != nullptr; });
}

PixelSpectrum readPixelSpectrum(const std::string& path, int x, int y, const ReadOptions& options) {
    if (isCassisProduct(path)) { // four values a pixel: the whole image is small enough to read
        SpectralCube cube = readCassisImage(path, options);
        if (!cube.contains(x, y))
            throw Error("pixel " + std::to_string(x) + "," + std::to_string(y) + " is outside the " + std::to_string(cube.width()) + "x" +
                        std::to_string(cube.height()) + " image (X is the column, Y the row, both from 0)");
        return {cube.wavelengthsNm(), std::vector<float>(cube.spectrum(x, y), cube.spectrum(x, y) + cube.bands()), cube.metadata()};
    }
    OpenedScene scene = openScene(path, options);
    if (x < 0 || y < 0 || x >= scene.width || y >= scene.height)
        throw Error("pixel " + std::to_string(x) + "," + std::to_string(y) + " is outside the " + std::to_string(scene.width) +
                    "x" + std::to_string(scene.height) + " scene (X is the column, Y the row, both from 0)");
    PixelSpectrum spectrum;
    spectrum.wavelengthsNm = scene.wavelengthsNm;
    spectrum.values.resize(scene.wavelengthsNm.size());
    std::size_t firstBand = 0;
    for (Part& part : scene.parts) {
        CPLErrorReset();
        if (part.dataset->RasterIO(GF_Read, x, y, 1, 1, spectrum.values.data() + firstBand, 1, 1, GDT_Float32,
                                   static_cast<int>(part.bands.size()), part.bands.data(), 0, 0, 4, nullptr) != CE_None)
            throw Error("cannot read " + part.file.userPath + ": " + gdalMessage());
        firstBand += part.bands.size();
    }
    detail::maskInvalid(spectrum.values.data(), spectrum.values.size(), scene.noDataValues, options);
    spectrum.metadata = std::move(scene.metadata);
    return spectrum;
}

} // namespace jezero::io
