#include "RawCubeReader.h"

#include "jezero/core/Error.h"
#include "jezero/core/Parallel.h"

#include <gdal_priv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

namespace jezero::io::detail {

namespace {

enum class SampleType { Float32, Int16, UInt16, Byte };

constexpr std::size_t kReadBufferBytes = 16u << 20;
// Transpose blocks: 64 pixels × 16 bands read from 16 file lines and written to 64 cube cache lines.
constexpr int kBlockPixels = 64;
constexpr int kBlockBands = 16;

template <SampleType Type, bool Swap>
float sample(const unsigned char* p) {
    if constexpr (Type == SampleType::Byte) {
        return *p;
    } else if constexpr (Type == SampleType::Float32) {
        std::uint32_t bits;
        std::memcpy(&bits, p, 4);
        if constexpr (Swap) bits = __builtin_bswap32(bits);
        float v;
        std::memcpy(&v, &bits, 4);
        return v;
    } else {
        std::uint16_t bits;
        std::memcpy(&bits, p, 2);
        if constexpr (Swap) bits = __builtin_bswap16(bits);
        if constexpr (Type == SampleType::Int16) return static_cast<std::int16_t>(bits);
        else return bits;
    }
}

// rows × width pixels of `count` bands, band i's row r at rowStart[i] + r · lineStride, pixel x at
// + x · pixelStride, into target (pixel (r, x) band i at target + (r · width + x) · targetStride + i).
template <SampleType Type, bool Swap>
void transpose(const unsigned char* const* rowStart, int count, std::ptrdiff_t lineStride, std::ptrdiff_t pixelStride, int r, int width,
               float* target, std::size_t targetStride) {
    for (int x0 = 0; x0 < width; x0 += kBlockPixels) {
        const int x1 = std::min(width, x0 + kBlockPixels);
        for (int i0 = 0; i0 < count; i0 += kBlockBands) {
            const int i1 = std::min(count, i0 + kBlockBands);
            for (int x = x0; x < x1; ++x) {
                float* out = target + (static_cast<std::size_t>(r) * width + x) * targetStride;
                for (int i = i0; i < i1; ++i) out[i] = sample<Type, Swap>(rowStart[i] + r * lineStride + x * pixelStride);
            }
        }
    }
}

using Transpose = void (*)(const unsigned char* const*, int, std::ptrdiff_t, std::ptrdiff_t, int, int, float*, std::size_t);

template <bool Swap>
Transpose transposeFor(SampleType type) {
    switch (type) {
    case SampleType::Float32: return transpose<SampleType::Float32, Swap>;
    case SampleType::Int16: return transpose<SampleType::Int16, Swap>;
    case SampleType::UInt16: return transpose<SampleType::UInt16, Swap>;
    case SampleType::Byte: return transpose<SampleType::Byte, Swap>;
    }
    return nullptr;
}

} // namespace

struct RawCubeReader::Layout {
    std::string userPath, fileName;
    int fd = -1;
    int width = 0, height = 0, bandCount = 0;
    int sampleBytes = 0;
    Transpose transpose = nullptr;
    std::ptrdiff_t imageOffset = 0, pixelOffset = 0, lineOffset = 0, bandOffset = 0;
    bool linesHoldAllBands = false; // BIL or BIP: one read takes every band of a run of rows
    std::ptrdiff_t rowSpan = 0;     // bytes from a row's first value of a band to the end of its last

    // Reads bytes [offset, offset + size) of the file into buffer, all of them.
    void readExactly(unsigned char* buffer, std::size_t size, std::ptrdiff_t offset) const {
        std::size_t done = 0;
        while (done < size) {
            const ssize_t got = pread(fd, buffer + done, size - done, static_cast<off_t>(offset + static_cast<std::ptrdiff_t>(done)));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) throw Error("cannot read " + userPath + ": " + fileName + ": " + std::strerror(errno));
            if (got == 0) throw Error("cannot read " + userPath + ": " + fileName + " ends before its last row (truncated while reading?)");
            done += static_cast<std::size_t>(got);
        }
    }
};

