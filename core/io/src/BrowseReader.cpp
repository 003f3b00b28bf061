#include "jezero/io/BrowseReader.h"

#include "GdalUtil.h"
#include "Pds3Label.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/io/ScenePaths.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace fs = std::filesystem;

namespace jezero::io {

BrowseImage readBrowseProduct(const std::string& path) {
    if (!fs::is_regular_file(path)) throw Error("cannot open " + path + ": no such file");
    const std::string label = siblingFile(path, ".lbl").value_or("");
    if (label.empty()) throw Error("cannot read " + path + ": no .lbl beside it (OFFSET and SCALING_FACTOR live there)");
    const auto pds = detail::Pds3Label::read(label);
    const auto names = pds.find("IMAGE/BAND_NAME"), offsets = pds.find("IMAGE/OFFSET"), scales = pds.find("IMAGE/SCALING_FACTOR");
    if (!names || !offsets || !scales) throw Error("cannot read " + label + ": not a browse product label (no BAND_NAME/OFFSET/SCALING_FACTOR)");
    const auto bandNames = detail::Pds3Label::listItems(*names);
    const auto offsetItems = detail::Pds3Label::listItems(*offsets);
    const auto scaleItems = detail::Pds3Label::listItems(*scales);
    if (bandNames.size() != offsetItems.size() || bandNames.size() != scaleItems.size())
        throw Error("cannot read " + label + ": BAND_NAME, OFFSET and SCALING_FACTOR differ in length");

    // The data through GDAL: the ENVI header when there is one (it carries the map projection), else the label.
    detail::registerDrivers();
    const auto hdr = siblingFile(path, ".hdr");
    const auto img = siblingFile(path, ".img");
    const std::string openPath = hdr && img ? *img : label;
    const auto ds = detail::openRasterQuietly(openPath);
    if (!ds) throw Error("cannot read " + path + ": GDAL cannot open " + openPath);
    if (ds->GetRasterCount() != static_cast<int>(bandNames.size()))
        throw Error("cannot read " + path + ": " + std::to_string(ds->GetRasterCount()) + " bands but the label names " +
                    std::to_string(bandNames.size()));

    BrowseImage out;
    out.parameters = ImageStack(ds->GetRasterXSize(), ds->GetRasterYSize(), bandNames);
    const int n = static_cast<int>(bandNames.size());
    std::vector<std::uint8_t> dn(out.parameters.pixelCount());
    for (int b = 0; b < n; ++b) {
        if (ds->GetRasterBand(b + 1)->RasterIO(GF_Read, 0, 0, out.parameters.width, out.parameters.height, dn.data(),
                                               out.parameters.width, out.parameters.height, GDT_Byte, 0, 0, nullptr) != CE_None)
            throw Error("cannot read " + path + ": " + detail::lastGdalError());
        const double offset = std::stod(offsetItems[b]), scale = std::stod(scaleItems[b]);
        for (std::size_t p = 0; p < dn.size(); ++p)
            out.parameters.values[p * n + b] =
                dn[p] == 255 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(offset + scale * dn[p]);
    }
    out.metadata = detail::georeferenceOf(*ds);
    if (auto id = pds.find("PRODUCT_ID")) out.metadata.productId = *id;
    out.metadata.sourcePath = path;
    out.metadata.format = "PDS3 browse";
    return out;
}

ImageStack readSynthesisStructure() {
    ImageStack merged;
    for (const char* product : {"phy", "maf", "tan", "hyd"}) {
        const auto browse = io::readBrowseProduct(resourcePath(std::string("crism/mtrdr_browse/frt00008fc1_07_br") + product + "j_mtr3.img"));
        const ImageStack& p = browse.parameters;
        if (merged.channels() == 0) merged = ImageStack(p.width, p.height, {});
        if (p.width != merged.width || p.height != merged.height) throw Error("the bundled browse products differ in size");
        ImageStack next(p.width, p.height, merged.channelNames);
        for (const auto& n : p.channelNames) next.channelNames.push_back(n);
        next.values.resize(next.pixelCount() * next.channels());
        for (std::size_t i = 0; i < p.pixelCount(); ++i) {
            std::copy_n(merged.values.begin() + static_cast<std::ptrdiff_t>(i * merged.channels()), merged.channels(),
                        next.values.begin() + static_cast<std::ptrdiff_t>(i * next.channels()));
            std::copy_n(p.values.begin() + static_cast<std::ptrdiff_t>(i * p.channels()), p.channels(),
                        next.values.begin() + static_cast<std::ptrdiff_t>(i * next.channels() + merged.channels()));
        }
        merged = std::move(next);
    }
    return merged;
}

} // namespace jezero::io
