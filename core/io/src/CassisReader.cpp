#include "jezero/io/CassisReader.h"

#include "GdalUtil.h"
#include "OgrGeolocator.h"
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Error.h"
#include "jezero/core/Task.h"

#include <gdal_priv.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace jezero::io {
namespace {

struct DatasetCloser {
    void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

// One band of the image: the file it is in, its GDAL band and its filter.
struct FilterBand {
    std::shared_ptr<GDALDataset> dataset;
    std::string path;
    int band = 1;
    std::string filter;
};

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

std::string extensionOf(const std::string& path) { return upper(fs::path(path).extension().string()); }

// A filter named in free text (a band description, a label value): BLU/BLUE, PAN, RED, NIR as a word.
std::optional<std::string> filterNamed(const std::string& text) {
    static const std::regex word(R"((^|[^A-Z])(BLUE|BLU|PAN|RED|NIR)([^A-Z]|$))");
    std::smatch m;
    const std::string u = upper(text);
    if (!std::regex_search(u, m, word)) return std::nullopt;
    return m[2] == "BLUE" ? std::string("BLU") : m[2].str();
}

// The filter token of a CaSSIS file name (CAS-MCO-…-PAN-03005-B1, MY35_…_PAN_…): its position too,
// so the other filters' products of the same observation can be looked for.
struct NameToken {
    std::string filter;
    std::size_t position = 0;
};
std::optional<NameToken> filterInName(const std::string& path) {
    const std::string stem = fs::path(path).stem().string();
    static const std::regex token(R"((^|[-_.])(BLU|PAN|RED|NIR)([-_.]|$))", std::regex::icase);
    std::smatch m;
    if (!std::regex_search(stem, m, token)) return std::nullopt;
    return NameToken{upper(m[2].str()), static_cast<std::size_t>(m.position(2))};
}

std::optional<std::string> filterNearWavelength(double nm) {
    for (const auto& f : cassisNominalFilters())
        if (std::abs(f.centreNm - nm) <= 40.0) return f.name;
    return std::nullopt;
}

std::string readText(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every value of an XML element (with or without a namespace prefix) in document order.
std::vector<std::string> elementValues(const std::string& xml, const std::string& name) {
    std::vector<std::string> values;
    const std::regex element("<(?:[A-Za-z0-9_]+:)?" + name + "(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</(?:[A-Za-z0-9_]+:)?" + name + ">");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), element); it != std::sregex_iterator(); ++it) values.push_back((*it)[1].str());
    return values;
}

std::shared_ptr<GDALDataset> open(const std::string& path) {
    const bool pds4 = extensionOf(path) == ".XML";
    const char* pds4Driver[] = {"PDS4", nullptr};
    const char* gtiffDriver[] = {"GTiff", nullptr};
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error("cannot read " + path + ": no such file");
    if (!fs::is_regular_file(path, ec)) throw Error("cannot read " + path + ": not a regular file");
    DatasetPtr ds(detail::openRasterQuietly(path, pds4 ? pds4Driver : gtiffDriver).release());
    if (!ds) {
        const std::string why = detail::lastGdalError();
        throw Error("cannot read " + path + ": not a " + (pds4 ? "PDS4 image product" : "GeoTIFF") + (why.empty() ? "" : " (" + why + ")"));
    }
    if (ds->GetRasterCount() == 0) throw Error("cannot read " + path + ": it has no raster bands");
    return std::shared_ptr<GDALDataset>(ds.release(), DatasetCloser());
}

// A band's filter from its metadata: a filter item, else a centre wavelength within 40 nm of a filter's.
std::optional<std::string> filterFromBandMetadata(GDALRasterBand* band) {
    for (const char* key : {"filter", "FILTER", "filter_name", "FILTER_NAME"})
        if (band->GetMetadataItem(key))
            if (auto filter = filterNamed(band->GetMetadataItem(key))) return filter;
    for (const char* key : {"wavelength", "WAVELENGTH", "center_wavelength", "CENTRAL_WAVELENGTH_UM"})
        if (band->GetMetadataItem(key)) {
            double nm = std::atof(band->GetMetadataItem(key));
            if (nm > 0 && nm < 10) nm *= 1000; // µm
            if (auto filter = filterNearWavelength(nm)) return filter;
        }
    return std::nullopt;
}

