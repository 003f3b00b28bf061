#pragma once
// ENVI cubes as CRISM MTRDR products are shipped: a raw float32 little-endian BIL .img with an ENVI
// .hdr (wavelength and FWHM lists in nm, band names, data ignore value 65535, the CRS as
// "coordinate system string" and the geotransform as "map info"). Written byte for byte by Jezero,
// so the same cube always gives the same files; both files are written atomically. NaN is stored as
// 65535. Throws Error.
#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneMetadata.h"
#include "jezero/core/SpectralCube.h"

#include <string>

namespace jezero::io {

// imgPath names the .img; the .hdr goes beside it.
void writeEnviCube(const std::string& imgPath, const SpectralCube& cube, const std::string& description);
void writeEnviImage(const std::string& imgPath, const ImageStack& image, const SceneMetadata& georeference,
                    const std::string& description);

} // namespace jezero::io
