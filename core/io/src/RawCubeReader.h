#pragma once
// Reading the raw image of an uncompressed cube (ENVI, PDS3, a plain GeoTIFF) straight from its file into
// the pixel-interleaved cube, without GDAL's block cache: GDAL describes where the values lie
// (GDALDataset::GetRawBinaryLayout), this reads a run of rows with one pread (one per band for band-
// sequential files) and transposes them into place in cache-sized blocks, converting type and byte order
// on the way. About twice as fast as GDAL's own RasterIO of the whole file, and no cache holding a second
// copy of the cube. Files GDAL cannot describe so (compressed, tiled, inside archives, unusual types) are
// read by GDAL as before.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

class GDALDataset;

namespace jezero::io::detail {

class RawCubeReader {
public:
    // Null when the dataset's values are not a plain raw layout this reads.
    static std::unique_ptr<RawCubeReader> open(GDALDataset& dataset, const std::string& userPath);
    ~RawCubeReader();
    RawCubeReader(const RawCubeReader&) = delete;
    RawCubeReader& operator=(const RawCubeReader&) = delete;

    // Rows [y0, y0 + rows) of `bands` (GDAL's 1-based numbers, in the order wanted) into target, where
    // pixel (x, y0 + r)'s values begin at target + (r · width + x) · pixelStride. Throws Error when the file
    // ends early or cannot be read.
    void readRows(int y0, int rows, const std::vector<int>& bands, float* target, std::size_t pixelStride);

    struct Layout;

private:
    explicit RawCubeReader(std::unique_ptr<Layout> layout);
    std::unique_ptr<Layout> mLayout;
    std::vector<unsigned char> mBuffer;
};

} // namespace jezero::io::detail