// The filter of each band of one file, from (in this order) the band's description, the label's
// filter names (one per band, or one for a one-band product), band metadata, the file name.
std::vector<FilterBand> filterBands(const std::string& path, const std::shared_ptr<GDALDataset>& ds, const std::string& label) {
    const int count = ds->GetRasterCount();
    std::vector<std::string> labelled;
    if (!label.empty()) {
        labelled = elementValues(label, "filter_name");
        if (labelled.empty()) labelled = elementValues(label, "Filter");
    }
    const auto token = filterInName(path);
    std::vector<FilterBand> bands;
    for (int b = 1; b <= count; ++b) {
        GDALRasterBand* band = ds->GetRasterBand(b);
        std::optional<std::string> filter = filterNamed(band->GetDescription());
        if (!filter && static_cast<int>(labelled.size()) == count) filter = filterNamed(labelled[b - 1]);
        if (!filter) filter = filterFromBandMetadata(band);
        if (!filter && count == 1 && token) filter = token->filter;
        if (!filter)
            throw Error("cannot read " + path + ": cannot tell which CaSSIS filter band " + std::to_string(b) +
                        " is (no BLU, PAN, RED or NIR in its description, the label, its metadata or the file name)");
        bands.push_back({ds, path, b, *filter});
    }
    return bands;
}

// "I/F", "reflectance" or "" from the label's or the bands' unit; raw counts are refused.
std::string unitsOf(const std::string& path, GDALDataset& ds, const std::string& label) {
    std::vector<std::string> units = label.empty() ? std::vector<std::string>{} : elementValues(label, "unit");
    units.push_back(ds.GetRasterBand(1)->GetUnitType());
    for (const std::string& unit : units) {
        const std::string u = upper(unit);
        if (u == "DN" || u.find("COUNT") != std::string::npos)
            throw Error("cannot read " + path + ": its values are raw " + unit + "; Jezero needs calibrated CaSSIS products (I/F or reflectance)");
        if (u.find("I/F") != std::string::npos || u == "IOF" || u.find("RADIANCE FACTOR") != std::string::npos) return "I/F";
        if (u.find("REFLECT") != std::string::npos) return "reflectance";
    }
    return "";
}

} // namespace

bool isCassisProduct(const std::string& path) {
    const std::string ext = extensionOf(path);
    if (ext == ".XML") return true;
    if (ext != ".TIF" && ext != ".TIFF") return false;
    detail::registerDrivers();
    const char* gtiffDriver[] = {"GTiff", nullptr};
    DatasetPtr ds(detail::openRasterQuietly(path, gtiffDriver).release());
    if (!ds || ds->GetRasterCount() == 0 || ds->GetRasterCount() > 4) return false;
    bool everyBandByMetadata = true;
    for (int b = 1; b <= ds->GetRasterCount(); ++b) {
        const std::string description = ds->GetRasterBand(b)->GetDescription();
        if (filterNamed(description) && upper(description).size() <= 4) return true; // a band named BLU, PAN, RED, NIR
        everyBandByMetadata = everyBandByMetadata && filterFromBandMetadata(ds->GetRasterBand(b)).has_value();
    }
    if (everyBandByMetadata) return true; // each band's filter item or centre wavelength is a CaSSIS filter's
    return ds->GetRasterCount() == 1 && filterInName(path) && upper(fs::path(path).filename().string()).rfind("CAS", 0) == 0;
}

