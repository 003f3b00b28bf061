#pragma once
// CRISM browse products (Viviano-Beck et al. 2014): three summary parameters shown as R, G, B with
// the standard stretches, read from resources/crism/parameters/crism_browse_products_vb2014.csv.
// A stretch limit is a fixed value, a percentile of the scene's valid values ("P0.1", "P99.9"), or a
// percentile that never goes below a floor ("max(P99.9;0.034)").
#include "jezero/core/Composite.h"
#include "jezero/core/ImageStack.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace jezero {

struct StretchLimit {
    double fixed = 0.0;      // used when percentile < 0
    double percentile = -1;  // 0–100, or < 0 for a fixed limit
    double floor = -1e300;   // the limit is at least this
    // Parses "0.005", "P99.9" or "max(P99.9;0.0340)"; throws Error.
    static StretchLimit parse(const std::string& text);
    double resolve(std::vector<float> values) const;
};

struct BrowseProduct {
    std::string name;                      // FAL, CAR, ...
    std::array<std::string, 3> parameters; // R, G, B
    std::string detector;
    std::string description;
    std::array<StretchLimit, 3> low, high;
};

// All products of the bundled table (or of path); throws Error on a malformed table.
std::vector<BrowseProduct> browseProducts(const std::string& path = {});
// The product called name (case-insensitive); throws Error listing the known names.
BrowseProduct browseProduct(const std::string& name);
// The product with each channel stretched between two percentiles of its own finite values, in place of
// the table's (CRISM's standard) limits: for a scene whose values sit far inside or beyond them.
BrowseProduct withPercentileStretch(BrowseProduct product, double lowPercent, double highPercent);

// The stretch CRISM's browse products give one parameter: its limits in the first product (table
// order) that shows it, and that product's name; nullopt when no product shows it.
struct ParameterStretch {
    std::string product;
    StretchLimit low, high;
};
std::optional<ParameterStretch> browseStretchOf(const std::string& parameter);

// Renders the product from an image holding (at least) its three parameters. Alpha 0 where any is NaN.
CompositeImage renderBrowse(const ImageStack& parameters, const BrowseProduct& product);

} // namespace jezero
