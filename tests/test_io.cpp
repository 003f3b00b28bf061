// core/io: every reader checked against the raw bytes of the real files, read here independently.
#include "TestPaths.h"
#include "jezero/core/BrowseProducts.h"
#include "jezero/core/Error.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/io/BrowseReader.h"
#include "jezero/io/ImageReader.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/SceneReader.h"
#include "jezero/io/ScenePaths.h"
#include "jezero/io/SyntheticScenes.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

using namespace jezero;

namespace {

// TRR3 IMG: PC_REAL (little-endian float32), band interleaved by line, 64 samples × 15 lines.
float rawBil(const QString& img, int bands, int sample, int line, int band) {
    QFile f(img);
    if (!f.open(QIODevice::ReadOnly)) return std::nanf("");
    f.seek((static_cast<qint64>(line) * bands + band) * 64 * 4 + sample * 4);
    const QByteArray b = f.read(4);
    float v;
    std::memcpy(&v, b.constData(), 4);
    return v;
}

io::ReadOptions detectorsApart() {
    io::ReadOptions options;
    options.joinDetectorPair = false;
    return options;
}

QString imgOf(const QString& label) { return QString(label).replace(".lbl", ".img"); }

// What the reader must produce from a raw value.
bool sameAsRaw(float cube, float raw) {
    if (raw == 65535.0f || !std::isfinite(raw) || raw < -1 || raw > 10) return std::isnan(cube);
    return cube == raw;
}

// Copies a bundled TRR3 product under a new name, pointing its label at the renamed IMG.
void copyProduct(const QString& dir, const QString& fromStem, const QString& toStem) {
    const QString from = QFileInfo(test::sampleVnirLabel()).absolutePath() + "/" + fromStem;
    QFile::copy(from + ".img", dir + "/" + toStem + ".img");
    QFile in(from + ".lbl");
    in.open(QIODevice::ReadOnly);
    QFile out(dir + "/" + toStem + ".lbl");
    out.open(QIODevice::WriteOnly);
    out.write(in.readAll().replace(fromStem.toUpper().toUtf8() + ".IMG", toStem.toUpper().toUtf8() + ".IMG"));
}

QString expectError(const QString& path, const QString& fragment) {
    try {
        io::readScene(path.toStdString());
    } catch (const Error& e) {
        const QString message = e.what();
        if (!message.contains(fragment) || message.contains('\n')) return "unexpected message: " + message;
        return {};
    }
    return "no error for " + path;
}

} // namespace

class TestIo : public QObject {
    Q_OBJECT
private slots:
    // First, before anything else in this process touches GDAL: the window reads a scene while the scene
    // library reads others, so the first reads may come from several threads at once (GDAL's driver
    // registration crashed when two threads ran it together).
    void firstReadsFromSeveralThreadsAtOnce() {
        const std::string paths[] = {test::sampleVnirLabel().toStdString(), test::sampleMtrdrTiff().toStdString(),
                                     test::sampleIrLabel().toStdString(), test::sampleMtrdrTiff().toStdString()};
        std::vector<std::thread> readers;
        std::atomic<int> read{0};
        for (const std::string& path : paths)
            readers.emplace_back([&read, path] {
                if (io::readScene(path).bands() > 0) ++read;
            });
        for (auto& t : readers) t.join();
        QCOMPARE(read.load(), 4);
    }

    void vnirLabelReadsRawValuesAndRowWavelengths() {
        const auto cube = io::readScene(test::sampleVnirLabel().toStdString(), detectorsApart());
        QCOMPARE(cube.width(), 64);
        QCOMPARE(cube.height(), 15);
        QCOMPARE(cube.bands(), 107);
        QCOMPARE(cube.metadata().productId, std::string("FRT0001458F_01_IF156S_TRR3"));
        QCOMPARE(cube.metadata().sensor, std::string("S"));
        QCOMPARE(cube.metadata().observationType, std::string("FRT"));
        QCOMPARE(cube.wavelengthsNm().front(), 364.62); // detector row 185
        QVERIFY(std::is_sorted(cube.wavelengthsNm().begin(), cube.wavelengthsNm().end()));
        const QString img = imgOf(test::sampleVnirLabel());
        int nodata = 0;
        for (int line : {0, 7, 14})
            for (int sample : {0, 5, 32, 63})
                for (int band : {0, 20, 53, 106}) {
                    const float raw = rawBil(img, 107, sample, line, band);
                    QVERIFY2(sameAsRaw(cube.value(sample, line, band), raw), qPrintable(QString("s%1 l%2 b%3").arg(sample).arg(line).arg(band)));
                    nodata += raw == 65535.0f;
                }
        // Both paths are covered: 24 of the 48 raw values are 65535 (samples 0 and 5, masked detector
        // edge; tests/reference/nodata.py) and read as no data, the others as data.
        QCOMPARE(nodata, 24);
    }