SpectralCube readCassisImage(const std::string& path, const ReadOptions& options, TaskControl* control) {
    detail::registerDrivers();
    const auto main = open(path);
    const std::string label = extensionOf(path) == ".XML" ? readText(path) : std::string();
    std::vector<FilterBand> bands = filterBands(path, main, label);
    // One filter per product (the PSA's layout): the other filters of the observation lie beside it.
    if (bands.size() == 1) {
        if (const auto token = filterInName(path)) {
            const fs::path file(path);
            const std::string name = file.filename().string();
            for (const auto& f : cassisNominalFilters()) {
                if (f.name == token->filter) continue;
                for (const std::string& spelling : {f.name, [&] { std::string l = f.name; for (char& c : l) c = static_cast<char>(std::tolower(c)); return l; }()}) {
                    const fs::path sibling = file.parent_path() / (name.substr(0, token->position) + spelling + name.substr(token->position + 3));
                    std::error_code ec;
                    if (!fs::is_regular_file(sibling, ec)) continue;
                    const auto ds = open(sibling.string());
                    const std::string siblingLabel = extensionOf(sibling.string()) == ".XML" ? readText(sibling.string()) : std::string();
                    for (auto& b : filterBands(sibling.string(), ds, siblingLabel)) bands.push_back(std::move(b));
                    break;
                }
            }
        }
    }
    std::sort(bands.begin(), bands.end(), [](const FilterBand& a, const FilterBand& b) {
        const auto& filters = cassisNominalFilters();
        const auto rank = [&](const std::string& n) {
            return std::find_if(filters.begin(), filters.end(), [&](const NominalFilter& f) { return f.name == n; }) - filters.begin();
        };
        return rank(a.filter) < rank(b.filter);
    });
    for (std::size_t i = 1; i < bands.size(); ++i)
        if (bands[i].filter == bands[i - 1].filter)
            throw Error("cannot read " + path + ": two bands are " + bands[i].filter + " (" + bands[i - 1].path + " and " + bands[i].path + ")");
    const int width = main->GetRasterXSize(), height = main->GetRasterYSize();
    for (const auto& b : bands)
        if (b.dataset->GetRasterXSize() != width || b.dataset->GetRasterYSize() != height)
            throw Error("cannot read " + path + ": " + b.path + " (" + b.filter + ") has another size than " + path);
    // Products joined from beside this one must be in its units and on its grid.
    const std::string units = unitsOf(path, *main, label);
    const auto grid = detail::georeferenceOf(*main).geoTransform;
    for (const auto& b : bands) {
        if (b.path == path) continue;
        const std::string theirs = unitsOf(b.path, *b.dataset, extensionOf(b.path) == ".XML" ? readText(b.path) : std::string());
        if (theirs != units)
            throw Error("cannot read " + path + ": " + b.path + " (" + b.filter + ") is in " + (theirs.empty() ? "unstated units" : theirs) + ", " + path +
                        " in " + (units.empty() ? "unstated units" : units));
        const auto other = detail::georeferenceOf(*b.dataset).geoTransform;
        bool same = grid.has_value() == other.has_value();
        for (int k = 0; same && grid && k < 6; ++k) same = std::abs((*grid)[k] - (*other)[k]) <= 1e-6 * std::max({1.0, std::abs((*grid)[k]), std::abs((*grid)[1])});
        if (!same) throw Error("cannot read " + path + ": " + b.path + " (" + b.filter + ") lies on another grid (its geotransform differs)");
    }

    std::vector<double> centres;
    std::vector<double> widths;
    SceneMetadata metadata = detail::georeferenceOf(*main);
    for (const auto& b : bands) {
        const auto& filters = cassisNominalFilters();
        const auto f = std::find_if(filters.begin(), filters.end(), [&](const NominalFilter& n) { return n.name == b.filter; });
        centres.push_back(f->centreNm);
        widths.push_back(f->widthNm);
        metadata.filterNames.push_back(b.filter);
    }
    const std::size_t bytes = static_cast<std::size_t>(width) * height * bands.size() * sizeof(float);
    if (bytes / sizeof(float) / bands.size() / std::max(1, width) != static_cast<std::size_t>(height))
        throw Error("cannot read " + path + ": " + std::to_string(width) + "x" + std::to_string(height) + " is too large");
    SpectralCube cube(width, height, centres);
    cube.setFwhmNm(widths);
    for (std::size_t i = 0; i < bands.size(); ++i) {
        if (control) control->throwIfCanceled();
        GDALRasterBand* band = bands[i].dataset->GetRasterBand(bands[i].band);
        int hasNoData = 0;
        const double noData = band->GetNoDataValue(&hasNoData);
        std::vector<float> plane(static_cast<std::size_t>(width) * height);
        CPLErrorReset();
        if (band->RasterIO(GF_Read, 0, 0, width, height, plane.data(), width, height, GDT_Float32, 0, 0, nullptr) != CE_None) {
            const std::string why = detail::lastGdalError();
            throw Error("cannot read " + bands[i].path + ": " + (why.empty() ? "GDAL could not read it" : why));
        }
        // ISIS special pixels (missing, saturated) are all below −3.4e38, outside the valid range.
        detail::maskInvalid(plane.data(), plane.size(), hasNoData ? std::vector<double>{noData} : std::vector<double>{}, options);
        for (std::size_t p = 0; p < plane.size(); ++p) cube.data()[p * bands.size() + i] = plane[p];
        if (control) control->setProgress(0.9 * (i + 1) / bands.size(), "reading " + bands[i].filter);
    }
    metadata.instrument = "CaSSIS";
    metadata.format = extensionOf(path) == ".XML" ? "PDS4" : "GTiff";
    metadata.sourcePath = path;
    metadata.productId = fs::path(path).stem().string();
    metadata.units = units;
    if (metadata.units.empty()) spdlog::warn("{} does not say whether its values are I/F or reflectance: taken as I/F", path);
    if (bands.size() < 4) {
        std::string have;
        for (const auto& n : metadata.filterNames) have += (have.empty() ? "" : ", ") + n;
        spdlog::warn("{} has only {} of the four CaSSIS filters ({})", path, bands.size(), have);
    }
    detail::attachGeolocator(cube, metadata);
    cube.metadata() = std::move(metadata);
    if (control) control->setProgress(1.0, "read");
    return cube;
}

} // namespace jezero::io
