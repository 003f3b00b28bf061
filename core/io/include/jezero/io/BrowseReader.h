#pragma once
#include "jezero/core/ImageStack.h"
#include "jezero/core/SceneMetadata.h"

#include <string>

namespace jezero::io {

struct BrowseImage {
    ImageStack parameters; // channels named after the label's BAND_NAME, values in parameter units
    SceneMetadata metadata;
};

// Reads a PDS MTRDR browse product (8-bit, e.g. frt00008fc1_07_brphyj_mtr3.img with its .lbl) back
// into parameter values: value = OFFSET + SCALING_FACTOR × DN per band, DN 255 = no data (NaN).
// path may name the .img, .lbl or .hdr. Throws Error.
BrowseImage readBrowseProduct(const std::string& path);

// The bundled real parameter maps of FRT00008FC1 (Nili Fossae: PHY, MAF, TAN, HYD browse products) as
// one stack, channels by parameter name: the spatial structure of synthetic scenes. Throws Error.
ImageStack readSynthesisStructure();

} // namespace jezero::io
