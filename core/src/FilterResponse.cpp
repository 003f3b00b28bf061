#include "jezero/core/FilterResponse.h"

#include "DelimitedText.h"
#include "jezero/core/Error.h"

#include <algorithm>
#include <numeric>

namespace jezero {

FilterSet readFilterSet(const std::string& path) {
    const auto table = detail::readDelimitedTable(path);
    const std::size_t columns = table.rows.front().size();
    if (columns < 2) throw Error("cannot read " + path + ": need a wavelength column and at least one filter column");
    FilterSet set;
    set.filters.resize(columns - 1);
    for (std::size_t f = 0; f + 1 < columns; ++f)
        set.filters[f].name = f + 1 < table.header.size() ? table.header[f + 1] : "filter " + std::to_string(f + 1);

    std::vector<std::size_t> order(table.rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> wavelengths(table.rows.size());
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& row = table.rows[i];
        if (row.size() != columns)
            throw Error("cannot read " + path + ": line " + std::to_string(table.lineNumbers[i]) + " has " +
                        std::to_string(row.size()) + " columns, expected " + std::to_string(columns));
        wavelengths[i] = detail::parseNumber(row[0], path, table.lineNumbers[i]);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return wavelengths[a] < wavelengths[b]; });
    for (std::size_t i : order) {
        set.wavelengthsNm.push_back(wavelengths[i]);
        for (std::size_t f = 0; f + 1 < columns; ++f)
            set.filters[f].response.push_back(detail::parseNumber(table.rows[i][f + 1], path, table.lineNumbers[i]));
    }
    return set;
}

} // namespace jezero
