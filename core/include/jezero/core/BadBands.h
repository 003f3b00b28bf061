#pragma once
// Channels a CRISM product's users leave out — detector ends, the VNIR/IR overlap, filter-zone and
// order-sorting-filter boundaries — per sensor and product type, from resources/crism/bad_bands.csv (the
// CRISM team's conservative channel set, which the MTRDR wavelength table also leaves out). Plots shade
// them and scale without them, continuum removal, library matching and clean-up skip them, and the
// summary parameters' pipeline convention drops them before anything else.
#include <string>
#include <vector>

namespace jezero {

struct SceneMetadata;

struct BadBandRange {
    double fromNm, toNm; // open interval: a channel is bad when fromNm < wavelength < toNm (±∞ at the ends)
    std::string reason;
};

class BadBands {
public:
    BadBands() = default; // none
    explicit BadBands(std::vector<BadBandRange> ranges);

    // The table's ranges for a sensor ("S", "L", "J"; empty or anything else: the joined set, which covers
    // every CRISM channel) and product type (e.g. "TRR3", "MTRDR"; rows for "any" always apply). Throws
    // Error when the bundled table cannot be read.
    static BadBands forCrism(const std::string& sensor, const std::string& productType = {});
    // A scene's: the CRISM ranges for its sensor and product; none for a filter image (CaSSIS).
    static BadBands forScene(const SceneMetadata& metadata);
    // The set the CRISM team's summary-parameter code keeps out, whatever the sensor.
    static const BadBands& crismPipeline();

    bool isBad(double wavelengthNm) const;
    // One flag per channel: true where the channel is good.
    std::vector<bool> goodChannels(const std::vector<double>& wavelengthsNm) const;
    // values with NaN at the bad channels.
    std::vector<double> masked(const std::vector<double>& wavelengthsNm, std::vector<double> values) const;
    const std::vector<BadBandRange>& ranges() const { return mRanges; }

private:
    std::vector<BadBandRange> mRanges;
};

// The product type in a CRISM product ID or file name ("TRR3", "MTR3" for MTRDR, ...), empty when none.
std::string crismProductType(const std::string& productId);

} // namespace jezero
