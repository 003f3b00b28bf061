#pragma once
// CaSSIS colour images (ExoMars TGO): PDS4 products (.xml label + data file, as the PSA and ISIS's
// tgocassisrdrgen write them: one product per filter, or one with several bands) and GeoTIFFs.
// Each band is identified by its filter — BLU, PAN, RED, NIR — from the band's description, the PDS4
// label (img:filter_name, the CaSSIS header's Filter), band metadata (a centre wavelength within 40 nm
// of a filter's nominal centre) or the file name (CaSSIS names carry the filter: …-PAN-…). A
// single-filter product is joined with the other filters' products of the same observation lying
// beside it (same name, other filter). The cube's channels are the filters in wavelength order at
// their nominal centres (resources/cassis), metadata().filterNames names them, metadata().units
// says I/F or reflectance; raw DN is refused.
#include "jezero/core/SpectralCube.h"
#include "jezero/io/SceneReader.h"

#include <string>

namespace jezero {
class TaskControl;
}

namespace jezero::io {

// Whether path is a CaSSIS product: a PDS4 label (.xml), or a GeoTIFF whose bands or file name are
// CaSSIS filters. Looks at the file name, the label and band descriptions only.
bool isCassisProduct(const std::string& path);

// Throws Error with one line: a band whose filter cannot be told, two bands of one filter, filter
// products of different sizes, raw DN, a file GDAL cannot read.
SpectralCube readCassisImage(const std::string& path, const ReadOptions& options = {}, TaskControl* control = nullptr);

} // namespace jezero::io