    void irBandsAreReorderedToAscendingWavelength() {
        const auto cube = io::readScene(test::sampleIrLabel().toStdString(), detectorsApart());
        QCOMPARE(cube.bands(), 438);
        QCOMPARE(cube.wavelengthsNm().front(), 1001.35); // file band 437
        QCOMPARE(cube.wavelengthsNm().back(), 3943.49);  // file band 0
        const QString img = imgOf(test::sampleIrLabel());
        for (int band : {0, 100, 300, 437}) {
            const float raw = rawBil(img, 438, 31, 8, band);
            QVERIFY(sameAsRaw(cube.value(31, 8, 437 - band), raw));
        }
    }

    void enviHeaderAndPdsLabelGiveTheSameCube() {
        const auto pds = io::readScene(test::sampleIrLabel().toStdString(), detectorsApart());
        const auto envi = io::readScene(imgOf(test::sampleIrLabel()).toStdString(), detectorsApart());
        QCOMPARE(envi.metadata().format, std::string("ENVI"));
        QCOMPARE(pds.metadata().format, std::string("PDS3"));
        QCOMPARE(envi.wavelengthsNm(), pds.wavelengthsNm());
        const std::size_t n = pds.pixelCount() * pds.bands();
        for (std::size_t i = 0; i < n; ++i) {
            const float a = pds.data()[i], b = envi.data()[i];
            QVERIFY((std::isnan(a) && std::isnan(b)) || a == b);
        }
    }

    void pairJoinsLikeMtrdrFromEitherFile() {
        const auto fromS = io::readScene(test::sampleVnirLabel().toStdString());
        const auto fromL = io::readScene(test::sampleIrLabel().toStdString());
        QCOMPARE(fromS.metadata().sensor, std::string("J"));
        QCOMPARE(fromS.wavelengthsNm(), fromL.wavelengthsNm());
        // VNIR channels up to 1010.18 nm (107 rows less the 7 rows 285–291 above it) and IR from
        // 1047.20 nm (438 channels less the 7 from 1001.35 to 1040.65 nm).
        const auto& w = fromS.wavelengthsNm();
        QCOMPARE(std::count_if(w.begin(), w.end(), [](double x) { return x < 1030; }), 100);
        QCOMPARE(std::count_if(w.begin(), w.end(), [](double x) { return x > 1030; }), 431);
        QVERIFY(std::is_sorted(w.begin(), w.end()));
        // Joined values: the VNIR part from the S file, the 3943 nm channel from the L file's band 0.
        QVERIFY(sameAsRaw(fromS.value(10, 3, 50), rawBil(imgOf(test::sampleVnirLabel()), 107, 10, 3, 50)));
        QVERIFY(sameAsRaw(fromS.value(10, 3, fromS.bands() - 1), rawBil(imgOf(test::sampleIrLabel()), 438, 10, 3, 0)));
    }

    void enviCubesOfEveryInterleaveReadTheSame() {
        // Re-lay the VNIR IMG's bytes as BSQ and BIP here (no library involved), with ENVI headers in
        // micrometres and big-endian for BIP, and expect the very same cube as from the PDS3 label.
        const auto reference = io::readScene(test::sampleVnirLabel().toStdString(), detectorsApart());
        QFile raw(imgOf(test::sampleVnirLabel()));
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray bil = raw.read(64 * 15 * 107 * 4);
        QStringList microns;
        for (double w : reference.wavelengthsNm()) microns << QString::number(w / 1000.0, 'g', 10);
        QTemporaryDir dir;
        for (const QString interleave : {"bsq", "bip"}) {
            const bool bigEndian = interleave == "bip";
            QByteArray out(bil.size(), 0);
            for (int line = 0; line < 15; ++line)
                for (int band = 0; band < 107; ++band)
                    for (int sample = 0; sample < 64; ++sample) {
                        const qint64 from = ((qint64(line) * 107 + band) * 64 + sample) * 4;
                        const qint64 to = interleave == "bsq" ? ((qint64(band) * 15 + line) * 64 + sample) * 4
                                                              : ((qint64(line) * 64 + sample) * 107 + band) * 4;
                        for (int k = 0; k < 4; ++k) out[to + k] = bil[from + (bigEndian ? 3 - k : k)];
                    }
            const QString base = dir.path() + "/cube_" + interleave;
            QFile img(base + ".img");
            QVERIFY(img.open(QIODevice::WriteOnly));
            img.write(out);
            img.close();
            QFile hdr(base + ".hdr");
            QVERIFY(hdr.open(QIODevice::WriteOnly));
            hdr.write(QString("ENVI\nsamples = 64\nlines = 15\nbands = 107\nheader offset = 0\nfile type = ENVI Standard\n"
                              "data type = 4\ninterleave = %1\nbyte order = %2\ndata ignore value = 65535\n"
                              "wavelength units = Micrometers\nwavelength = {%3}\n")
                          .arg(interleave).arg(bigEndian ? 1 : 0).arg(microns.join(", "))
                          .toUtf8());
            hdr.close();
            const auto cube = io::readScene((base + ".hdr").toStdString());
            QCOMPARE(cube.bands(), 107);
            for (int b = 0; b < 107; ++b) QVERIFY(std::abs(cube.wavelengthsNm()[b] - reference.wavelengthsNm()[b]) < 1e-6);
            const std::size_t n = cube.pixelCount() * cube.bands();
            for (std::size_t i = 0; i < n; ++i) {
                const float a = cube.data()[i], r = reference.data()[i];
                QVERIFY2((std::isnan(a) && std::isnan(r)) || a == r, qPrintable(interleave));
            }
        }
    }

