#include "SceneJson.h"

#include <cmath>
#include <sstream>

namespace jezero::cli {

nlohmann::json sceneInfoJson(const SpectralCube& cube) {
    const SceneMetadata& m = cube.metadata();
    nlohmann::json j;
    j["product_id"] = m.productId;
    j["samples"] = cube.width();
    j["lines"] = cube.height();
    j["bands"] = cube.bands();
    j["wavelength_min_nm"] = cube.wavelengthsNm().front();
    j["wavelength_max_nm"] = cube.wavelengthsNm().back();
    j["crs_wkt"] = m.crsWkt;
    j["nodata_pixels"] = cube.noDataPixelCount();
    j["nodata_values"] = cube.noDataValueCount();
    j["observation_type"] = m.observationType;
    j["sensor"] = m.sensor;
    j["format"] = m.format;
    j["centre_latitude_deg"] = m.centre ? nlohmann::json(m.centre->latitudeDeg) : nlohmann::json(nullptr);
    j["centre_longitude_deg"] = m.centre ? nlohmann::json(m.centre->longitudeDeg) : nlohmann::json(nullptr);
    j["wavelengths_from_bundled_table"] = m.wavelengthsFromBundledTable;
    j["instrument"] = m.instrument.empty() ? std::string("CRISM") : m.instrument;
    j["filters"] = m.filterNames; // a filter image's channels; empty for a spectrometer cube
    j["units"] = m.units.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.units);
    return j;
}

nlohmann::json spectrumJson(const std::vector<double>& wavelengthsNm, const std::vector<float>& values, int x, int y) {
    nlohmann::json j;
    j["pixel"] = {x, y};
    j["wavelengths_nm"] = wavelengthsNm;
    auto& v = j["values"] = nlohmann::json::array();
    for (float value : values) v.push_back(std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value));
    return j;
}

std::string spectrumCsv(const std::vector<double>& wavelengthsNm, const std::vector<float>& values) {
    std::ostringstream out;
    out.precision(9);
    out << "wavelength_nm,value\n";
    for (std::size_t i = 0; i < wavelengthsNm.size(); ++i) {
        out << wavelengthsNm[i] << ',';
        if (!std::isnan(values[i])) out << values[i];
        out << '\n';
    }
    return out.str();
}

} // namespace jezero::cli
