#include "jezero/io/ImageReader.h"

#include "GdalUtil.h"
#include "jezero/core/Error.h"

#include <gdal_priv.h>

#include <cmath>
#include <filesystem>
#include <limits>

namespace jezero::io {

std::pair<ImageStack, SceneMetadata> readImageStack(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw Error("cannot open " + path + ": no such file");
    detail::registerDrivers();
    const auto ds = detail::openRasterQuietly(path);
    if (!ds) throw Error("cannot read " + path + ": not a raster GDAL can open (" + detail::lastGdalError() + ")");
    std::vector<std::string> names;
    for (int b = 1; b <= ds->GetRasterCount(); ++b) {
        const std::string d = ds->GetRasterBand(b)->GetDescription();
        names.push_back(d.empty() ? "band " + std::to_string(b) : d);
    }
    if (names.empty()) throw Error("cannot read " + path + ": it has no raster bands");
    ImageStack image(ds->GetRasterXSize(), ds->GetRasterYSize(), names);
    const int n = image.channels();
    if (ds->RasterIO(GF_Read, 0, 0, image.width, image.height, image.values.data(), image.width, image.height, GDT_Float32, n,
                     nullptr, static_cast<GSpacing>(n) * 4, static_cast<GSpacing>(n) * 4 * image.width, 4, nullptr) != CE_None)
        throw Error("cannot read " + path + ": " + detail::lastGdalError());
    for (int b = 0; b < n; ++b) {
        int has = 0;
        const double noData = ds->GetRasterBand(b + 1)->GetNoDataValue(&has);
        if (!has || std::isnan(noData)) continue;
        for (std::size_t p = 0; p < image.pixelCount(); ++p)
            if (image.values[p * n + b] == static_cast<float>(noData)) image.values[p * n + b] = std::numeric_limits<float>::quiet_NaN();
    }
    SceneMetadata metadata = detail::georeferenceOf(*ds);
    metadata.sourcePath = path;
    metadata.format = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    return {std::move(image), std::move(metadata)};
}

} // namespace jezero::io