    void rawLayoutsReadAsGdalReadsThem() {
        // Files read straight from their raw layout must give what GDAL's RasterIO gives: every interleave,
        // integer and float samples of either byte order, a header offset, no-data, and cubes of several
        // read buffers (16 MiB) — BIL lines of 2.4 MB, and a band-sequential cube of 24 MB.
        struct Case {
            const char* interleave;
            int dataType; // ENVI: 1 byte, 2 int16, 12 uint16, 4 float32
            bool bigEndian;
            int width, height, bands, headerOffset;
        };
        // The last case is band-sequential float32 of 2048 × 1100: the reader's chunks (1024 lines) span
        // several of its read buffers (128 lines of 2 bands); the BIP ones list their wavelengths descending,
        // so the bands are read in reverse.
        const Case cases[] = {{"bil", 4, false, 2048, 20, 300, 0}, {"bil", 2, true, 37, 11, 23, 100}, {"bsq", 12, false, 2048, 300, 20, 0},
                              {"bip", 1, false, 19, 7, 5, 7},      {"bip", 4, true, 33, 9, 41, 0},    {"bsq", 4, false, 5, 3, 2, 512},
                              {"bsq", 4, false, 2048, 1100, 2, 0}};
        QTemporaryDir dir;
        for (const Case& c : cases) {
            const int bytes = c.dataType == 1 ? 1 : c.dataType == 4 ? 4 : 2;
            const auto value = [&](int x, int y, int b) { return (x * 7 + y * 13 + b * 3) % 200 + (c.dataType == 4 ? 0.25 : 0.0); };
            QByteArray data(c.headerOffset + qint64(c.width) * c.height * c.bands * bytes, 0);
            for (int y = 0; y < c.height; ++y)
                for (int b = 0; b < c.bands; ++b)
                    for (int x = 0; x < c.width; ++x) {
                        const std::string il = c.interleave;
                        const qint64 index = il == "bsq" ? (qint64(b) * c.height + y) * c.width + x
                                             : il == "bil" ? (qint64(y) * c.bands + b) * c.width + x
                                                           : (qint64(y) * c.width + x) * c.bands + b;
                        unsigned char sample[4];
                        double v = value(x, y, b);
                        if (c.dataType == 4 && x == 1 && y == 1) v = b % 2 ? 65535.0 : std::nan("");
                        if (c.dataType == 4) {
                            const float f = static_cast<float>(v);
                            std::memcpy(sample, &f, 4);
                        } else if (c.dataType == 1) {
                            sample[0] = static_cast<unsigned char>(v);
                        } else {
                            const auto i = static_cast<std::uint16_t>(c.dataType == 2 ? static_cast<std::uint16_t>(static_cast<std::int16_t>(v - 100)) : v);
                            std::memcpy(sample, &i, 2);
                        }
                        for (int k = 0; k < bytes; ++k) data[c.headerOffset + index * bytes + k] = static_cast<char>(sample[c.bigEndian ? bytes - 1 - k : k]);
                    }
            const QString base = dir.path() + QString("/%1_%2_%3").arg(c.interleave).arg(c.dataType).arg(c.bigEndian);
            QFile img(base + ".img");
            QVERIFY(img.open(QIODevice::WriteOnly));
            img.write(data);
            img.close();
            QStringList nm;
            const bool descending = std::string(c.interleave) == "bip";
            for (int b = 0; b < c.bands; ++b) nm << QString::number(descending ? 3000 - 10 * b : 1000 + 10 * b);
            QFile hdr(base + ".hdr");
            QVERIFY(hdr.open(QIODevice::WriteOnly));
            hdr.write(QString("ENVI\nsamples = %1\nlines = %2\nbands = %3\nheader offset = %4\nfile type = ENVI Standard\n"
                              "data type = %5\ninterleave = %6\nbyte order = %7\nwavelength units = Nanometers\nwavelength = {%8}\n")
                          .arg(c.width).arg(c.height).arg(c.bands).arg(c.headerOffset).arg(c.dataType).arg(c.interleave)
                          .arg(c.bigEndian ? 1 : 0).arg(nm.join(", "))
                          .toUtf8());
            hdr.close();
            io::ReadOptions throughGdal;
            throughGdal.directRawRead = false;
            throughGdal.maxValid = throughGdal.minValid = std::nan(""); // nothing masked by range: compare raw values
            io::ReadOptions direct = throughGdal;
            direct.directRawRead = true;
            QVERIFY2(io::readsRawLayout((base + ".hdr").toStdString(), direct), qPrintable(base));
            QVERIFY(!io::readsRawLayout((base + ".hdr").toStdString(), throughGdal));
            const auto a = io::readScene((base + ".hdr").toStdString(), direct);
            const auto g = io::readScene((base + ".hdr").toStdString(), throughGdal);
            const QString name = QFileInfo(base).fileName();
            QCOMPARE(a.bands(), c.bands);
            const std::size_t n = a.pixelCount() * a.bands();
            for (std::size_t i = 0; i < n; ++i)
                QVERIFY2((std::isnan(a.data()[i]) && std::isnan(g.data()[i])) || a.data()[i] == g.data()[i], qPrintable(name + " value " + QString::number(i)));
            // And both are what was written (channel 0 is the file's last band when they were listed descending).
            const int x = c.width - 1, y = c.height - 1, b = c.bands - 1;
            const double expected = c.dataType == 2 ? value(x, y, b) - 100 : value(x, y, b);
            QVERIFY2(a.spectrum(x, y)[descending ? 0 : b] == static_cast<float>(expected), qPrintable(name));
            if (c.dataType == 4) { // NaN and CRISM's 65535 alternate over the bands of pixel 1,1
                QVERIFY(std::isnan(a.spectrum(1, 1)[0]));
                if (c.bands > 1) QVERIFY(std::isnan(a.spectrum(1, 1)[1]));
            }
        }
    }

