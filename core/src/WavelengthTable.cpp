#include "jezero/core/WavelengthTable.h"

#include "DelimitedText.h"
#include "jezero/core/Error.h"

#include <algorithm>
#include <numeric>

namespace jezero {

WavelengthAxis readMtrdrAxisTable(const std::string& path) {
    const auto table = detail::readDelimitedTable(path);
    std::vector<std::pair<double, double>> channels;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& row = table.rows[i];
        if (row.size() < 4)
            throw Error("cannot read " + path + ": line " + std::to_string(table.lineNumbers[i]) +
                        ": expected detector, row, wavelength, FWHM");
        channels.emplace_back(detail::parseNumber(row[2], path, table.lineNumbers[i]),
                              detail::parseNumber(row[3], path, table.lineNumbers[i]));
    }
    std::sort(channels.begin(), channels.end());
    WavelengthAxis axis;
    for (const auto& [w, f] : channels) {
        axis.wavelengthsNm.push_back(w);
        axis.fwhmNm.push_back(f);
    }
    return axis;
}

std::map<int, double> readDetectorRowWavelengths(const std::string& path) {
    const auto table = detail::readDelimitedTable(path);
    const auto column = [&](const std::string& name) {
        const auto it = std::find(table.header.begin(), table.header.end(), name);
        if (it == table.header.end()) throw Error("cannot read " + path + ": no '" + name + "' column");
        return static_cast<std::size_t>(it - table.header.begin());
    };
    const std::size_t rowColumn = column("detector_row");
    const std::size_t wavelengthColumn = column("wavelength_nm");
    std::map<int, double> rows;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& row = table.rows[i];
        if (row.size() <= std::max(rowColumn, wavelengthColumn))
            throw Error("cannot read " + path + ": line " + std::to_string(table.lineNumbers[i]) + " is short");
        const int detectorRow = static_cast<int>(detail::parseNumber(row[rowColumn], path, table.lineNumbers[i]));
        rows[detectorRow] = detail::parseNumber(row[wavelengthColumn], path, table.lineNumbers[i]);
    }
    return rows;
}

} // namespace jezero
