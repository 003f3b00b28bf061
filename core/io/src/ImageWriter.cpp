#include "jezero/io/ImageWriter.h"

#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"

#include <gdal_priv.h>

namespace jezero::io {

void writePng(const std::string& path, const CompositeImage& image) {
    if (image.width <= 0 || image.height <= 0) throw Error("cannot write " + path + ": empty image");
    GDALAllRegister();
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

} // namespace jezero::io