    void differentSegmentsAreNotJoined() {
        QTemporaryDir dir;
        copyProduct(dir.path(), "frt0001458f_01_if156s_trr3", "frt00000001_01_if156s_trr3");
        copyProduct(dir.path(), "frt0001458f_01_if156l_trr3", "frt00000001_02_if156l_trr3");
        QVERIFY(!io::findDetectorPartner((dir.path() + "/frt00000001_01_if156s_trr3.lbl").toStdString()));
        const auto cube = io::readScene((dir.path() + "/frt00000001_01_if156s_trr3.lbl").toStdString());
        QCOMPARE(cube.bands(), 107);
    }

    void pixelSpectrumEqualsTheCubesSpectrum() {
        const auto cube = io::readScene(test::sampleVnirLabel().toStdString());
        const auto s = io::readPixelSpectrum(test::sampleVnirLabel().toStdString(), 40, 11);
        QCOMPARE(s.wavelengthsNm, cube.wavelengthsNm());
        for (int b = 0; b < cube.bands(); ++b) {
            const float a = cube.value(40, 11, b), v = s.values[b];
            QVERIFY((std::isnan(a) && std::isnan(v)) || a == v);
        }
        QVERIFY_THROWS_EXCEPTION(Error, io::readPixelSpectrum(test::sampleVnirLabel().toStdString(), 64, 0));
    }

    void mtrdrGeoTiffGetsBundledWavelengthsAndItsMarsCrs() {
        const auto cube = io::readScene(test::sampleMtrdrTiff().toStdString());
        QCOMPARE(cube.bands(), 489);
        QCOMPARE(cube.width(), 20);
        QVERIFY(cube.metadata().wavelengthsFromBundledTable);
        QCOMPARE(cube.wavelengthsNm().front(), 436.13);
        QVERIFY(QString::fromStdString(cube.metadata().crsWkt).contains("Mars_2000"));
        QVERIFY(cube.metadata().centre.has_value());
        // gdalinfo prints the centre as 33°15'41.90"S, 37°0'44.97"W.
        QVERIFY(std::abs(cube.metadata().centre->latitudeDeg - -(33 + 15 / 60.0 + 41.90 / 3600)) < 1e-4);
        QVERIFY(std::abs(cube.metadata().centre->longitudeDeg - -(37 + 0 / 60.0 + 44.97 / 3600)) < 1e-4);
        QVERIFY(cube.geolocator());
        for (std::size_t i = 0; i < cube.pixelCount() * cube.bands(); ++i) QVERIFY(cube.data()[i] != 65535.0f);
        QVERIFY(cube.noDataValueCount() > 0);
    }

