#include "jezero/io/ImageWriter.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"

#include "GdalUtil.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>

namespace jezero::io {

void writePng(const std::string& path, const CompositeImage& image) {
    if (image.width <= 0 || image.height <= 0) throw Error("cannot write " + path + ": empty image");
    detail::registerDrivers();
    writeFileAtomically(path, [&](const std::string& temp) {
        GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
        GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
        if (!mem || !png) throw Error("GDAL has no MEM or PNG driver");
        std::unique_ptr<GDALDataset> ds(mem->Create("", image.width, image.height, 4, GDT_Byte, nullptr));
        auto* bytes = const_cast<std::uint8_t*>(image.rgba.data());
        if (ds->RasterIO(GF_Write, 0, 0, image.width, image.height, bytes, image.width, image.height, GDT_Byte, 4,
                         nullptr, 4, static_cast<GSpacing>(image.width) * 4, 1) != CE_None)
            throw Error(CPLGetLastErrorMsg());
        std::unique_ptr<GDALDataset> out(png->CreateCopy(temp.c_str(), ds.get(), FALSE, nullptr, nullptr, nullptr));
        if (!out) throw Error(CPLGetLastErrorMsg());
        out.reset();
        // CreateCopy leaves an .aux.xml beside the PNG when it has metadata to keep; we keep none.
        VSIUnlink((temp + ".aux.xml").c_str());
    });
}

void writeGeoTiff(const std::string& path, const ImageStack& image, const SceneMetadata& georeference,
                  const std::map<std::string, std::string>& metadata) {
    if (image.width <= 0 || image.height <= 0 || image.channels() == 0) throw Error("cannot write " + path + ": empty image");
    detail::registerDrivers();
    writeFileAtomically(path, [&](const std::string& temp) {
        GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        if (!gtiff) throw Error("GDAL has no GTiff driver");
        const char* options[] = {"COMPRESS=DEFLATE", "PREDICTOR=3", "TILED=YES", "BIGTIFF=IF_SAFER", nullptr};
        std::unique_ptr<GDALDataset> ds(gtiff->Create(temp.c_str(), image.width, image.height, image.channels(), GDT_Float32,
                                                      const_cast<char**>(options)));
        if (!ds) throw Error(CPLGetLastErrorMsg());
        if (!georeference.crsWkt.empty()) {
            OGRSpatialReference srs;
            if (srs.importFromWkt(georeference.crsWkt.c_str()) != OGRERR_NONE || ds->SetSpatialRef(&srs) != CE_None)
                throw Error("cannot store the scene's CRS");
        }
        if (georeference.geoTransform) {
            auto gt = *georeference.geoTransform;
            ds->SetGeoTransform(gt.data());
        }
        for (const auto& [key, value] : metadata) ds->SetMetadataItem(key.c_str(), value.c_str());
        for (int c = 0; c < image.channels(); ++c) {
            GDALRasterBand* band = ds->GetRasterBand(c + 1);
            band->SetDescription(image.channelNames[c].c_str());
            band->SetNoDataValue(std::nan(""));
        }
        auto* values = const_cast<float*>(image.values.data());
        const int n = image.channels();
        if (ds->RasterIO(GF_Write, 0, 0, image.width, image.height, values, image.width, image.height, GDT_Float32, n, nullptr,
                         static_cast<GSpacing>(n) * 4, static_cast<GSpacing>(n) * 4 * image.width, 4, nullptr) != CE_None)
            throw Error(CPLGetLastErrorMsg());
        CPLErrorReset();
        ds->FlushCache();
        ds.reset(); // closes the file
        if (CPLGetLastErrorType() >= CE_Failure) throw Error(CPLGetLastErrorMsg());
    });
}

} // namespace jezero::io