std::unique_ptr<RawCubeReader> RawCubeReader::open(GDALDataset& dataset, const std::string& userPath) {
    GDALDataset::RawBinaryLayout raw;
    if (!dataset.GetRawBinaryLayout(raw)) return nullptr;
    auto layout = std::make_unique<Layout>();
    switch (raw.eDataType) {
    case GDT_Float32: layout->transpose = raw.bLittleEndianOrder == CPL_IS_LSB ? transposeFor<false>(SampleType::Float32) : transposeFor<true>(SampleType::Float32); break;
    case GDT_Int16: layout->transpose = raw.bLittleEndianOrder == CPL_IS_LSB ? transposeFor<false>(SampleType::Int16) : transposeFor<true>(SampleType::Int16); break;
    case GDT_UInt16: layout->transpose = raw.bLittleEndianOrder == CPL_IS_LSB ? transposeFor<false>(SampleType::UInt16) : transposeFor<true>(SampleType::UInt16); break;
    case GDT_Byte: layout->transpose = transposeFor<false>(SampleType::Byte); break;
    default: return nullptr;
    }
    layout->sampleBytes = GDALGetDataTypeSizeBytes(raw.eDataType);
    layout->width = dataset.GetRasterXSize();
    layout->height = dataset.GetRasterYSize();
    layout->bandCount = dataset.GetRasterCount();
    layout->imageOffset = static_cast<std::ptrdiff_t>(raw.nImageOffset);
    layout->pixelOffset = static_cast<std::ptrdiff_t>(raw.nPixelOffset);
    layout->lineOffset = static_cast<std::ptrdiff_t>(raw.nLineOffset);
    layout->bandOffset = static_cast<std::ptrdiff_t>(raw.nBandOffset);
    // Bottom-up or otherwise unusual layouts are left to GDAL.
    if (raw.osRawFilename.empty() || raw.osRawFilename.rfind("/vsi", 0) == 0 || layout->pixelOffset < layout->sampleBytes ||
        layout->lineOffset <= 0 || (layout->bandCount > 1 && layout->bandOffset <= 0) || layout->width <= 0 || layout->height <= 0)
        return nullptr;
    layout->rowSpan = layout->pixelOffset * (layout->width - 1) + layout->sampleBytes;
    const std::ptrdiff_t lineSpan = layout->bandOffset * (layout->bandCount - 1) + layout->rowSpan;
    layout->linesHoldAllBands = lineSpan <= layout->lineOffset;
    if (!layout->linesHoldAllBands && layout->bandOffset < layout->lineOffset * (layout->height - 1) + layout->rowSpan) return nullptr;
    if (static_cast<std::size_t>(layout->lineOffset) * (layout->linesHoldAllBands ? 1 : kBlockBands) > kReadBufferBytes) return nullptr;
    layout->userPath = userPath;
    layout->fileName = std::filesystem::path(raw.osRawFilename).filename().string();
    layout->fd = ::open(raw.osRawFilename.c_str(), O_RDONLY | O_CLOEXEC);
    if (layout->fd < 0) return nullptr;
    return std::unique_ptr<RawCubeReader>(new RawCubeReader(std::move(layout)));
}

RawCubeReader::RawCubeReader(std::unique_ptr<Layout> layout) : mLayout(std::move(layout)) {}

RawCubeReader::~RawCubeReader() {
    if (mLayout->fd >= 0) ::close(mLayout->fd);
}

void RawCubeReader::readRows(int y0, int rows, const std::vector<int>& bands, float* target, std::size_t pixelStride) {
    const Layout& l = *mLayout;
    const int width = l.width;
    const int count = static_cast<int>(bands.size());
    if (l.linesHoldAllBands) {
        // Runs of whole lines (every band), one read each, transposed row by row on every core.
        const int step = std::max(1, static_cast<int>(kReadBufferBytes / static_cast<std::size_t>(l.lineOffset)));
        std::vector<const unsigned char*> rowStart(bands.size());
        for (int r0 = 0; r0 < rows; r0 += step) {
            const int n = std::min(step, rows - r0);
            const std::size_t bytes = static_cast<std::size_t>(l.lineOffset) * (n - 1) + static_cast<std::size_t>(l.bandOffset * (l.bandCount - 1) + l.rowSpan);
            mBuffer.resize(std::max(mBuffer.size(), bytes));
            l.readExactly(mBuffer.data(), bytes, l.imageOffset + static_cast<std::ptrdiff_t>(y0 + r0) * l.lineOffset);
            for (int i = 0; i < count; ++i) rowStart[i] = mBuffer.data() + static_cast<std::ptrdiff_t>(bands[i] - 1) * l.bandOffset;
            float* out = target + static_cast<std::size_t>(r0) * width * pixelStride;
            parallelFor(static_cast<std::size_t>(n), [&](std::size_t a, std::size_t b) {
                for (std::size_t r = a; r < b; ++r) l.transpose(rowStart.data(), count, l.lineOffset, l.pixelOffset, static_cast<int>(r), width, out, pixelStride);
            });
        }
        return;
    }
    // Band-sequential: the rows of up to 16 bands at a time, one read per band.
    const std::size_t bandBytes = static_cast<std::size_t>(l.lineOffset);
    const int step = std::max(1, static_cast<int>(kReadBufferBytes / (bandBytes * kBlockBands)));
    for (int r0 = 0; r0 < rows; r0 += step) {
        const int n = std::min(step, rows - r0);
        const std::size_t span = static_cast<std::size_t>(l.lineOffset) * (n - 1) + static_cast<std::size_t>(l.rowSpan);
        mBuffer.resize(std::max(mBuffer.size(), span * kBlockBands));
        for (int i0 = 0; i0 < count; i0 += kBlockBands) {
            const int block = std::min(kBlockBands, count - i0);
            const unsigned char* rowStart[kBlockBands];
            for (int j = 0; j < block; ++j) {
                unsigned char* into = mBuffer.data() + span * static_cast<std::size_t>(j);
                l.readExactly(into, span, l.imageOffset + static_cast<std::ptrdiff_t>(bands[i0 + j] - 1) * l.bandOffset + static_cast<std::ptrdiff_t>(y0 + r0) * l.lineOffset);
                rowStart[j] = into;
            }
            float* out = target + static_cast<std::size_t>(r0) * width * pixelStride + i0;
            parallelFor(static_cast<std::size_t>(n), [&](std::size_t a, std::size_t b) {
                for (std::size_t r = a; r < b; ++r) l.transpose(rowStart, block, l.lineOffset, l.pixelOffset, static_cast<int>(r), width, out, pixelStride);
            });
        }
    }
}

} // namespace jezero::io::detail