    void badInputGivesOneLineErrors() {
        QTemporaryDir dir;
        const QString d = dir.path();
        // truncated .img behind a valid label
        copyProduct(d, "frt0001458f_01_if156s_trr3", "frt00000002_01_if156s_trr3");
        QFile::resize(d + "/frt00000002_01_if156s_trr3.img", 200000);
        QCOMPARE(expectError(d + "/frt00000002_01_if156s_trr3.lbl", "truncated"), QString());
        // label saying the wrong size (16 lines for a 15-line image)
        copyProduct(d, "frt0001458f_01_if156s_trr3", "frt00000003_01_if156s_trr3");
        QFile label(d + "/frt00000003_01_if156s_trr3.lbl");
        QVERIFY(label.open(QIODevice::ReadOnly));
        QByteArray text = label.readAll().replace("LINES             = 15", "LINES             = 16");
        label.close();
        QVERIFY(label.open(QIODevice::WriteOnly | QIODevice::Truncate));
        label.write(text);
        label.close();
        QCOMPARE(expectError(d + "/frt00000003_01_if156s_trr3.lbl", "label"), QString());
        // ENVI header with no wavelength list and 107 bands: no table applies
        QFile::copy(imgOf(test::sampleVnirLabel()), d + "/plain.img");
        QFile hdr(d + "/plain.hdr");
        QVERIFY(hdr.open(QIODevice::WriteOnly));
        hdr.write("ENVI\nsamples = 64\nlines = 15\nbands = 107\nheader offset = 0\nfile type = ENVI Standard\n"
                  "data type = 4\ninterleave = bil\nbyte order = 0\n");
        hdr.close();
        QCOMPARE(expectError(d + "/plain.img", "no wavelengths"), QString());
        // ENVI header whose wavelength list has the wrong length
        QVERIFY(hdr.open(QIODevice::Append));
        hdr.write("wavelength = {400, 500, 600}\n");
        hdr.close();
        QCOMPARE(expectError(d + "/plain.hdr", "3 wavelengths for 107 bands"), QString());
        // empty file, directory, missing file, unknown extension, .img without label
        QFile(d + "/empty.lbl").open(QIODevice::WriteOnly);
        QCOMPARE(expectError(d + "/empty.lbl", "empty"), QString());
        QCOMPARE(expectError(d, "directory"), QString());
        QCOMPARE(expectError(d + "/nothing.img", "no such file"), QString());
        QFile::copy(test::resource("crism/wavelengths/mtrdr_axis.tab"), d + "/table.tab");
        QCOMPARE(expectError(d + "/table.tab", "not a CRISM scene file"), QString());
        QFile::copy(imgOf(test::sampleVnirLabel()), d + "/lonely.img");
        QCOMPARE(expectError(d + "/lonely.img", "no .hdr or .lbl"), QString());
        // a text file named .lbl
        QFile::copy(test::resource("PROVENANCE.md"), d + "/notes.lbl");
        QCOMPARE(expectError(d + "/notes.lbl", "not a PDS3"), QString());
        // FIFOs (or any non-regular file) where data should be: refused at once, never waited on
        copyProduct(d, "frt0001458f_01_if156s_trr3", "frt00000004_01_if156s_trr3");
        QFile::remove(d + "/frt00000004_01_if156s_trr3.img");
        QCOMPARE(::mkfifo(QFile::encodeName(d + "/frt00000004_01_if156s_trr3.img").constData(), 0600), 0);
        QCOMPARE(expectError(d + "/frt00000004_01_if156s_trr3.lbl", "not a regular file"), QString());
        QCOMPARE(::mkfifo(QFile::encodeName(d + "/pipe.img").constData(), 0600), 0);
        QFile::copy(d + "/plain.hdr", d + "/pipe.hdr");
        QCOMPARE(expectError(d + "/pipe.img", "not a regular file"), QString());
        QCOMPARE(expectError(d + "/pipe.hdr", "no data file"), QString());
        // ENVI layout keys GDAL would read as something else
        QStringList nm;
        for (int b = 0; b < 107; ++b) nm << QString::number(400 + 5 * b);
        const QByteArray wavelengths = "wavelength = {" + nm.join(", ").toUtf8() + "}\n";
        const auto header = [&](const QByteArray& layout) {
            QFile h(d + "/plain.hdr");
            h.open(QIODevice::WriteOnly | QIODevice::Truncate);
            h.write("ENVI\n" + layout + "\nheader offset = 0\nfile type = ENVI Standard\n" + wavelengths);
        };
        header("samples = 4294967297\nlines = 15\nbands = 107\ndata type = 4\ninterleave = bil\nbyte order = 0");
        QCOMPARE(expectError(d + "/plain.hdr", "samples = 4294967297"), QString());
        header("samples = 64\nlines = 15\nbands = 107\ndata type = 4\ninterleave = bil\nbyte order = 7");
        QCOMPARE(expectError(d + "/plain.hdr", "byte order = 7"), QString());
        header("samples = 64\nlines = 15\nbands = 107\ndata type = 4\ninterleave = xyz\nbyte order = 0");
        QCOMPARE(expectError(d + "/plain.hdr", "interleave = xyz"), QString());
        header("samples = 64\nlines = 15\nbands = 107\ndata type = 6\ninterleave = bil\nbyte order = 0");
        QCOMPARE(expectError(d + "/plain.hdr", "data type = 6"), QString());
        // Wavelengths that cannot be a spectrometer's: absurd, or two bands at one wavelength.
        const auto withWavelengths = [&](QStringList list, const QByteArray& extra = {}) {
            QFile h(d + "/plain.hdr");
            h.open(QIODevice::WriteOnly | QIODevice::Truncate);
            h.write("ENVI\nsamples = 64\nlines = 15\nbands = 107\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\n"
                    "interleave = bil\nbyte order = 0\nwavelength units = Nanometers\nwavelength = {" + list.join(", ").toUtf8() + "}\n" + extra);
        };
        QStringList absurd = nm;
        absurd[5] = "2e9";
        withWavelengths(absurd);
        QCOMPARE(expectError(d + "/plain.hdr", "band 6 has no valid wavelength (2e+09 nm)"), QString());
        QStringList twice = nm;
        twice[7] = twice[6];
        withWavelengths(twice);
        QCOMPARE(expectError(d + "/plain.hdr", "bands 7 and 8 have the same wavelength (430 nm)"), QString());
        // A FWHM list of NaN is dropped with a warning (widths from the spacing), not carried into every band.
        QStringList nans;
        for (int b = 0; b < 107; ++b) nans << "nan";
        withWavelengths(nm, "fwhm = {" + nans.join(", ").toUtf8() + "}\n");
        const auto noWidths = io::readScene((d + "/plain.hdr").toStdString());
        QCOMPARE(noWidths.bands(), 107);
        QVERIFY(noWidths.fwhmNm().empty());
        // Without a unit, widths are in the wavelengths' unit: 10 nm widths of nm wavelengths stay 10 nm
        // (they were once taken as µm, being under 100).
        QStringList widths;
        for (int b = 0; b < 107; ++b) widths << "10";
        {
            QFile h(d + "/plain.hdr");
            h.open(QIODevice::WriteOnly | QIODevice::Truncate);
            h.write("ENVI\nsamples = 64\nlines = 15\nbands = 107\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\n"
                    "interleave = bil\nbyte order = 0\nwavelength = {" + nm.join(", ").toUtf8() + "}\nfwhm = {" + widths.join(", ").toUtf8() + "}\n");
        }
        const auto unitless = io::readScene((d + "/plain.hdr").toStdString());
        QCOMPARE(unitless.wavelengthsNm().front(), 400.0);
        QCOMPARE(unitless.fwhmNm().front(), 10.0);
        // Dimensions that fit the (sparse) file but not in memory: refused before allocating.
        QFile huge(d + "/huge.img");
        QVERIFY(huge.open(QIODevice::WriteOnly));
        QVERIFY(huge.resize(qint64(60000) * 60000 * 107 * 4)); // 1.5 TB, sparse: no disk used
        huge.close();
        QFile hugeHeader(d + "/huge.hdr");
        hugeHeader.open(QIODevice::WriteOnly | QIODevice::Truncate);
        hugeHeader.write("ENVI\nsamples = 60000\nlines = 60000\nbands = 107\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\n"
                         "interleave = bil\nbyte order = 0\n" + wavelengths);
        hugeHeader.close();
        QCOMPARE(expectError(d + "/huge.hdr", "of memory available"), QString());
    }

