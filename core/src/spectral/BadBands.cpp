#include "jezero/core/BadBands.h"

#include "../DelimitedText.h"
#include "jezero/core/Error.h"
#include "jezero/core/Resources.h"
#include "jezero/core/SceneMetadata.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace jezero {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct TableRow {
    std::string sensor, product;
    BadBandRange range;
};

const std::vector<TableRow>& table() {
    static const std::vector<TableRow> rows = [] {
        const std::string path = resourcePath("crism/bad_bands.csv");
        const auto t = detail::readDelimitedTable(path);
        std::vector<TableRow> out;
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            const auto& r = t.rows[i];
            const int line = t.lineNumbers[i];
            if (r.size() < 4) throw Error("cannot read " + path + ": line " + std::to_string(line) + " has " + std::to_string(r.size()) + " fields, not 5");
            const double from = r[2].empty() ? -kInfinity : detail::parseNumber(r[2], path, line);
            const double to = r[3].empty() ? kInfinity : detail::parseNumber(r[3], path, line);
            if (!(from < to)) throw Error("cannot read " + path + ": line " + std::to_string(line) + ": the range must run from a shorter to a longer wavelength");
            out.push_back({r[0], r[1], {from, to, r.size() > 4 ? r[4] : ""}});
        }
        return out;
    }();
    return rows;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

} // namespace

BadBands::BadBands(std::vector<BadBandRange> ranges) : mRanges(std::move(ranges)) {}

BadBands BadBands::forCrism(const std::string& sensor, const std::string& productType) {
    const std::string s = upper(sensor) == "S" || upper(sensor) == "L" ? upper(sensor) : "J";
    std::vector<BadBandRange> ranges;
    for (const TableRow& row : table())
        if (row.sensor == s && (row.product == "any" || upper(row.product) == upper(productType))) ranges.push_back(row.range);
    return BadBands(std::move(ranges));
}

BadBands BadBands::forScene(const SceneMetadata& metadata) {
    if (!metadata.filterNames.empty()) return {};
    return forCrism(metadata.sensor, crismProductType(metadata.productId));
}

const BadBands& BadBands::crismPipeline() {
    static const BadBands joined = forCrism("J");
    return joined;
}

bool BadBands::isBad(double nm) const {
    return std::any_of(mRanges.begin(), mRanges.end(), [nm](const BadBandRange& r) { return nm > r.fromNm && nm < r.toNm; });
}

std::vector<bool> BadBands::goodChannels(const std::vector<double>& wavelengthsNm) const {
    std::vector<bool> good(wavelengthsNm.size());
    for (std::size_t i = 0; i < good.size(); ++i) good[i] = !isBad(wavelengthsNm[i]);
    return good;
}

std::vector<double> BadBands::masked(const std::vector<double>& wavelengthsNm, std::vector<double> values) const {
    for (std::size_t i = 0; i < values.size() && i < wavelengthsNm.size(); ++i)
        if (isBad(wavelengthsNm[i])) values[i] = std::numeric_limits<double>::quiet_NaN();
    return values;
}

std::string crismProductType(const std::string& productId) {
    // CRISM product IDs end in the product type: FRT0001458F_01_IF156L_TRR3, frt0000932c_07_if164j_mtr3 —
    // the last field of three letters and a digit between '_' (or the end, or a '.').
    std::string type, field;
    const auto take = [&] {
        if (field.size() == 4 && std::isalpha(static_cast<unsigned char>(field[0])) && std::isalpha(static_cast<unsigned char>(field[1])) &&
            std::isalpha(static_cast<unsigned char>(field[2])) && std::isdigit(static_cast<unsigned char>(field[3])))
            type = upper(field);
        field.clear();
    };
    bool afterUnderscore = false;
    for (char c : productId) {
        if (c == '_' || c == '.') {
            if (afterUnderscore) take();
            field.clear();
            afterUnderscore = c == '_';
        } else {
            field += c;
        }
    }
    if (afterUnderscore) take();
    return type;
}

} // namespace jezero
