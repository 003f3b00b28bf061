#include "jezero/core/BrowseProducts.h"

#include "DelimitedText.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Statistics.h"

#include <algorithm>
#include <cmath>
#include <regex>

namespace jezero {

StretchLimit StretchLimit::parse(const std::string& text) {
    static const std::regex percentile(R"(^P([0-9.]+)$)");
    static const std::regex floored(R"(^max\(P([0-9.]+);([-0-9.eE]+)\)$)");
    StretchLimit limit;
    std::smatch m;
    if (std::regex_match(text, m, percentile)) {
        limit.percentile = std::stod(m[1]);
    } else if (std::regex_match(text, m, floored)) {
        limit.percentile = std::stod(m[1]);
        limit.floor = std::stod(m[2]);
    } else {
        char* end = nullptr;
        limit.fixed = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size()) throw Error("bad stretch limit '" + text + "'");
    }
    return limit;
}

double StretchLimit::resolve(std::vector<float> values) const {
    if (percentile < 0) return fixed;
    const double p = finitePercentiles(std::move(values), {percentile})[0];
    return std::isnan(p) ? floor : std::max(p, floor);
}

std::vector<BrowseProduct> browseProducts(const std::string& path) {
    const std::string file = path.empty() ? resourcePath("crism/parameters/crism_browse_products_vb2014.csv") : path;
    const auto table = detail::readDelimitedTable(file);
    const auto column = [&](const std::string& name) {
        const auto it = std::find(table.header.begin(), table.header.end(), name);
        if (it == table.header.end()) throw Error("cannot read " + file + ": no '" + name + "' column");
        return static_cast<std::size_t>(it - table.header.begin());
    };
    const std::size_t name = column("browse"), detector = column("detector"), description = column("description");
    const std::array<std::size_t, 3> params{column("red"), column("green"), column("blue")};
    const std::array<std::size_t, 3> lows{column("stretch_min_R"), column("stretch_min_G"), column("stretch_min_B")};
    const std::array<std::size_t, 3> highs{column("stretch_max_R"), column("stretch_max_G"), column("stretch_max_B")};
    std::vector<BrowseProduct> products;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        if (row.size() < table.header.size())
            throw Error("cannot read " + file + ": line " + std::to_string(table.lineNumbers[r]) + " is short");
        BrowseProduct p;
        p.name = row[name];
        p.detector = row[detector];
        p.description = row[description];
        for (int c = 0; c < 3; ++c) {
            p.parameters[c] = row[params[c]];
            p.low[c] = StretchLimit::parse(row[lows[c]]);
            p.high[c] = StretchLimit::parse(row[highs[c]]);
        }
        products.push_back(std::move(p));
    }
    return products;
}

BrowseProduct browseProduct(const std::string& name) {
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    std::string known;
    for (const BrowseProduct& p : browseProducts()) {
        if (p.name == upper) return p;
        known += (known.empty() ? "" : ", ") + p.name;
    }
    throw Error("unknown browse product '" + name + "' (known: " + known + ")");
}

std::optional<ParameterStretch> browseStretchOf(const std::string& parameter) {
    for (const BrowseProduct& p : browseProducts())
        for (std::size_t c = 0; c < 3; ++c)
            if (p.parameters[c] == parameter) return ParameterStretch{p.name, p.low[c], p.high[c]};
    return std::nullopt;
}

BrowseProduct withPercentileStretch(BrowseProduct product, double lowPercent, double highPercent) {
    if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100))
        throw Error("a percentile stretch needs 0 ≤ low < high ≤ 100, not " + std::to_string(lowPercent) + "–" + std::to_string(highPercent));
    for (int c = 0; c < 3; ++c) {
        product.low[c] = StretchLimit{0.0, lowPercent};
        product.high[c] = StretchLimit{0.0, highPercent};
    }
    return product;
}

CompositeImage renderBrowse(const ImageStack& parameters, const BrowseProduct& product) {
    CompositeImage image;
    image.width = parameters.width;
    image.height = parameters.height;
    image.rgb.name = product.name;
    std::array<int, 3> index{};
    const int n = parameters.channels();
    for (int c = 0; c < 3; ++c) {
        index[c] = parameters.channelIndex(product.parameters[c]);
        if (index[c] < 0) throw Error("browse product " + product.name + " needs parameter " + product.parameters[c]);
        std::vector<float> values(parameters.pixelCount());
        for (std::size_t p = 0; p < values.size(); ++p) values[p] = parameters.values[p * n + index[c]];
        image.channels[c] = {index[c], product.low[c].resolve(values), product.high[c].resolve(values)};
    }
    fillRgba(image, [&](std::size_t p, int c) { return parameters.values[p * n + index[c]]; });
    return image;
}

} // namespace jezero