    void nonCrismTiffIsRefused() {
        // A plain 4×4 single-band 8-bit TIFF, written byte by byte (no library in the loop).
        QTemporaryDir dir;
        const QString path = dir.path() + "/photo.tif";
        QByteArray t("II*\0\x08\0\0\0", 8);
        const auto u16 = [&](quint16 v) { t.append(char(v & 0xFF)).append(char(v >> 8)); };
        const auto u32 = [&](quint32 v) { for (int i = 0; i < 4; ++i) t.append(char((v >> (8 * i)) & 0xFF)); };
        const quint16 tags[][2] = {{256, 4}, {257, 4}, {258, 8}, {259, 1}, {262, 1}, {273, 0}, {277, 1}, {278, 4}, {279, 16}};
        u16(9);
        const quint32 dataOffset = 8 + 2 + 9 * 12 + 4;
        for (const auto& tag : tags) {
            u16(tag[0]);
            u16(tag[0] == 273 || tag[0] == 279 ? 4 : 3); // LONG for offsets/counts, SHORT otherwise
            u32(1);
            u32(tag[0] == 273 ? dataOffset : tag[1]);
        }
        u32(0);
        t.append(QByteArray(16, char(100)));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(t);
        f.close();
        QCOMPARE(expectError(path, "not the 489-channel MTRDR grid"), QString());
    }

    void geoTiffKeepsTheScenesCrsGeotransformAndBandNames() {
        const auto cube = io::readScene(test::sampleMtrdrTiff().toStdString());
        ImageStack image(cube.width(), cube.height(), {"A", "B"});
        for (std::size_t p = 0; p < image.pixelCount(); ++p) {
            image.values[p * 2] = static_cast<float>(p);
            image.values[p * 2 + 1] = p % 7 ? 0.5f : std::nanf("");
        }
        QTemporaryDir dir;
        const QString path = dir.path() + "/out.tif";
        io::writeGeoTiff(path.toStdString(), image, cube.metadata(), {{"JEZERO_TEST", "yes"}});
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"out.tif"});
        const auto back = io::readImageStack(path.toStdString());
        QCOMPARE(back.first.channelNames, (std::vector<std::string>{"A", "B"}));
        QCOMPARE(back.second.crsWkt, cube.metadata().crsWkt);
        QCOMPARE(*back.second.geoTransform, *cube.metadata().geoTransform);
        for (std::size_t i = 0; i < image.values.size(); ++i) {
            const float a = image.values[i], b = back.first.values[i];
            QVERIFY((std::isnan(a) && std::isnan(b)) || a == b);
        }
    }

    void mtrdrBrowseProductReadsBackToParameterValues() {
        const QString img = test::resource("crism/mtrdr_browse/frt00008fc1_07_brphyj_mtr3.img");
        const auto browse = io::readBrowseProduct(img.toStdString());
        QCOMPARE(browse.parameters.channelNames, (std::vector<std::string>{"D2300", "D2200", "BD1900R2"}));
        QCOMPARE(browse.parameters.width, 819);
        QCOMPARE(browse.parameters.height, 798);
        QVERIFY(QString::fromStdString(browse.metadata.crsWkt).contains("Mars_2000"));
        // The label's OFFSET and SCALING_FACTOR, copied by hand; DN read straight from the BSQ bytes.
        const double offset[] = {0.0, 2.5e-3, 0.0}, scale[] = {1.4441e-4, 6.8627e-5, 1.9584e-4};
        QFile f(img);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        int valid = 0, nodata = 0;
        for (int y : {0, 150, 399, 700})
            for (int x : {0, 300, 409, 810})
                for (int b = 0; b < 3; ++b) {
                    const auto dn = static_cast<unsigned char>(bytes[(qint64(b) * 798 + y) * 819 + x]);
                    const float v = browse.parameters.at(x, y, b);
                    if (dn == 255) {
                        QVERIFY(std::isnan(v));
                        ++nodata;
                    } else {
                        QVERIFY(std::abs(v - (offset[b] + scale[b] * dn)) < 1e-7);
                        ++valid;
                    }
                }
        QVERIFY(valid > 10 && nodata > 0);
    }

    void browseTableStretchesAgreeWithTheRealLabel() {
        // The PHY label's OFFSET is the table's lower limit and OFFSET + 255·SCALE never lies below
        // the table's floor on the upper limit (the check described in the table's provenance).
        const BrowseProduct phy = browseProduct("phy");
        const double offset[] = {0.0, 2.5e-3, 0.0}, scale[] = {1.4441e-4, 6.8627e-5, 1.9584e-4};
        for (int c = 0; c < 3; ++c) {
            QVERIFY(phy.low[c].percentile < 0);
            QVERIFY(std::abs(phy.low[c].fixed - offset[c]) < 1e-9);
            QVERIFY(phy.high[c].floor <= offset[c] + 255 * scale[c] + 1e-6);
        }
        QCOMPARE(browseProducts().size(), std::size_t(18));
        QCOMPARE(browseProduct("FAL").parameters, (std::array<std::string, 3>{"R2529", "R1506", "R1080"}));
        QVERIFY_THROWS_EXCEPTION(Error, browseProduct("XYZ"));
        // A single parameter's CRISM stretch is the one of the first product that shows it (the
        // table's FEM row: BD530_2 from 0 to max(P99.9; 0.28279391)).
        const auto bd530 = browseStretchOf("BD530_2");
        QVERIFY(bd530);
        QCOMPARE(QString::fromStdString(bd530->product), QString("FEM"));
        QCOMPARE(bd530->low.percentile, -1.0);
        QCOMPARE(bd530->low.fixed, 0.0);
        QCOMPARE(bd530->high.percentile, 99.9);
        QCOMPARE(bd530->high.floor, 0.28279391);
        QCOMPARE(QString::fromStdString(browseStretchOf("R770")->product), QString("VNA"));
        QVERIFY(!browseStretchOf("NOT_A_PARAMETER"));
    }

    void aBrowseProductCanBeStretchedToItsOwnPercentiles() {
        // FAL of a 101-pixel strip whose channels run 0…1, 0…2 and 0…4 (and one NaN): the table's fixed
        // limits, or 2–98 % of each channel's own values.
        ImageStack parameters(102, 1, {"R2529", "R1506", "R1080"});
        for (int x = 0; x < 101; ++x)
            for (int c = 0; c < 3; ++c) parameters.at(x, 0, c) = static_cast<float>(x / 100.0 * (1 << c));
        for (int c = 0; c < 3; ++c) parameters.at(101, 0, c) = std::numeric_limits<float>::quiet_NaN();
        const BrowseProduct fal = browseProduct("FAL");
        const CompositeImage standard = renderBrowse(parameters, fal);
        std::vector<float> red;
        for (int x = 0; x < 102; ++x) red.push_back(parameters.at(x, 0, 0));
        QCOMPARE(standard.channels[0].low, fal.low[0].resolve(red)); // the table's limit (FAL's: a percentile)
        const CompositeImage own = renderBrowse(parameters, withPercentileStretch(fal, 2, 98));
        for (int c = 0; c < 3; ++c) {
            QVERIFY(std::abs(own.channels[c].low - 0.02 * (1 << c)) < 1e-6);
            QVERIFY(std::abs(own.channels[c].high - 0.98 * (1 << c)) < 1e-6);
        }
        QVERIFY(std::abs(int(own.rgba[50 * 4]) - (0.5 - 0.02) / 0.96 * 255) <= 1); // the middle pixel's red
        QVERIFY_THROWS_EXCEPTION(Error, withPercentileStretch(fal, 98, 2));
    }

    void pngWriterWritesAtomically() {
        QTemporaryDir dir;
        CompositeImage image;
        image.width = 3;
        image.height = 2;
        image.rgba.assign(3 * 2 * 4, 200);
        io::writePng((dir.path() + "/c.png").toStdString(), image);
        QFile f(dir.path() + "/c.png");
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"c.png"});
        QImage back(dir.path() + "/c.png");
        QCOMPARE(back.size(), QSize(3, 2));
        QCOMPARE(qRed(back.pixel(1, 1)), 200);
    }

    // The sample a first start shows: Jezero crater with carbonate at the pixel it offers (checked
    // against the true abundance written beside it), made once, remade when damaged, and never made
    // over a folder of someone else's files.
    void theSampleSceneIsJezeroWithCarbonateMadeOnce() {
        qputenv("JEZERO_RESOURCES", JEZERO_TEST_RESOURCES);
        QTemporaryDir root;
        const std::string dir = (root.path() + "/sample").toStdString();
        const io::SampleScene sample = io::ensureSampleScene(dir);
        QVERIFY2(sample.description.find("Jezero crater") == 0, sample.description.c_str());
        const SpectralCube cube = io::readScene(sample.path);
        QCOMPARE(cube.width(), 256);
        QCOMPARE(cube.height(), 256);
        QVERIFY(cube.contains(sample.pixelX, sample.pixelY));
        const auto [abundance, meta] = io::readImageStack(QString::fromStdString(sample.path).replace("_if_mtr3.img", "_abundance.img").toStdString());
        const int carbonate = abundance.channelIndex("carbonate");
        QVERIFY(carbonate >= 0);
        QVERIFY2(abundance.at(sample.pixelX, sample.pixelY, carbonate) > kCarbonateLabelAbundance,
                 qPrintable(QString::number(abundance.at(sample.pixelX, sample.pixelY, carbonate))));
        // No other pixel's 5 × 5 neighbourhood is richer (what "carbonate-richest" promises).
        const ImageStack smoothed = meanFilter(abundance, 5);
        for (int y = 0; y < smoothed.height; ++y)
            for (int x = 0; x < smoothed.width; ++x)
                if (std::isfinite(smoothed.at(x, y, carbonate))) QVERIFY(smoothed.at(x, y, carbonate) <= smoothed.at(sample.pixelX, sample.pixelY, carbonate));

        // Made once: a second call reads the index and touches nothing.
        const auto written = std::filesystem::last_write_time(sample.path);
        const io::SampleScene again = io::ensureSampleScene(dir);
        QCOMPARE(again.path, sample.path);
        QCOMPARE(again.pixelX, sample.pixelX);
        QVERIFY(std::filesystem::last_write_time(sample.path) == written);
        // A sample with its cube deleted is made again, the same; the damaged folder is moved aside, not
        // deleted (a user's ROI file beside the scene survives), and no temporary is left.
        QFile rois(QString::fromStdString(dir) + "/my.rois.geojson");
        QVERIFY(rois.open(QIODevice::WriteOnly));
        rois.close();
        std::filesystem::remove(sample.path);
        const io::SampleScene remade = io::ensureSampleScene(dir + "/"); // a trailing slash names the same folder
        QCOMPARE(remade.path, sample.path);
        QVERIFY(std::filesystem::is_regular_file(remade.path));
        QCOMPARE(remade.pixelY, sample.pixelY);
        const QStringList folders = QDir(root.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(folders.size(), 2);
        QVERIFY2(folders.contains("sample") && folders.filter(QRegularExpression("^sample\\.damaged-")).size() == 1, qPrintable(folders.join(' ')));
        QVERIFY(QFile::exists(root.path() + "/" + folders.filter(QRegularExpression("^sample\\.damaged-")).first() + "/my.rois.geojson"));

        // A folder with other files is refused and left as it was.
        QFile other(root.path() + "/mine/notes.txt");
        QVERIFY(QDir().mkpath(root.path() + "/mine"));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.close();
        try {
            io::ensureSampleScene((root.path() + "/mine").toStdString());
            QFAIL("a folder of other files was taken for the sample");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("not a sample scene folder") != std::string::npos, e.what());
        }
        QVERIFY(other.exists());
        // …and so is a folder whose sample.json is not one of ours.
        QFile foreign(root.path() + "/mine/sample.json");
        QVERIFY(foreign.open(QIODevice::WriteOnly));
        foreign.write("{\"experiment\": 3}\n");
        foreign.close();
        QVERIFY_THROWS_EXCEPTION(Error, io::ensureSampleScene((root.path() + "/mine").toStdString()));
        QVERIFY(other.exists() && foreign.exists());
    }
};

QTEST_GUILESS_MAIN(TestIo)
#include "test_io.moc"
