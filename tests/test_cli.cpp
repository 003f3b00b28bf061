// jezero-cli as scripts use it: exact JSON keys, exit codes, one-line errors.
#include "TestPaths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QThread>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

namespace {

struct Run {
    int exitCode;
    QByteArray out;
    QByteArray err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(JEZERO_CLI_PATH), args);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// gdalinfo -json of a file (its metadata, bands and their descriptions).
QJsonObject gdalinfo(const QString& path) {
    QProcess gdal;
    gdal.start("gdalinfo", {"-json", path});
    gdal.waitForFinished(30000);
    return QJsonDocument::fromJson(gdal.readAllStandardOutput()).object();
}

QStringList keys(const QJsonObject& o) {
    QStringList k = o.keys();
    k.sort();
    return k;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qputenv("JEZERO_LOG_DIR", QDir::tempPath().toUtf8() + "/jezero-test-logs"); }

    void infoJsonHasTheDocumentedKeys() {
        const Run r = cli({"info", jezero::test::sampleVnirLabel(), "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject info = QJsonDocument::fromJson(r.out).object();
        for (const char* key : {"product_id", "samples", "lines", "bands", "wavelength_min_nm", "wavelength_max_nm", "crs_wkt", "nodata_pixels"})
            QVERIFY2(info.contains(key), key);
        QCOMPARE(info["samples"].toInt(), 64);
        QCOMPARE(info["lines"].toInt(), 15);
        QCOMPARE(info["bands"].toInt(), 531);
        QCOMPARE(info["wavelength_min_nm"].toDouble(), 364.62);
        QCOMPARE(info["crs_wkt"].toString(), QString());
        QCOMPARE(info["wavelengths_from_bundled_table"].toBool(), true); // TRR3: detector rows → the bundled tables
        // Pixels with no value in any S or L band (65535): 60, counted with numpy on the raw IMG files
        // (tests/reference/nodata.py).
        QVERIFY(info["nodata_pixels"].isDouble());
        QCOMPARE(info["nodata_pixels"].toInt(), 60);
    }

    void infoOfMtrdrWarnsAboutBundledWavelengths() {
        const Run r = cli({"info", jezero::test::sampleMtrdrTiff(), "--json"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.contains("bundled MTRDR wavelength table"));
        const QJsonObject info = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(info["bands"].toInt(), 489);
        QVERIFY(info["crs_wkt"].toString().contains("Mars"));
    }

    void spectrumJsonIsAscendingWithNullForNoData() {
        const Run r = cli({"spectrum", jezero::test::sampleVnirLabel(), "--pixel", "0,0", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(keys(s), (QStringList{"pixel", "values", "wavelengths_nm"}));
        const QJsonArray w = s["wavelengths_nm"].toArray(), v = s["values"].toArray();
        QCOMPARE(w.size(), 531);
        QCOMPARE(v.size(), w.size());
        for (int i = 1; i < w.size(); ++i) QVERIFY(w[i].toDouble() > w[i - 1].toDouble());
        // Pixel 0,0 of this EPF segment is a no-data edge column: all null.
        int nulls = 0;
        for (const auto& x : v) nulls += x.isNull();
        QCOMPARE(nulls, v.size());
    }

    void spectrumCsvMatchesJson() {
        const Run csv = cli({"spectrum", jezero::test::sampleMtrdrTiff(), "--pixel", "10,10"});
        const Run json = cli({"spectrum", jezero::test::sampleMtrdrTiff(), "--pixel", "10,10", "--json"});
        QCOMPARE(csv.exitCode, 0);
        QCOMPARE(json.exitCode, 0);
        const QList<QByteArray> lines = csv.out.trimmed().split('\n');
        QCOMPARE(lines.first(), QByteArray("wavelength_nm,value"));
        const QJsonObject j = QJsonDocument::fromJson(json.out).object();
        const QJsonArray v = j["values"].toArray(), w = j["wavelengths_nm"].toArray();
        QCOMPARE(lines.size() - 1, v.size());
        int values = 0;
        for (int i = 0; i < v.size(); ++i) {
            const QList<QByteArray> row = lines[i + 1].split(',');
            QCOMPARE(row.size(), 2);
            QVERIFY(std::abs(row[0].toDouble() - w[i].toDouble()) < 1e-6);
            QVERIFY2(v[i].isNull() ? row[1].isEmpty() : std::abs(row[1].toDouble() - v[i].toDouble()) < 1e-6, lines[i + 1].constData());
            values += !v[i].isNull();
        }
        QVERIFY(values > 400); // a real spectrum, not a no-data pixel
    }

    void errorsAreOneLineAndNonZero() {
        for (const QStringList& args : {QStringList{"info", "/nonexistent/scene.img"},
                                        QStringList{"spectrum", jezero::test::sampleVnirLabel(), "--pixel", "64,0"},
                                        QStringList{"spectrum", jezero::test::sampleVnirLabel(), "--pixel", "x"},
                                        QStringList{"info", QDir::tempPath()}}) {
            const Run r = cli(args);
            QVERIFY2(r.exitCode == 1, qPrintable(args.join(' ')));
            const QByteArray err = r.err.trimmed();
            QVERIFY2(err.startsWith("jezero-cli: error: ") && !err.contains('\n'), err.constData());
        }
        QVERIFY(cli({"nosuchcommand"}).exitCode != 0);
    }

    void spectralProductsAreGeoTiffsWithTheScenesCrs() {
        QTemporaryDir dir;
        const QString scene = jezero::test::sampleMtrdrTiff();
        QCOMPARE(cli({"cassis", scene, "--out", dir.path() + "/cassis.tif"}).exitCode, 0);
        QCOMPARE(cli({"inputs", scene, "--kind", "pca", "--out", dir.path() + "/pca.tif"}).exitCode, 0);
        QCOMPARE(cli({"inputs", scene, "--kind", "rect", "--ranges", "780-900,1550-1990", "--out", dir.path() + "/rect.tif"}).exitCode, 0);
        QCOMPARE(cli({"params", scene, "--names", "R1080,D2300,BD2500_2", "--out", dir.path() + "/params.tif"}).exitCode, 0);
        QCOMPARE(cli({"browse", scene, "--product", "FAL", "--out", dir.path() + "/fal.png"}).exitCode, 0);
        QCOMPARE(QImage(dir.path() + "/fal.png").size(), QSize(20, 20));
        // The scene's info and the products agree on size; their band descriptions name the channels.
        QProcess gdal;
        gdal.start("gdalinfo", {"-json", dir.path() + "/params.tif"});
        QVERIFY(gdal.waitForFinished(30000));
        const QJsonObject params = QJsonDocument::fromJson(gdal.readAllStandardOutput()).object();
        QCOMPARE(params["size"].toArray()[0].toInt(), 20);
        QStringList descriptions;
        for (const auto& band : params["bands"].toArray()) descriptions << band.toObject()["description"].toString();
        QCOMPARE(descriptions, (QStringList{"R1080", "D2300", "BD2500_2"}));
        QVERIFY(params["coordinateSystem"].toObject()["wkt"].toString().contains("Mars_2000"));
        QCOMPARE(params["geoTransform"].toArray()[1].toDouble(), 670.5);
    }

    void paramsSpectrumListsEveryParameter() {
        const Run r = cli({"params-spectrum", jezero::test::sampleVnirLabel(), "--pixel", "32,7", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject p = QJsonDocument::fromJson(r.out).object()["parameters"].toObject();
        QCOMPARE(p.size(), 56);
        QVERIFY(std::abs(p["R600"].toDouble() - 0.2) < 0.05); // the window's spectrum plot shows ~0.2 at 600 nm
        QVERIFY(p.contains("MIN2295_2480"));
        // A VNIR-only cube: IR parameters are null, not numbers.
        QTemporaryDir dir;
        for (const char* ext : {".img", ".lbl"})
            QFile::copy(QString(jezero::test::sampleVnirLabel()).replace(".lbl", ext), dir.path() + "/frt0001458f_01_if156s_trr3" + ext);
        const Run vnir = cli({"params-spectrum", dir.path() + "/frt0001458f_01_if156s_trr3.lbl", "--pixel", "32,7", "--json"});
        QCOMPARE(vnir.exitCode, 0);
        QVERIFY(QJsonDocument::fromJson(vnir.out).object()["parameters"].toObject()["D2300"].isNull());
    }

    void matchRanksTheLibraryAgainstAPixel() {
        const Run r = cli({"match", jezero::test::sampleMtrdrTiff(), "--pixel", "10,10", "--top", "7", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["range_nm"].toArray()[0].toDouble(), 1000.0);
        QCOMPARE(j["library_size"].toInt(), 76);
        const QJsonArray matches = j["matches"].toArray();
        QCOMPARE(matches.size(), 7);
        for (int i = 0; i < matches.size(); ++i) {
            const QJsonObject m = matches[i].toObject();
            QCOMPARE(m["rank"].toInt(), i + 1);
            QVERIFY(m["channels"].toInt() > 200 && m["angle_deg"].toDouble() >= 0 && m["angle_deg"].toDouble() <= 90);
            if (i) QVERIFY(matches[i - 1].toObject()["correlation"].toDouble() >= m["correlation"].toDouble());
        }
        const Run csv = cli({"match", jezero::test::sampleMtrdrTiff(), "--pixel", "10,10", "--top", "2", "--range", "1800-2500"});
        QCOMPARE(csv.exitCode, 0);
        QCOMPARE(csv.out.trimmed().split('\n').size(), 3);
        QVERIFY(csv.out.startsWith("rank,name,kind,correlation,angle_deg,channels"));
        // An ROI's mean instead of a pixel: a file with two ROIs needs --roi-name.
        QTemporaryDir dir;
        QFile rois(dir.path() + "/rois.geojson");
        QVERIFY(rois.open(QIODevice::WriteOnly));
        rois.write(R"({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "bright", "pixel_coordinates": [[2, 2], [8, 2], [8, 8], [2, 8]]}, "geometry": null},
            {"type": "Feature", "properties": {"name": "dark", "pixel_coordinates": [[10, 10], [14, 10], [14, 14], [10, 14]]}, "geometry": null}]})");
        rois.close();
        const Run roi = cli({"match", jezero::test::sampleMtrdrTiff(), "--roi", rois.fileName(), "--roi-name", "dark", "--json"});
        QVERIFY2(roi.exitCode == 0, roi.err.constData());
        const QJsonObject fromRoi = QJsonDocument::fromJson(roi.out).object();
        QCOMPARE(fromRoi["roi"].toString(), QString("dark"));
        QCOMPARE(fromRoi["pixels"].toInt(), 16);
        QCOMPARE(fromRoi["matches"].toArray().size(), 10);
        QVERIFY(cli({"match", jezero::test::sampleMtrdrTiff(), "--roi", rois.fileName()}).err.contains("several ROIs (bright, dark)"));
        QVERIFY(cli({"match", jezero::test::sampleMtrdrTiff(), "--roi", rois.fileName(), "--roi-name", "x"}).err.contains("no ROI 'x'"));
        QVERIFY(cli({"match", jezero::test::sampleMtrdrTiff()}).err.contains("--pixel X,Y or --roi"));
    }

    void cleanWritesTheCleanedCubeAndSaysWhatChanged() {
        QTemporaryDir dir;
        const QString scene = jezero::test::sampleIrLabel();
        const Run r = cli({"clean", scene, "--despike", "--destripe", "--out", dir.path() + "/clean.img"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith("spike removal replaced ") && lines[0].contains(" values in "), lines[0].constData());
        QVERIFY2(lines[1].startsWith("column destriping corrected 489 bands: mean column correction "), lines[1].constData());
        QVERIFY(QFile::exists(dir.path() + "/clean.hdr"));
        // The cleaned cube opens like any scene, and a pixel's spectrum differs from the raw one.
        const Run info = cli({"spectrum", dir.path() + "/clean.img", "--pixel", "30,7", "--json"});
        QVERIFY2(info.exitCode == 0, info.err.constData());
        const Run raw = cli({"spectrum", scene, "--pixel", "30,7", "--json"});
        QVERIFY(QJsonDocument::fromJson(info.out).object()["values"].toArray() != QJsonDocument::fromJson(raw.out).object()["values"].toArray());
        // params and browse clean first when asked, and say so.
        const Run params = cli({"params", scene, "--names", "BD2290", "--despike", "--out", dir.path() + "/p.tif"});
        QVERIFY2(params.exitCode == 0 && params.out.startsWith("spike removal replaced "), params.out.constData());
        QVERIFY(cli({"browse", scene, "--product", "FAL", "--destripe", "--out", dir.path() + "/fal.png"}).out.startsWith("column destriping corrected"));
        QVERIFY(cli({"clean", scene, "--out", dir.path() + "/x.img"}).err.contains("needs --despike, --destripe or both"));
        // Never over the scene's own files: the label's data file, its partner's, a header beside the output.
        QTemporaryDir copies;
        for (const QString& stem : {QString("frt0001458f_01_if156l_trr3"), QString("frt0001458f_01_if156s_trr3")})
            for (const char* ext : {".img", ".lbl"})
                QVERIFY(QFile::copy(QFileInfo(scene).absolutePath() + "/" + stem + ext, copies.path() + "/" + stem + ext));
        const QString label = copies.path() + "/frt0001458f_01_if156l_trr3.lbl";
        for (const QString& out : {copies.path() + "/frt0001458f_01_if156l_trr3.img", copies.path() + "/frt0001458f_01_if156s_trr3.img"}) {
            const QByteArray before = [&] { QFile f(out); f.open(QIODevice::ReadOnly); return f.readAll(); }();
            const Run refused = cli({"clean", label, "--despike", "--out", out});
            QVERIFY2(refused.exitCode == 1 && refused.err.contains("is the input scene"), refused.err.constData());
            QFile after(out);
            QVERIFY(after.open(QIODevice::ReadOnly) && after.readAll() == before);
        }
        // Destriping a map-projected scene (MTRDR) is skipped, and said.
        const Run projected = cli({"clean", jezero::test::sampleMtrdrTiff(), "--destripe", "--out", dir.path() + "/m.img"});
        QVERIFY2(projected.exitCode == 0 && projected.out.startsWith("column destriping skipped: the scene is map-projected"), projected.out.constData());
        QVERIFY(cli({"clean", scene, "--despike", "--out", dir.path() + "/x.tif"}).err.contains("ENVI image ending in .img"));
    }

    void badSpectralArgumentsAreOneLineErrors() {
        QTemporaryDir dir;
        const QString scene = jezero::test::sampleMtrdrTiff();
        for (const QStringList& args : {QStringList{"inputs", scene, "--kind", "rgb", "--out", dir.path() + "/x.tif"},
                                        QStringList{"inputs", scene, "--kind", "rect", "--ranges", "900-800", "--out", dir.path() + "/x.tif"},
                                        QStringList{"params", scene, "--names", "NOPE", "--out", dir.path() + "/x.tif"},
                                        QStringList{"browse", scene, "--product", "XYZ", "--out", dir.path() + "/x.png"},
                                        QStringList{"cassis", scene, "--out", dir.path() + "/x.jpg"},
                                        QStringList{"params", scene, "--names", "R1080", "--all", "--out", dir.path() + "/x.tif"},
                                        QStringList{"render", scene, "--stretch-low", "90", "--stretch-high", "10", "--out", dir.path() + "/r"},
                                        QStringList{"inputs", scene, "--kind", "pnr", "--ranges", "780-900", "--out", dir.path() + "/x.tif"},
                                        QStringList{"inputs", scene, "--kind", "rect", "--filters", scene, "--out", dir.path() + "/x.tif"},
                                        QStringList{"match", scene, "--pixel", "10,10", "--range", "100-300"},
                                        QStringList{"match", scene, "--pixel", "10,10", "--range", "1000-1500,2000-2500"},
                                        QStringList{"match", scene, "--pixel", "99,10"}}) {
            const Run r = cli(args);
            QVERIFY2(r.exitCode == 1, qPrintable(args.join(' ')));
            QVERIFY2(r.err.count("jezero-cli: error: ") == 1 && r.err.trimmed().split('\n').last().startsWith("jezero-cli: error: "),
                     r.err.constData());
        }
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0); // nothing half-written
        // An output that names the input scene is refused before anything is written.
        const QString copy = dir.path() + "/scene.tif";
        QVERIFY(QFile::copy(scene, copy));
        QFile original(scene);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        for (const QStringList& args : {QStringList{"params", copy, "--out", copy}, QStringList{"cassis", copy, "--out", dir.path() + "/./scene.tif"},
                                        QStringList{"predict", copy, "--model", "carbonate", "--out", copy}}) {
            const Run r = cli(args);
            QVERIFY2(r.exitCode == 1 && r.err.contains("is the input scene"), qPrintable(args.join(' ') + ": " + r.err));
        }
        QFile after(copy);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QVERIFY(after.readAll() == bytes);
    }

    void synthWritesIdenticalScenesForTheSameSeed() {
        QTemporaryDir a, b;
        for (const QString& dir : {a.path(), b.path()}) {
            const Run r = cli({"synth", "--count", "2", "--size", "32", "--seed", "9", "--carbonate-fraction", "0.5", "--out", dir});
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        QStringList files = QDir(a.path()).entryList(QDir::Files);
        // Per scene: I/F, observed and noise-free parameters, abundances, units (.img + .hdr) and a sidecar; one index.
        QCOMPARE(files.size(), 2 * 11 + 1);
        for (const char* suffix : {"_if_mtr3.img", "_su_mtr3.img", "_su_clean_mtr3.img", "_abundance.img", "_units.img"})
            QCOMPARE(files.filter(suffix).size(), 2);
        for (const QString& f : files) {
            QFile fa(a.path() + "/" + f), fb(b.path() + "/" + f);
            QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
            QVERIFY2(fa.readAll() == fb.readAll(), qPrintable(f));
        }
        QFile index(a.path() + "/synth.json");
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QJsonArray scenes = QJsonDocument::fromJson(index.readAll()).object()["scenes"].toArray();
        QCOMPARE(scenes.size(), 2);
        QFile sidecar(a.path() + "/" + scenes[0].toString() + ".json");
        QVERIFY(sidecar.open(QIODevice::ReadOnly));
        const QJsonObject meta = QJsonDocument::fromJson(sidecar.readAll()).object();
        for (const char* key : {"name", "seed", "region", "latitude_deg", "longitude_deg", "carbonate_bearing", "carbonate_pixel_fraction", "minerals", "files"})
            QVERIFY2(meta.contains(key), key);
        // The I/F cube is an ordinary scene to every other command.
        const Run info = cli({"info", a.path() + "/" + meta["files"].toObject()["if"].toString(), "--json"});
        QCOMPARE(info.exitCode, 0);
        const QJsonObject i = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(i["bands"].toInt(), 489);
        QVERIFY(i["crs_wkt"].toString().contains("Mars"));
        QVERIFY(std::abs(i["centre_latitude_deg"].toDouble() - meta["latitude_deg"].toDouble()) < 0.01);
        // Bad arguments: one line, nothing written.
        QTemporaryDir c;
        QCOMPARE(cli({"synth", "--count", "0", "--seed", "1", "--out", c.path()}).exitCode, 1);
        QCOMPARE(cli({"synth", "--count", "1", "--seed", "1", "--carbonate-fraction", "2", "--out", c.path()}).exitCode, 1);
        QCOMPARE(QDir(c.path()).entryList(QDir::Files).size(), 0);
    }

    void datasetBuildTilesScenesIntoSplitsAndInfoReportsThem() {
        QTemporaryDir scenes, data;
        QCOMPARE(cli({"synth", "--count", "6", "--size", "48", "--seed", "21", "--carbonate-fraction", "0.5", "--out", scenes.path()}).exitCode, 0);
        const QString out = data.path() + "/ds";
        const Run build = cli({"dataset", "build", scenes.path(), "--out", out, "--tile", "16", "--input", "4band", "--target", "car", "--seed", "3"});
        QVERIFY2(build.exitCode == 0, build.err.constData());
        const Run info = cli({"dataset", "info", out, "--json"});
        QCOMPARE(info.exitCode, 0);
        const QJsonObject j = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(j["input"].toString(), QString("4band"));
        QCOMPARE(j["target"].toString(), QString("car"));
        QCOMPARE(j["tile"].toInt(), 16);
        const QJsonObject splits = j["splits"].toObject();
        for (const char* split : {"train", "val", "test", "test_balanced"}) {
            QVERIFY2(splits.contains(split), split);
            QVERIFY(splits[split].toObject().contains("tiles") && splits[split].toObject().contains("carbonate_tiles"));
        }
        QVERIFY(splits["train"].toObject()["tiles"].toInt() > 0);
        const QJsonObject balanced = splits["test_balanced"].toObject();
        QCOMPARE(balanced["carbonate_tiles"].toInt() * 2, balanced["tiles"].toInt());
        // No scene in two splits: read the tile indexes.
        QMap<QString, QString> sceneSplit;
        for (const char* split : {"train", "val", "test"}) {
            QFile csv(out + "/" + split + "_tiles.csv");
            QVERIFY(csv.open(QIODevice::ReadOnly));
            csv.readLine();
            while (!csv.atEnd()) {
                const QString scene = QString(csv.readLine()).split(',')[1];
                QVERIFY2(!sceneSplit.contains(scene) || sceneSplit[scene] == split, qPrintable(scene));
                sceneSplit[scene] = split;
            }
        }
        QVERIFY(sceneSplit.size() >= 4);
        QCOMPARE(j["skipped_scenes"].toArray().size(), 0);
        // A damaged dataset is named, in one line.
        QFile::resize(out + "/train_targets.f32", 12);
        const Run broken = cli({"dataset", "info", out});
        QCOMPARE(broken.exitCode, 1);
        QVERIFY(broken.err.contains("corrupt or partial") && !broken.err.trimmed().contains('\n'));
        QCOMPARE(cli({"dataset", "build", scenes.path(), "--out", out}).exitCode, 1); // never over an existing dataset
        // A damaged scene among good ones is skipped, said and listed (--strict stops instead, and
        // leaves no folder behind).
        const QString victim = QDir(scenes.path()).entryList({"*_if_mtr3.img"}).first();
        QFile::resize(scenes.path() + "/" + victim, 100);
        const Run skipping = cli({"dataset", "build", scenes.path(), "--out", data.path() + "/skipping", "--tile", "16", "--seed", "3"});
        QVERIFY2(skipping.exitCode == 0 && skipping.err.contains("skipped " + victim.section("_if_", 0, 0).toUtf8()), skipping.err.constData());
        const QJsonObject skippedInfo = QJsonDocument::fromJson(cli({"dataset", "info", data.path() + "/skipping", "--json"}).out).object();
        QCOMPARE(skippedInfo["skipped_scenes"].toArray().size(), 1);
        QVERIFY(skippedInfo["skipped_scenes"].toArray()[0].toObject()["reason"].toString().contains("cannot read"));
        const Run strict = cli({"dataset", "build", scenes.path(), "--out", data.path() + "/strict", "--tile", "16", "--seed", "3", "--strict"});
        QVERIFY2(strict.exitCode == 1 && strict.err.contains(victim.toUtf8()), strict.err.constData());
        QVERIFY(!QFileInfo::exists(data.path() + "/strict"));
        QCOMPARE(cli({"dataset", "build", scenes.path(), "--out", data.path() + "/x", "--target", "A,B"}).exitCode, 1);
        // Impossible or contradictory options are one-line errors, and leave no folder.
        for (const QStringList& extra : {QStringList{"--tile", "64"}, // larger than every 48-pixel scene: no tile at all
                                         QStringList{"--tile", "16", "--crops", "-5"},
                                         QStringList{"--tile", "16", "--target", "carbonate", "--smooth", "3"},
                                         QStringList{"--tile", "16", "--input", "pnr", "--ranges", "780-900"}}) {
            const Run r = cli(QStringList{"dataset", "build", scenes.path(), "--out", data.path() + "/bad"} + extra);
            QVERIFY2(r.exitCode == 1 && r.err.count("jezero-cli: error: ") == 1, qPrintable(extra.join(' ') + ": " + r.err));
            QVERIFY2(!QFileInfo::exists(data.path() + "/bad"), qPrintable(extra.join(' ')));
        }
        QVERIFY(cli({"dataset", "build", scenes.path(), "--out", data.path() + "/bad", "--tile", "64"}).err.contains("no train tile"));
    }

    void datasetTargetsComeFromTheMtrdrSummaryProductWhenPresent() {
        // An SR product beside the I/F cube (here: the computed FAL parameters doubled with GDAL's own
        // gdal_translate) is what the dataset's targets hold; without it they are computed.
        QTemporaryDir with, without, work;
        const QString scene = "/frt0000932c_07_if164j_mtr3.tif";
        QFile::copy(jezero::test::sampleMtrdrTiff(), with.path() + scene);
        QFile::copy(jezero::test::sampleMtrdrTiff(), without.path() + scene);
        QCOMPARE(cli({"params", with.path() + scene, "--names", "R2529,R1506,R1080", "--out", work.path() + "/fal.tif"}).exitCode, 0);
        QProcess translate;
        translate.start("gdal_translate", {"-q", "-ot", "Float32", "-scale", "0", "1", "0", "2", work.path() + "/fal.tif",
                                           with.path() + "/frt0000932c_07_sr164j_mtr3.tif"});
        QVERIFY(translate.waitForFinished(30000) && translate.exitCode() == 0);
        // One scene leaves val and test empty: an error naming the counts and the way out, nothing written.
        const Run single = cli({"dataset", "build", with.path(), "--out", work.path() + "/a", "--tile", "16"});
        QCOMPARE(single.exitCode, 1);
        QVERIFY2(single.err.contains("train 1, val 0, test 0") && single.err.contains("--allow-empty-splits"), single.err.constData());
        QVERIFY(!QFileInfo::exists(work.path() + "/a"));
        QCOMPARE(cli({"dataset", "build", with.path(), "--out", work.path() + "/a", "--tile", "16", "--allow-empty-splits"}).exitCode, 0);
        QCOMPARE(cli({"dataset", "build", without.path(), "--out", work.path() + "/b", "--tile", "16", "--allow-empty-splits"}).exitCode, 0);
        // Training on it says what that means.
        QFile config(work.path() + "/train.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"dataset": "a", "base_width": 4, "depth": 1, "batch": 2, "epochs": 1, "threads": 1})");
        config.close();
        const Run noVal = cli({"train", "--config", config.fileName(), "--out", work.path() + "/run"});
        QVERIFY2(noVal.exitCode == 0 && noVal.err.contains("no validation tiles"), noVal.err.constData());
        const auto floats = [](const QString& path) {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            const QByteArray bytes = f.readAll();
            return std::vector<float>(reinterpret_cast<const float*>(bytes.constData()), reinterpret_cast<const float*>(bytes.constData()) + bytes.size() / 4);
        };
        const auto a = floats(work.path() + "/a/train_targets.f32"), b = floats(work.path() + "/b/train_targets.f32");
        QCOMPARE(a.size(), b.size());
        int compared = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::isfinite(a[i]) && std::isfinite(b[i]) && b[i] != 0) {
                QVERIFY(std::abs(a[i] / b[i] - 2.0f) < 1e-5f);
                ++compared;
            }
        QVERIFY(compared > 500);
    }

    void metricsOfTwoImages() {
        QTemporaryDir dir;
        const QString scene = jezero::test::sampleMtrdrTiff();
        QCOMPARE(cli({"cassis", scene, "--out", dir.path() + "/cassis.tif"}).exitCode, 0);
        QCOMPARE(cli({"inputs", scene, "--kind", "4band", "--out", dir.path() + "/four.tif"}).exitCode, 0);
        QCOMPARE(cli({"inputs", scene, "--kind", "pnr", "--out", dir.path() + "/pnr.tif"}).exitCode, 0);
        // The 4-band input is the CaSSIS simulation: identical images.
        const Run same = cli({"metrics", dir.path() + "/four.tif", dir.path() + "/cassis.tif", "--data-range", "1", "--json"});
        QCOMPARE(same.exitCode, 0);
        const QJsonObject m = QJsonDocument::fromJson(same.out).object();
        for (const char* key : {"rmse", "pcc", "cosine", "sam_deg", "ssim"}) QVERIFY2(m.contains(key), key);
        QCOMPARE(m["rmse"].toDouble(), 0.0);
        QVERIFY(std::abs(m["ssim"].toDouble() - 1) < 1e-9);
        QCOMPARE(m["data_range"].toDouble(), 1.0);
        // The same image plus 0.1 (GDAL's own gdal_translate): RMSE 0.1, PCC 1; the angle and SSIM see the offset.
        QProcess translate;
        translate.start("gdal_translate", {"-q", "-ot", "Float32", "-scale", "0", "1", "0.1", "1.1", dir.path() + "/cassis.tif", dir.path() + "/shifted.tif"});
        QVERIFY(translate.waitForFinished(30000) && translate.exitCode() == 0);
        const Run shiftedRun = cli({"metrics", dir.path() + "/shifted.tif", dir.path() + "/cassis.tif", "--data-range", "1", "--json"});
        QCOMPARE(shiftedRun.exitCode, 0);
        const QJsonObject shifted = QJsonDocument::fromJson(shiftedRun.out).object();
        QVERIFY2(std::abs(shifted["rmse"].toDouble() - 0.1) < 1e-6, shiftedRun.out.constData());
        QVERIFY(std::abs(shifted["pcc"].toDouble() - 1) < 1e-9);
        QVERIFY(shifted["sam_deg"].toDouble() > 1 && shifted["cosine"].toDouble() < 1 && shifted["ssim"].toDouble() < 0.95);
        QCOMPARE(shifted["valid_pixels"].toInt(), m["valid_pixels"].toInt());
        // Different channel counts: one line, exit 1.
        const Run bad = cli({"metrics", dir.path() + "/pnr.tif", dir.path() + "/cassis.tif"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("differ in shape"));
    }

    void gdalsOwnMessagesNeverReachStderr() {
        // A GeoTIFF cut short fails inside GDAL's tile reader, which reports on its own ("ERROR 1: …")
        // unless routed away: the user gets Jezero's one line and nothing else.
        QTemporaryDir dir;
        QCOMPARE(cli({"synth", "--count", "1", "--size", "64", "--seed", "3", "--out", dir.path() + "/scenes"}).exitCode, 0);
        const QString scene = QDir(dir.path() + "/scenes").entryInfoList({"*_if_mtr3.hdr"}).first().filePath();
        QCOMPARE(cli({"cassis", scene, "--out", dir.path() + "/whole.tif"}).exitCode, 0);
        QFile whole(dir.path() + "/whole.tif"), cut(dir.path() + "/cut.tif");
        QVERIFY(whole.open(QIODevice::ReadOnly) && cut.open(QIODevice::WriteOnly));
        cut.write(whole.read(whole.size() - 20000));
        cut.close();
        const Run r = cli({"info", dir.path() + "/cut.tif"});
        QCOMPARE(r.exitCode, 1);
        const QByteArray err = r.err.trimmed();
        QVERIFY2(err.startsWith("jezero-cli: error: cannot read") && err.count('\n') == 0 && !err.contains("ERROR "), err.constData());
    }

    void aCassisProductInPds4OpensAndPredictsAtItsOwnResolution() {
        // CaSSIS products as the PSA distributes them: one PDS4 product per filter (written here by
        // GDAL's PDS4 driver with a label in the CaSSIS layout) from the CaSSIS simulation of a scene.
        QTemporaryDir dir;
        QCOMPARE(cli({"synth", "--count", "1", "--size", "128", "--seed", "5", "--carbonate-fraction", "1", "--out", dir.path() + "/scenes"}).exitCode, 0);
        const QString scene = QDir(dir.path() + "/scenes").entryInfoList({"*_if_mtr3.hdr"}).first().filePath();
        QCOMPARE(cli({"cassis", scene, "--out", dir.path() + "/cassis.tif"}).exitCode, 0);
        const QString stem = dir.path() + "/CAS-MCO-2020-06-01T00.00.00.000-%1-01000-B1.xml";
        const QStringList filters{"BLU", "PAN", "RED", "NIR"};
        // One band of the simulation as a product, its values optionally mapped by gdal_translate's -scale.
        const auto product = [&](int band, const QString& filter, const QString& unit, const QString& path, const QStringList& scale = {}) {
            QProcess translate;
            translate.start("gdal_translate", QStringList{"-q", "-b", QString::number(band), "-ot", "Float32"} + scale +
                                                  QStringList{"-of", "PDS4", "-co", "TEMPLATE=" JEZERO_TEST_DATA "/cassis_pds4_template.xml", "-co",
                                                              "VAR_FILTER=" + filter, "-co", "VAR_PRODUCT=test", "-co", "UNIT=" + unit,
                                                              dir.path() + "/cassis.tif", path});
            return translate.waitForFinished(30000) && translate.exitCode() == 0;
        };
        for (int b = 0; b < 4; ++b) QVERIFY(product(b + 1, filters[b], "I/F", stem.arg(filters[b])));
        // Opening any one of them joins the four filters of the observation.
        const Run info = cli({"info", stem.arg("RED"), "--json"});
        QVERIFY2(info.exitCode == 0, info.err.constData());
        const QJsonObject i = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(i["instrument"].toString(), QString("CaSSIS"));
        QCOMPARE(i["format"].toString(), QString("PDS4"));
        QCOMPARE(i["units"].toString(), QString("I/F"));
        QCOMPARE(i["bands"].toInt(), 4);
        QCOMPARE(i["filters"].toArray().toVariantList(), QVariantList({"BLU", "PAN", "RED", "NIR"}));
        QVERIFY(i["crs_wkt"].toString().contains("Mars"));
        QVERIFY2(!info.err.contains("warning"), info.err.constData());
        // The pixel values are the simulation's, filter by filter (at the filters' nominal centres).
        const QJsonObject a = QJsonDocument::fromJson(cli({"spectrum", stem.arg("PAN"), "--pixel", "100,120", "--json"}).out).object();
        const QJsonObject b = QJsonDocument::fromJson(cli({"spectrum", dir.path() + "/cassis.tif", "--pixel", "100,120", "--json"}).out).object();
        QCOMPARE(a["values"].toArray(), b["values"].toArray());
        QCOMPARE(a["wavelengths_nm"].toArray().toVariantList(), QVariantList({494.8, 678.2, 836.0, 939.3}));

        // Predicted at the model's 18 m (taken as 4.6 m pixels: the simulation kept the scene's grid),
        // fused back to the image's grid.
        const Run predicted = cli({"predict", stem.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--fuse", "hpf", "--out", dir.path() + "/fal.tif", "--json"});
        QVERIFY2(predicted.exitCode == 0, predicted.err.constData());
        QVERIFY2(predicted.err.contains("the pixel size given (4.6 m) is not the one the image's CRS says (18 m)"), predicted.err.constData());
        // The scale step switched: off, predicted on the image's own pixels (and said so); its PSF set by another MTF.
        const Run asItIs = cli({"predict", stem.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--no-rescale", "--out", dir.path() + "/as-is.tif", "--json"});
        QVERIFY2(asItIs.exitCode == 0 && asItIs.err.contains("predicted on the image's own 4.6 m pixels"), asItIs.err.constData());
        const QJsonObject asItIsDone = QJsonDocument::fromJson(asItIs.out.trimmed().split('\n').last()).object();
        QVERIFY(asItIsDone["fusion"].isNull() && asItIsDone["scale_factor"].toDouble() == 1.0 && asItIsDone["width"].toInt() == 128);
        QVERIFY(!QFile::exists(dir.path() + "/as-is.model-scale.tif"));
        const Run softer = cli({"predict", stem.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--psf-mtf", "0.5", "--out", dir.path() + "/softer.tif", "--json"});
        QVERIFY2(softer.exitCode == 0, softer.err.constData());
        QVERIFY(std::abs(QJsonDocument::fromJson(softer.out.trimmed().split('\n').last()).object()["psf_sigma_px"].toDouble() -
                         18.0 / 4.6 * std::sqrt(-2 * std::log(0.5)) / M_PI) < 1e-9);
        const QJsonObject done = QJsonDocument::fromJson(predicted.out.trimmed().split('\n').last()).object();
        QCOMPARE(done["fusion"].toString(), QString("hpf"));
        QVERIFY(done["overlay_threshold"].isNull()); // the FAL card suggests none
        QVERIFY(std::abs(done["scale_factor"].toDouble() - 18.0 / 4.6) < 1e-9);
        QVERIFY(std::abs(done["psf_sigma_px"].toDouble() - 18.0 / 4.6 * std::sqrt(-2 * std::log(0.3)) / M_PI) < 1e-9);
        QCOMPARE(done["width"].toInt(), 128);
        QProcess gdalinfo;
        gdalinfo.start("gdalinfo", {dir.path() + "/fal.tif"});
        QVERIFY(gdalinfo.waitForFinished(30000));
        const QByteArray described = gdalinfo.readAllStandardOutput();
        QVERIFY2(described.contains("Size is 128, 128") && described.contains("JEZERO_FUSION=hpf") && described.contains("Mars"), described.constData());

        // A calibration off by gain 1.1 and offset 0.01 in every filter is brought back by the CRISM
        // scene it overlaps: the fitted lines undo it and the prediction is the calibrated one's.
        const QString off = dir.path() + "/CAS-MCO-2023-01-01T00.00.00.000-%1-04000-B1.xml";
        for (int b = 0; b < 4; ++b) QVERIFY(product(b + 1, filters[b], "I/F", off.arg(filters[b]), {"-scale", "0", "1", "0.01", "1.11"}));
        const Run calibrated = cli({"predict", off.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--fuse", "hpf", "--calibrate-with", scene,
                                    "--out", dir.path() + "/calibrated.tif", "--json"});
        QVERIFY2(calibrated.exitCode == 0, calibrated.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(calibrated.out.trimmed().split('\n').last()).object()["filter_image"].toObject();
        QCOMPARE(report["calibration"].toArray().size(), 4);
        for (const auto& f : report["calibration"].toArray()) {
            const QJsonObject fit = f.toObject();
            QVERIFY2(std::abs(fit["gain"].toDouble() - 1 / 1.1) < 1e-4 && std::abs(fit["offset"].toDouble() + 0.01 / 1.1) < 1e-4,
                     qPrintable(QJsonDocument(fit).toJson(QJsonDocument::Compact)));
            QVERIFY(fit["r2"].toDouble() > 0.9999 && fit["pixels"].toInt() > 10000);
        }
        for (const QString& f : filters) QVERIFY(report["noise_sigma"].toObject()[f].toDouble() > 0);
        const Run same = cli({"metrics", dir.path() + "/calibrated.tif", dir.path() + "/fal.tif", "--data-range", "1", "--json"});
        QVERIFY2(same.exitCode == 0 && QJsonDocument::fromJson(same.out).object()["rmse"].toDouble() < 1e-4, same.out.constData());
        // Without the calibration the same image predicts something else.
        QCOMPARE(cli({"predict", off.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--fuse", "hpf", "--out", dir.path() + "/uncalibrated.tif"}).exitCode, 0);
        const Run differs = cli({"metrics", dir.path() + "/uncalibrated.tif", dir.path() + "/fal.tif", "--data-range", "1", "--json"});
        QVERIFY2(QJsonDocument::fromJson(differs.out).object()["rmse"].toDouble() > 1e-3, differs.out.constData());

        // With no CRISM overlap: matching the training inputs' statistics (in ln I/F for this log-input
        // model) makes a gain-only miscalibration (×1.2) vanish — the same prediction as the right one.
        const QString bright = dir.path() + "/CAS-MCO-2024-01-01T00.00.00.000-%1-05000-B1.xml";
        for (int b = 0; b < 4; ++b) QVERIFY(product(b + 1, filters[b], "I/F", bright.arg(filters[b]), {"-scale", "0", "1", "0", "1.2"}));
        const Run matchedRight = cli({"predict", stem.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--fuse", "hpf", "--match-training", "--out",
                                      dir.path() + "/matched-right.tif", "--json"});
        const Run matchedBright = cli({"predict", bright.arg("PAN"), "--model", "fal", "--pixel-size", "4.6", "--fuse", "hpf", "--match-training", "--out",
                                       dir.path() + "/matched-bright.tif", "--json"});
        QVERIFY2(matchedRight.exitCode == 0 && matchedBright.exitCode == 0, matchedBright.err.constData());
        const QJsonArray lines = QJsonDocument::fromJson(matchedBright.out.trimmed().split('\n').last()).object()["filter_image"].toObject()["training_match"].toArray();
        QCOMPARE(lines.size(), 3); // the model's PAN, NIR, RED
        QCOMPARE(lines[0].toObject()["band"].toString(), QString("PAN"));
        // One gain on I/F per band: in this log-input model's units an offset (gain 1: the scene's contrast
        // kept), ln 1.2 = 0.1823 less for the image 1.2 times too bright.
        const QJsonArray rightLines =
            QJsonDocument::fromJson(matchedRight.out.trimmed().split('\n').last()).object()["filter_image"].toObject()["training_match"].toArray();
        for (int b = 0; b < 3; ++b) {
            const QJsonObject line = lines[b].toObject(), right = rightLines[b].toObject();
            QCOMPARE(line["gain"].toDouble(), 1.0);
            QVERIFY2(std::abs(right["offset"].toDouble() - line["offset"].toDouble() - std::log(1.2)) < 1e-4,
                     qPrintable(QString("%1 vs %2").arg(right["offset"].toDouble()).arg(line["offset"].toDouble())));
        }
        const Run alike = cli({"metrics", dir.path() + "/matched-bright.tif", dir.path() + "/matched-right.tif", "--data-range", "1", "--json"});
        QVERIFY2(QJsonDocument::fromJson(alike.out).object()["rmse"].toDouble() < 1e-4, alike.out.constData());

        // A GeoTIFF whose bands say only their centre wavelength (no filter names anywhere) is read as CaSSIS too.
        {
            QFile vrt(dir.path() + "/wavelengths.vrt");
            QVERIFY(vrt.open(QIODevice::WriteOnly));
            QString xml = "<VRTDataset rasterXSize=\"128\" rasterYSize=\"128\">";
            const char* centres[] = {"497", "675", "840", "940"};
            for (int b = 0; b < 4; ++b)
                xml += QString("<VRTRasterBand dataType=\"Float32\" band=\"%1\"><Metadata><MDI key=\"WAVELENGTH\">%2</MDI></Metadata>"
                               "<SimpleSource><SourceFilename relativeToVRT=\"1\">cassis.tif</SourceFilename><SourceBand>%1</SourceBand></SimpleSource>"
                               "</VRTRasterBand>")
                           .arg(b + 1)
                           .arg(centres[b]);
            vrt.write((xml + "</VRTDataset>").toUtf8());
            vrt.close();
            QProcess translate;
            translate.start("gdal_translate", {"-q", vrt.fileName(), dir.path() + "/wavelengths.tif"});
            QVERIFY(translate.waitForFinished(30000) && translate.exitCode() == 0);
            const Run byWavelength = cli({"info", dir.path() + "/wavelengths.tif", "--json"});
            QVERIFY2(byWavelength.exitCode == 0, byWavelength.err.constData());
            const QJsonObject w = QJsonDocument::fromJson(byWavelength.out).object();
            QCOMPARE(w["instrument"].toString(), QString("CaSSIS"));
            QCOMPARE(w["filters"].toArray().toVariantList(), QVariantList({"BLU", "PAN", "RED", "NIR"}));
        }
        // A product set that cannot be one observation is refused in one line: a label naming the filter of
        // another file, a filter CaSSIS does not have, a product of another size.
        const QString twice = dir.path() + "/CAS-MCO-2023-01-01T00.00.00.000-%1-04000-B1.xml";
        QVERIFY(product(2, "PAN", "I/F", twice.arg("PAN")) && product(3, "PAN", "I/F", twice.arg("RED")));
        const Run twoPan = cli({"info", twice.arg("PAN")});
        QVERIFY2(twoPan.exitCode == 1 && twoPan.err.contains("two bands are PAN") && twoPan.err.trimmed().count('\n') == 0, twoPan.err.constData());
        const QString unknown = dir.path() + "/CAS-MCO-2023-02-01T00.00.00.000-%1-04000-B1.xml";
        QVERIFY(product(1, "GRN", "I/F", unknown.arg("GRN")));
        const Run green = cli({"info", unknown.arg("GRN")});
        QVERIFY2(green.exitCode == 1 && green.err.contains("cannot tell which CaSSIS filter"), green.err.constData());
        const QString sizes = dir.path() + "/CAS-MCO-2023-03-01T00.00.00.000-%1-04000-B1.xml";
        QVERIFY(product(2, "PAN", "I/F", sizes.arg("PAN")) && product(4, "NIR", "I/F", sizes.arg("NIR"), {"-outsize", "64", "64"}));
        const Run sized = cli({"info", sizes.arg("PAN")});
        QVERIFY2(sized.exitCode == 1 && sized.err.contains("has another size"), sized.err.constData());
        const QString mixed = dir.path() + "/CAS-MCO-2023-04-01T00.00.00.000-%1-04000-B1.xml";
        QVERIFY(product(2, "PAN", "I/F", mixed.arg("PAN")) && product(3, "RED", "reflectance", mixed.arg("RED")));
        const Run units = cli({"info", mixed.arg("PAN")});
        QVERIFY2(units.exitCode == 1 && units.err.contains("(RED) is in reflectance") && units.err.contains("in I/F"), units.err.constData());

        // Raw counts are refused; a product set without NIR opens, but a PNR model says what it lacks.
        QVERIFY(product(2, "PAN", "DN", dir.path() + "/CAS-MCO-2021-01-01T00.00.00.000-PAN-02000-B1.xml"));
        const Run dn = cli({"info", dir.path() + "/CAS-MCO-2021-01-01T00.00.00.000-PAN-02000-B1.xml"});
        QCOMPARE(dn.exitCode, 1);
        QVERIFY2(dn.err.contains("raw DN") && dn.err.trimmed().count('\n') == 0, dn.err.constData());
        const QString partial = dir.path() + "/CAS-MCO-2022-01-01T00.00.00.000-%1-03000-B1.xml";
        QVERIFY(product(2, "PAN", "I/F", partial.arg("PAN")) && product(3, "RED", "I/F", partial.arg("RED")));
        const Run two = cli({"info", partial.arg("PAN"), "--json"});
        QCOMPARE(QJsonDocument::fromJson(two.out).object()["filters"].toArray().toVariantList(), QVariantList({"PAN", "RED"}));
        QVERIFY(two.err.contains("only 2 of the four CaSSIS filters"));
        const Run lacking = cli({"predict", partial.arg("PAN"), "--model", "fal", "--out", dir.path() + "/none.tif"});
        QCOMPARE(lacking.exitCode, 1);
        QVERIFY2(lacking.err.contains("pnr inputs need the NIR filter"), lacking.err.constData());
    }

    void pairEvalScoresTheCassisChainAtItsOwnScale() {
        // One synthetic ground at 4.6 m (CaSSIS) and 18 m (CRISM), the shipped models through the whole
        // chain, scored against the 4.6 m truth.
        const Run r = cli({"pair-eval", "--count", "1", "--size", "160", "--seed", "3", "--carbonate-fraction", "1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["scenes"].toArray().size(), 1);
        QCOMPARE(j["carbonate_scenes"].toInt(), 1);
        QVERIFY(j["base_rate"].toDouble() > 0 && j["base_rate"].toDouble() < 1 && j["labelled_pixels"].toInt() > 10000);
        QVERIFY(std::abs(j["factor"].toDouble() - 18.0 / 4.6) < 1e-9);
        const QJsonArray methods = j["methods"].toArray();
        QCOMPARE(methods.size(), 4);
        QMap<QString, QJsonObject> by;
        for (const auto& m : methods) by[m.toObject()["method"].toString()] = m.toObject();
        QCOMPARE(by.keys(), QStringList({"bicubic", "gs", "guided", "hpf"}));
        for (const auto& m : by) {
            QVERIFY(m["carbonate_ap"].toDouble() > 0 && m["carbonate_ap"].toDouble() <= 1);
            QVERIFY(m["fal"].toObject()["rmse"].toDouble() > 0 && m["fal"].toObject()["ssim"].toDouble() > 0);
        }
        // Guided by the CaSSIS image, the FAL structure at 4.6 m is closer to the truth than bicubic upsampling.
        QVERIFY(by["gs"]["fal"].toObject()["ssim"].toDouble() > by["bicubic"]["fal"].toObject()["ssim"].toDouble());
        QVERIFY(by["guided"]["fal"].toObject()["ssim"].toDouble() > by["bicubic"]["fal"].toObject()["ssim"].toDouble());
        // A view miscalibrated ×1.1 + 0.01 is brought back by the CRISM view: FAL RMSE back near the true view's.
        const QJsonObject h = j["harmonisation"].toObject();
        const QJsonObject rmse = h["fal_rmse"].toObject();
        const double truth = rmse["true"].toDouble(), wrong = rmse["miscalibrated"].toDouble(), fixed = rmse["calibrated"].toDouble();
        QVERIFY2(std::abs(fixed - truth) < 0.25 * std::abs(wrong - truth), qPrintable(QString("%1 / %2 / %3").arg(truth).arg(wrong).arg(fixed)));
        // Fitted at the CRISM view's resolution, the gain is near the true 1/1.1 (fitting the sharper image
        // directly had flattened it to about 0.82).
        QVERIFY2(std::abs(h["fitted_gain"].toDouble() - 1 / 1.1) < 0.03, qPrintable(QString::number(h["fitted_gain"].toDouble())));
        QVERIFY(cli({"pair-eval", "--model", "none", "--fal-model", "none"}).err.contains("needs a carbonate model, a FAL model or both"));
        QVERIFY(cli({"pair-eval", "--methods", "nearest"}).err.contains("nearest"));
    }

    void learnedFusionTrainsOnPairsAndFusesACassisImage() {
        // The learned fusion's whole life: pairs into a dataset, a (tiny) diffusion model trained on it,
        // a CaSSIS-like image predicted at 18 m and fused back by it.
        QTemporaryDir dir;
        const Run data = cli({"dataset", "pairs", "--out", dir.path() + "/pairs", "--count", "6", "--size", "64", "--tile", "32", "--seed", "5",
                              "--carbonate-fraction", "0.5"});
        QVERIFY2(data.exitCode == 0, data.err.constData());
        const QJsonObject info = QJsonDocument::fromJson(cli({"dataset", "info", dir.path() + "/pairs", "--json"}).out).object();
        QCOMPARE(info["input"].toString(), QString("fusion"));
        QVERIFY(std::abs(info["fusion_factor"].toDouble() - 18.0 / 4.6) < 1e-9); // the pairs' coarse / fine pixel
        QCOMPARE(info["target_channels"].toArray().toVariantList(), QVariantList({"DETAIL"}));
        QFile config(dir.path() + "/sr.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"dataset": "pairs", "model": "diffusion", "base_width": 8, "depth": 3, "batch": 4, "epochs": 1, "threads": 1,
                         "diffusion": {"mode": "plain", "metadata": false, "image_dropout": 0, "attention": false}})");
        config.close();
        const Run trained = cli({"train", "--config", config.fileName(), "--out", dir.path() + "/sr"});
        QVERIFY2(trained.exitCode == 0, trained.err.constData());
        // The checkpoint keeps the factor it learned (a fusion network's detail is of one factor).
        const QJsonObject model = QJsonDocument::fromJson(cli({"model-info", dir.path() + "/sr/best.pt", "--json"}).out).object();
        QVERIFY(std::abs(model["fusion_factor"].toDouble() - 18.0 / 4.6) < 1e-9);
        QCOMPARE(cli({"synth", "--count", "1", "--size", "96", "--seed", "6", "--out", dir.path() + "/scenes"}).exitCode, 0);
        const QString scene = QDir(dir.path() + "/scenes").entryInfoList({"*_if_mtr3.hdr"}).first().filePath();
        QCOMPARE(cli({"cassis", scene, "--out", dir.path() + "/cassis.tif"}).exitCode, 0);
        const QStringList common{"predict", dir.path() + "/cassis.tif", "--model", "fal", "--pixel-size", "4.6"};
        const Run fused = cli(common + QStringList{"--fuse", "sr", "--fusion-model", dir.path() + "/sr/best.pt", "--fusion-samples", "2", "--out",
                                                   dir.path() + "/sr.tif", "--json"});
        QVERIFY2(fused.exitCode == 0, fused.err.constData());
        const QJsonObject done = QJsonDocument::fromJson(fused.out.trimmed().split('\n').last()).object();
        QCOMPARE(done["fusion"].toString(), QString("sr"));
        QCOMPARE(done["width"].toInt(), 96);
        // The GeoTIFF says which fusion network made it, and how its ensemble was drawn.
        const QJsonObject metadata = gdalinfo(dir.path() + "/sr.tif")["metadata"].toObject()[""].toObject();
        QCOMPARE(metadata["JEZERO_FUSION_MODEL"].toString(), dir.path() + "/sr/best.pt");
        QCOMPARE(QJsonDocument::fromJson(metadata["JEZERO_FUSION_SAMPLING"].toString().toUtf8()).object()["samples"].toInt(), 2);
        // Beside it, the model's input as the network was given it: the image degraded to the model's 18 m.
        const QJsonObject input = gdalinfo(dir.path() + "/sr.model-input.tif");
        QCOMPARE(input["size"].toArray().toVariantList(), QVariantList({25, 25})); // ceil(96 / 3.91)
        QVERIFY(input["metadata"].toObject()[""].toObject()["JEZERO_PRODUCT"].toString().startsWith("model input"));
        QCOMPARE(cli(common + QStringList{"--fuse", "bicubic", "--out", dir.path() + "/bicubic.tif"}).exitCode, 0);
        // The network added detail to the bicubic upsampling (the same 18 m prediction under both).
        const Run added = cli({"metrics", dir.path() + "/sr.tif", dir.path() + "/bicubic.tif", "--data-range", "1", "--json"});
        const double rmse = QJsonDocument::fromJson(added.out).object()["rmse"].toDouble();
        QVERIFY2(added.exitCode == 0 && rmse > 1e-5 && std::isfinite(rmse), added.out.constData());
        // A diffusion model's ensemble spread is upsampled, never given detail: the same under gs as under bicubic.
        const QStringList ensemble{"predict", dir.path() + "/cassis.tif", "--model", "diffusion", "--pixel-size", "4.6", "--samples", "2", "--steps", "2",
                                   "--sampler", "dpm"};
        QCOMPARE(cli(ensemble + QStringList{"--fuse", "gs", "--out", dir.path() + "/gs-ensemble.tif"}).exitCode, 0);
        QCOMPARE(cli(ensemble + QStringList{"--fuse", "bicubic", "--out", dir.path() + "/bicubic-ensemble.tif"}).exitCode, 0);
        const QJsonObject spread =
            QJsonDocument::fromJson(cli({"metrics", dir.path() + "/gs-ensemble.tif", dir.path() + "/bicubic-ensemble.tif", "--json"}).out).object();
        const QJsonArray names = spread["channels"].toArray(), differences = spread["per_channel"].toObject()["rmse"].toArray();
        int spreads = 0, injected = 0;
        for (int c = 0; c < names.size(); ++c) {
            if (names[c].toString().endsWith(" std")) {
                QCOMPARE(differences[c].toDouble(), 0.0);
                ++spreads;
            } else if (names[c].toString().endsWith(" mean")) {
                injected += differences[c].toDouble() > 0;
            }
        }
        QVERIFY2(spreads == 3 && injected == 3, qPrintable(QJsonDocument(spread).toJson(QJsonDocument::Compact)));
        // Any other checkpoint is refused as a fusion model, before predicting.
        const Run refused = cli(common + QStringList{"--fuse", "sr", "--fusion-model", "fal", "--out", dir.path() + "/no.tif"});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.trimmed().split('\n').last().contains("error: not a learned fusion model"), refused.err.constData());
        QVERIFY(!QFile::exists(dir.path() + "/no.tif"));
        // The shipped U-Net gives one answer: an ensemble size asked of it is said to be ignored.
        const Run unet = cli(common + QStringList{"--fuse", "sr", "--fusion-samples", "3", "--out", dir.path() + "/unet.tif"});
        QVERIFY2(unet.exitCode == 0 && unet.err.contains("warning: the fusion model is a regression network"), unet.err.constData());
        QVERIFY2(!unet.err.contains("times coarser"), unet.err.constData()); // the shipped one learned 18 / 4.6
        // Used at another factor, it says so.
        const Run coarser = cli(common + QStringList{"--fuse", "sr", "--fusion-model", dir.path() + "/sr/best.pt", "--fusion-samples", "1", "--model-pixel", "36",
                                                     "--out", dir.path() + "/coarser.tif"});
        QVERIFY2(coarser.exitCode == 0 && coarser.err.contains("trained on pairs 3.91 times coarser than fine; this image is 7.83 times"), coarser.err.constData());
    }

    void theShippedLearnedFusionBeatsBicubicAtFourPointSixMetres() {
        // The shipped fusion network (trained on pairs of seed 1) on a held-out pair: the FAL model's
        // 18 m prediction brought to 4.6 m is closer to the truth there than bicubic upsampling.
        const Run r = cli({"pair-eval", "--count", "1", "--size", "160", "--seed", "3", "--carbonate-fraction", "1", "--methods", "bicubic,sr", "--model",
                           "none", "--no-harmonisation", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QMap<QString, QJsonObject> by;
        for (const auto& m : QJsonDocument::fromJson(r.out).object()["methods"].toArray()) by[m.toObject()["method"].toString()] = m.toObject()["fal"].toObject();
        QCOMPARE(by.keys(), QStringList({"bicubic", "sr"}));
        QVERIFY2(by["sr"]["ssim"].toDouble() > by["bicubic"]["ssim"].toDouble() + 0.1 && by["sr"]["rmse"].toDouble() < by["bicubic"]["rmse"].toDouble(),
                 r.out.constData());
    }

    void fusionEvalScoresEveryMethodAgainstTheFineTruth() {
        QTemporaryDir dir;
        QCOMPARE(cli({"synth", "--count", "2", "--size", "128", "--seed", "21", "--out", dir.path() + "/scenes"}).exitCode, 0);
        QStringList args{"fusion-eval"};
        for (const auto& f : QDir(dir.path() + "/scenes").entryInfoList({"*_if_mtr3.hdr"})) args << f.filePath();
        args << "--json";
        const Run r = cli(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["methods"].toArray().toVariantList(), QVariantList({"bicubic", "guided", "hpf", "gs"}));
        QCOMPARE(j["scenes"].toInt(), 2);
        QCOMPARE(j["parameters"].toArray().toVariantList(), QVariantList({"R2529", "R1506", "R1080"}));
        const QJsonObject mean = j["mean"].toObject();
        for (const char* m : {"bicubic", "guided", "hpf", "gs"})
            for (const char* key : {"rmse", "ergas", "sam_deg", "ssim", "psnr"}) QVERIFY2(mean[m].toObject()[key].isDouble(), key);
        // Detail injection beats plain upsampling on these scenes (the fine truth's texture follows PAN).
        QVERIFY(mean["hpf"].toObject()["ergas"].toDouble() < mean["bicubic"].toObject()["ergas"].toDouble());
        QVERIFY(mean["gs"].toObject()["ssim"].toDouble() > mean["bicubic"].toObject()["ssim"].toDouble());
    }

    void trainReportsJsonLinesStopsOnSigintAndResumes() {
        QTemporaryDir dir;
        QCOMPARE(cli({"synth", "--count", "4", "--size", "32", "--seed", "8", "--out", dir.path() + "/scenes"}).exitCode, 0);
        QCOMPARE(cli({"dataset", "build", dir.path() + "/scenes", "--out", dir.path() + "/data", "--tile", "16"}).exitCode, 0);
        QFile config(dir.path() + "/train.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"dataset": "data", "base_width": 8, "depth": 2, "batch": 2, "epochs": 400, "threads": 1})");
        config.close();
        // Started as a GUI would start it; interrupted once it reports progress.
        QProcess train;
        train.start(QStringLiteral(JEZERO_CLI_PATH), {"train", "--config", config.fileName(), "--out", dir.path() + "/run"});
        QTRY_VERIFY_WITH_TIMEOUT(train.canReadLine(), 60000); // a whole first line
        const QJsonObject first = QJsonDocument::fromJson(train.readLine()).object();
        for (const char* key : {"event", "epoch", "step", "loss", "images_per_s", "eta_s"}) QVERIFY2(first.contains(key), key);
        ::kill(static_cast<pid_t>(train.processId()), SIGINT);
        QVERIFY(train.waitForFinished(60000));
        QCOMPARE(train.exitStatus(), QProcess::NormalExit);
        QCOMPARE(train.exitCode(), 0);
        QVERIFY(train.readAllStandardOutput().contains("\"canceled\""));
        QVERIFY(QFile::exists(dir.path() + "/run/latest.pt"));
        QFile log(dir.path() + "/run/training_log.csv");
        QVERIFY(log.open(QIODevice::ReadOnly) && log.readAll().contains("canceled"));
        // A second run into the same folder is refused; --resume picks it up (stopped again by a cancel file).
        QCOMPARE(cli({"train", "--config", config.fileName(), "--out", dir.path() + "/run"}).exitCode, 1);
        QFile(dir.path() + "/run/cancel").open(QIODevice::WriteOnly);
        const Run resumed = cli({"train", "--resume", "--out", dir.path() + "/run"});
        QCOMPARE(resumed.exitCode, 0);
        QVERIFY(resumed.out.contains("\"canceled\""));
        QVERIFY(!QFile::exists(dir.path() + "/run/cancel"));

        // --resume with a config that differs names the differences and stops; --allow-config-change goes on.
        QFile longer(dir.path() + "/longer.json");
        QVERIFY(longer.open(QIODevice::WriteOnly));
        longer.write(R"({"dataset": "data", "base_width": 8, "depth": 2, "batch": 2, "epochs": 500, "threads": 1})");
        longer.close();
        const Run refused = cli({"train", "--resume", "--config", longer.fileName(), "--out", dir.path() + "/run"});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("epochs: 400 → 500") && refused.err.contains("--allow-config-change") && refused.err.trimmed().count('\n') == 0,
                 refused.err.constData());
        QFile(dir.path() + "/run/cancel").open(QIODevice::WriteOnly);
        const Run changed = cli({"train", "--resume", "--config", longer.fileName(), "--allow-config-change", "--out", dir.path() + "/run"});
        QVERIFY2(changed.exitCode == 0 && changed.err.contains("resuming with changed settings: epochs: 400 → 500"), changed.err.constData());
        QFile savedConfig(dir.path() + "/run/config.json");
        QVERIFY(savedConfig.open(QIODevice::ReadOnly) && QJsonDocument::fromJson(savedConfig.readAll()).object()["epochs"].toInt() == 500);

        // A checkpoint that cannot be written (here: a file-size limit, as a full disk) is a one-line
        // error; the previous checkpoint stays whole and no temporary file is left.
        QFile latest(dir.path() + "/run/latest.pt");
        QVERIFY(latest.open(QIODevice::ReadOnly));
        const QByteArray before = latest.readAll();
        latest.close();
        QFile(dir.path() + "/run/cancel").open(QIODevice::WriteOnly);
        QProcess limited;
        limited.start("bash", {"-c", "trap '' XFSZ; ulimit -f 4; exec \"$0\" train --resume --out \"$1\"", QStringLiteral(JEZERO_CLI_PATH), dir.path() + "/run"});
        QVERIFY(limited.waitForFinished(60000));
        const QByteArray err = limited.readAllStandardError();
        QCOMPARE(limited.exitStatus(), QProcess::NormalExit);
        QCOMPARE(limited.exitCode(), 1);
        QVERIFY2(err.contains("jezero-cli: error: cannot write") && err.contains("latest.pt") && err.trimmed().count('\n') <= 1, err.constData());
        QVERIFY(latest.open(QIODevice::ReadOnly));
        QVERIFY(latest.readAll() == before);
        QCOMPARE(QDir(dir.path() + "/run").entryList({"*.tmp-*"}, QDir::Files).size(), 0);
    }

    void predictAndEvaluateWriteGeoreferencedResultsAndReports() {
        QTemporaryDir dir;
        QCOMPARE(cli({"synth", "--count", "4", "--size", "48", "--seed", "9", "--carbonate-fraction", "0.5", "--out", dir.path() + "/scenes"}).exitCode, 0);
        QCOMPARE(cli({"dataset", "build", dir.path() + "/scenes", "--out", dir.path() + "/data", "--tile", "16", "--target", "car"}).exitCode, 0);
        const auto write = [&](const QString& name, const QByteArray& json) {
            QFile f(dir.path() + "/" + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(json);
        };
        write("unet.json", R"({"dataset": "data", "base_width": 8, "depth": 2, "batch": 4, "epochs": 2, "threads": 1})");
        write("diffusion.json", R"({"dataset": "data", "model": "diffusion", "base_width": 8, "depth": 2, "batch": 4, "epochs": 1, "threads": 1,
                                    "diffusion": {"regression": "unet/best.pt"}})");
        QCOMPARE(cli({"train", "--config", dir.path() + "/unet.json", "--out", dir.path() + "/unet"}).exitCode, 0);
        QCOMPARE(cli({"train", "--config", dir.path() + "/diffusion.json", "--out", dir.path() + "/diffusion"}).exitCode, 0);

        // predict: the scene's size, CRS and geotransform; named bands; the settings as metadata.
        const QString scene = QDir(dir.path() + "/scenes").entryList({"*_if_mtr3.hdr"}).first();
        const QString scenePath = dir.path() + "/scenes/" + scene;
        const auto descriptions = [](const QJsonObject& info) {
            QStringList d;
            for (const auto& band : info["bands"].toArray()) d << band.toObject()["description"].toString();
            return d;
        };
        const Run unet = cli({"predict", scenePath, "--model", dir.path() + "/unet/best.pt", "--out", dir.path() + "/unet.tif"});
        QVERIFY2(unet.exitCode == 0, unet.err.constData());
        const QJsonObject sceneInfo = gdalinfo(scenePath.chopped(4) + ".img"), unetInfo = gdalinfo(dir.path() + "/unet.tif");
        QCOMPARE(unetInfo["size"], sceneInfo["size"]);
        QCOMPARE(unetInfo["geoTransform"], sceneInfo["geoTransform"]);
        QVERIFY(unetInfo["coordinateSystem"].toObject()["wkt"].toString().contains("Mars"));
        QCOMPARE(descriptions(unetInfo), (QStringList{"D2300", "BD2500_2", "BD1900_2", "P(BD2500_2 > 0.01)"}));
        const Run diffusion = cli({"predict", scenePath, "--model", dir.path() + "/diffusion/best.pt", "--out", dir.path() + "/diffusion.tif",
                                   "--samples", "3", "--steps", "4", "--sampler", "dpm", "--seed", "5"});
        QVERIFY2(diffusion.exitCode == 0, diffusion.err.constData());
        const QJsonObject diffusionInfo = gdalinfo(dir.path() + "/diffusion.tif");
        QCOMPARE(descriptions(diffusionInfo), (QStringList{"D2300 mean", "BD2500_2 mean", "BD1900_2 mean", "D2300 std", "BD2500_2 std", "BD1900_2 std",
                                                           "P(BD2500_2 > 0.01)"}));
        const QJsonObject metadata = diffusionInfo["metadata"].toObject()[""].toObject();
        QCOMPARE(metadata["JEZERO_SAMPLES"].toString(), QString("3"));
        QCOMPARE(metadata["JEZERO_SAMPLER"].toString(), QString("dpm"));
        QVERIFY(metadata["JEZERO_MODEL_SUMMARY"].toString().contains("diffusion"));
        QCOMPARE(diffusionInfo["geoTransform"], sceneInfo["geoTransform"]);
        // Locations: a known one in any spelling is used under the model's own name; an unknown one is
        // warned about with the names the model knows, and the metadata says "unknown" — what was used.
        const QJsonArray known = QJsonDocument::fromJson(cli({"model-info", dir.path() + "/diffusion/best.pt", "--json"}).out).object()["locations"].toArray();
        QVERIFY(!known.isEmpty());
        const QString knownName = known[0].toString();
        const Run shouted = cli({"predict", scenePath, "--model", dir.path() + "/diffusion/best.pt", "--out", dir.path() + "/known.tif", "--samples", "1",
                                 "--steps", "2", "--location", knownName.toUpper()});
        QVERIFY2(shouted.exitCode == 0 && !shouted.err.contains("warning"), shouted.err.constData());
        QCOMPARE(gdalinfo(dir.path() + "/known.tif")["metadata"].toObject()[""].toObject()["JEZERO_LOCATION"].toString(), knownName);
        const Run nowhere = cli({"predict", scenePath, "--model", dir.path() + "/diffusion/best.pt", "--out", dir.path() + "/nowhere.tif", "--samples", "1",
                                 "--steps", "2", "--location", "Atlantis Chaos"});
        QCOMPARE(nowhere.exitCode, 0);
        QVERIFY2(nowhere.err.contains("does not know the location \"Atlantis Chaos\"") && nowhere.err.contains(knownName.toUtf8()), nowhere.err.constData());
        QCOMPARE(gdalinfo(dir.path() + "/nowhere.tif")["metadata"].toObject()[""].toObject()["JEZERO_LOCATION"].toString(), QString("unknown"));
        const Run unetLocation = cli({"predict", scenePath, "--model", dir.path() + "/unet/best.pt", "--out", dir.path() + "/u.tif", "--location", "Jezero"});
        QVERIFY2(unetLocation.exitCode == 0 && unetLocation.err.contains("takes no location"), unetLocation.err.constData());
        QVERIFY(cli({"predict", scenePath, "--model", dir.path() + "/unet.json", "--out", dir.path() + "/x.tif"}).err.contains("not a Jezero checkpoint"));
        QVERIFY(cli({"predict", scenePath, "--model", dir.path() + "/unet", "--out", dir.path() + "/x.tif"}).err.contains("it is a folder"));
        QVERIFY(cli({"predict", scenePath, "--model", dir.path() + "/unet/best.pt", "--out", dir.path() + "/x.png"}).err.contains("GeoTIFF"));
        // Options that cannot apply are said: sampling options on a regression model warn; a negative
        // overlap and a probability threshold a probability cannot cross are errors.
        const Run unetSampling = cli({"predict", scenePath, "--model", dir.path() + "/unet/best.pt", "--out", dir.path() + "/s.tif", "--samples", "4"});
        QVERIFY2(unetSampling.exitCode == 0 && unetSampling.err.contains("diffusion options"), unetSampling.err.constData());
        QVERIFY(cli({"predict", scenePath, "--model", dir.path() + "/unet/best.pt", "--out", dir.path() + "/o.tif", "--overlap", "-3"}).exitCode != 0);
        const Run overlapTooLarge = cli({"predict", scenePath, "--model", dir.path() + "/unet/best.pt", "--out", dir.path() + "/o.tif", "--overlap", "16"});
        QVERIFY2(overlapTooLarge.exitCode == 1 && overlapTooLarge.err.contains("less than the tile"), overlapTooLarge.err.constData());
        const Run probability = cli({"predict", scenePath, "--model", "carbonate", "--out", dir.path() + "/p.tif", "--threshold", "7"});
        QVERIFY2(probability.exitCode == 1 && probability.err.contains("between 0 and 1"), probability.err.constData());
        QVERIFY(!QFileInfo::exists(dir.path() + "/o.tif") && !QFileInfo::exists(dir.path() + "/p.tif"));

        // evaluate: per-image rows for every test tile, groups with carbonate detection, panels.
        const Run report = cli({"evaluate", "--model", dir.path() + "/diffusion/best.pt", "--data", dir.path() + "/data", "--out", dir.path() + "/report",
                                "--samples", "2", "--steps", "3", "--panels", "1"});
        QVERIFY2(report.exitCode == 0, report.err.constData());
        QFile summaryFile(dir.path() + "/report/summary.json");
        QVERIFY(summaryFile.open(QIODevice::ReadOnly));
        const QJsonObject summary = QJsonDocument::fromJson(summaryFile.readAll()).object();
        const QJsonObject groups = summary["groups"].toObject();
        for (const char* group : {"all", "carbonate_bearing", "carbonate_free"}) QVERIFY2(groups.contains(group), group);
        const QJsonObject all = groups["all"].toObject();
        QVERIFY(all["images"].toInt() > 0);
        for (const char* key : {"rmse", "rmse_255", "pcc", "cosine", "sam_deg", "ssim", "mean_std"}) QVERIFY2(all.contains(key), key);
        QVERIFY(all["carbonate"].toObject().contains("average_precision"));
        QCOMPARE(summary["carbonate_channel"].toString(), QString("BD2500_2"));
        // Detection is scored against the dataset's label (the true abundance), and the ensemble's
        // exceedance probability is checked for calibration.
        QVERIFY(summary["detection_truth"].toString().contains("true carbonate abundance"));
        const QJsonObject carbonate = all["carbonate"].toObject();
        QVERIFY(carbonate.contains("ece") && carbonate.contains("brier") && carbonate.contains("base_rate") && carbonate.contains("image_precision"));
        QVERIFY(carbonate["ece"].toDouble() >= 0 && carbonate["ece"].toDouble() <= 1);
        QVERIFY(all.contains("spread_skill_ratio"));
        QCOMPARE(QImage(dir.path() + "/report/reliability.png").size(), QSize(400, 400));
        QFile reliability(dir.path() + "/report/reliability.csv");
        QVERIFY(reliability.open(QIODevice::ReadOnly));
        QCOMPARE(reliability.readAll().count('\n'), 11); // header and ten bins
        QVERIFY(summary["lpips"].toString().contains("no LPIPS network"));
        QFile perImage(dir.path() + "/report/per_image.csv");
        QVERIFY(perImage.open(QIODevice::ReadOnly));
        QCOMPARE(perImage.readAll().count('\n'), all["images"].toInt() + 1);
        const QJsonArray panels = summary["panels"].toArray();
        QCOMPARE(panels.size(), 2); // worst and best
        const QImage panel(dir.path() + "/report/" + panels[0].toObject()["file"].toString());
        QCOMPARE(panel.size(), QSize(5 * 16 + 4 * 4, 16));
        QVERIFY(QFile::exists(dir.path() + "/report/summary.csv"));

        // The shipped models work out of the box on the bundled MTRDR sample (smaller than a tile: padded).
        for (const QString model : {"unet", "diffusion"}) {
            const Run shipped = cli({"predict", jezero::test::sampleMtrdrTiff(), "--model", model, "--out", dir.path() + "/" + model + "-sample.tif",
                                     "--samples", "2", "--steps", "3", "--sampler", "dpm"});
            QVERIFY2(shipped.exitCode == 0, shipped.err.constData());
            const QJsonObject info = gdalinfo(dir.path() + "/" + model + "-sample.tif");
            QCOMPARE(info["size"].toArray()[0].toInt(), 20);
            QVERIFY(descriptions(info).contains("P(BD2500_2 > 0.01)"));
        }
    }

    void batchPredictCoversAManifestOnceAcrossShardsAndResumes() {
        QTemporaryDir dir;
        QCOMPARE(cli({"synth", "--count", "3", "--size", "40", "--seed", "5", "--carbonate-fraction", "0.5", "--out", dir.path() + "/scenes"}).exitCode, 0);
        QStringList scenes = QDir(dir.path() + "/scenes").entryList({"*_if_mtr3.img"});
        QCOMPARE(scenes.size(), 3);
        QFile manifest(dir.path() + "/manifest.txt");
        QVERIFY(manifest.open(QIODevice::WriteOnly));
        manifest.write("# three synthetic scenes, relative to this file\n\n");
        for (const QString& s : scenes) manifest.write(("scenes/" + s + "\n").toUtf8());
        manifest.close();
        // Statuses per scene from the JSON lines of one run.
        const auto statuses = [](const QByteArray& out) {
            QMap<QString, QString> byScene;
            for (const QByteArray& line : out.split('\n')) {
                const QJsonObject j = QJsonDocument::fromJson(line).object();
                if (j["event"].toString() == "scene") byScene[QFileInfo(j["scene"].toString()).fileName()] = j["status"].toString();
            }
            return byScene;
        };
        const QString out = dir.path() + "/predictions";
        QMap<QString, QString> first, second;
        const Run shard0 = cli({"batch-predict", dir.path() + "/manifest.txt", "--model", "carbonate", "--out", out, "--shard", "0/2"});
        QVERIFY2(shard0.exitCode == 0, shard0.err.constData());
        first = statuses(shard0.out);
        {
            // The second shard as task 1 of a 2-task Slurm job array runs it (tools/slurm).
            QProcess task;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("SLURM_ARRAY_TASK_ID", "1");
            env.insert("SLURM_ARRAY_TASK_COUNT", "2");
            env.insert("JEZERO_CLI", JEZERO_CLI_PATH);
            task.setProcessEnvironment(env);
            task.start("bash", {jezero::test::resource("../tools/slurm/batch-predict.sbatch"), dir.path() + "/manifest.txt", "carbonate", out});
            QVERIFY(task.waitForFinished(60000));
            QVERIFY2(task.exitCode() == 0, task.readAllStandardError().constData());
            second = statuses(task.readAllStandardOutput());
        }
        // The two shards cover every scene exactly once.
        QCOMPARE(first.size() + second.size(), 3);
        for (const QString& s : scenes) QVERIFY2(first.contains(s) != second.contains(s), qPrintable(s));
        for (const QString& status : first.values() + second.values()) QCOMPARE(status, QString("done"));
        for (const QString& s : scenes) QVERIFY(QFile::exists(out + "/" + QFileInfo(s).completeBaseName() + "_prediction.tif"));
        // A shard that lost an output (killed before it was written) redoes only that scene.
        const QString lost = first.firstKey();
        QVERIFY(QFile::remove(out + "/" + QFileInfo(lost).completeBaseName() + "_prediction.tif"));
        const Run again = cli({"batch-predict", dir.path() + "/manifest.txt", "--model", "carbonate", "--out", out, "--shard", "0/2"});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const auto resumed = statuses(again.out);
        for (const QString& s : first.keys()) QCOMPARE(resumed[s], QString(s == lost ? "done" : "skipped"));
        // Its summary has a row per scene of the shard with the carbonate statistics, skipped ones too.
        QFile summary(out + "/summary-shard-0-of-2.csv");
        QVERIFY(summary.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = summary.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), first.size() + 1);
        QVERIFY(rows[0].startsWith("scene,status,output,width,height,probability_band,valid_pixels,carbonate_pixels,carbonate_fraction,mean_probability"));
        for (int i = 1; i < rows.size(); ++i) {
            const QList<QByteArray> f = rows[i].split(',');
            QCOMPARE(f[3], QByteArray("40"));
            QCOMPARE(f[5], QByteArray("CARBONATE")); // the probability model's own band, not its 0/1 mask
            QVERIFY(f[6].toInt() > 0 && f[7].toInt() >= 0 && f[7].toInt() <= f[6].toInt());
            QVERIFY2(f[9].toDouble() > 0 && f[9].toDouble() < 1 && f[10].toDouble() >= f[9].toDouble(), rows[i].constData()); // mean and max P
        }
        // A scene that cannot be read fails alone: the others are still done, the exit status says so.
        QVERIFY(manifest.open(QIODevice::Append));
        manifest.write("scenes/missing_if_mtr3.img\n");
        manifest.close();
        const Run broken = cli({"batch-predict", dir.path() + "/manifest.txt", "--model", "carbonate", "--out", out});
        QCOMPARE(broken.exitCode, 1);
        const auto all = statuses(broken.out);
        QCOMPARE(all.size(), 4);
        QCOMPARE(all["missing_if_mtr3.img"], QString("failed"));
        QVERIFY(broken.err.contains("1 of 4 scenes failed"));
        QVERIFY(cli({"batch-predict", dir.path() + "/manifest.txt", "--model", "carbonate", "--out", out, "--shard", "2/2"}).err.contains("--shard takes I/N"));
    }

    void realScenesAreLabelledFromTheirCarbonateParameters() {
        // Synthetic cubes without sidecars or abundance maps look like real MTRDR I/F files: their
        // tiles are labelled from MIN2295_2480/BD2500_2 (Mg) or MIN2345_2537 (Ca/Fe carbonate).
        const auto carbonateTiles = [this](double fraction) {
            QTemporaryDir dir;
            const QStringList synth{"synth", "--count", "3", "--size", "64", "--seed", "17", "--carbonate-fraction", QString::number(fraction),
                                    "--out", dir.path() + "/s"};
            if (cli(synth).exitCode != 0) return -1;
            QDir scenes(dir.path() + "/s");
            for (const QString& f : scenes.entryList(QDir::Files))
                if (!f.contains("_if_mtr3")) scenes.remove(f);
            if (cli({"dataset", "build", dir.path() + "/s", "--out", dir.path() + "/d", "--tile", "32", "--allow-empty-splits"}).exitCode != 0) return -1;
            const QJsonObject splits = QJsonDocument::fromJson(cli({"dataset", "info", dir.path() + "/d", "--json"}).out).object()["splits"].toObject();
            int tiles = 0;
            for (const char* split : {"train", "val", "test"}) tiles += splits[split].toObject()["carbonate_tiles"].toInt();
            return tiles;
        };
        const int with = carbonateTiles(1.0), without = carbonateTiles(0.0);
        QVERIFY2(with > 0 && with > without, qPrintable(QString("%1 vs %2").arg(with).arg(without)));
    }

    void modelInfoAndDevicesDescribeWhatTheGuiOffers() {
        const Run info = cli({"model-info", "unet", "--json"});
        QCOMPARE(info.exitCode, 0);
        const QJsonObject model = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(model["input"].toString(), QString("pnr"));
        QCOMPARE(model["target"].toString(), QString("car"));
        QCOMPARE(model["input_channels"].toArray().size(), 3);
        QCOMPARE(model["target_channels"].toArray().first().toString(), QString("D2300"));
        QCOMPARE(model["tile"].toInt(), 128);
        QCOMPARE(model["stochastic"].toBool(), false);
        QCOMPARE(model["config"].toObject()["model"].toString(), QString("unet"));
        QVERIFY(QJsonDocument::fromJson(cli({"model-info", "diffusion", "--json"}).out).object()["stochastic"].toBool());
        // The model card beside the checkpoint says what the model can do (the CAR ones: nothing).
        QVERIFY(model["card"].toObject()["skill"].toString().startsWith("none"));
        // The shipped carbonate-probability and FAL models, and what their cards claim.
        const QJsonObject carbonate = QJsonDocument::fromJson(cli({"model-info", "carbonate", "--json"}).out).object();
        QCOMPARE(carbonate["target_channels"].toArray().first().toString(), QString("CARBONATE"));
        QVERIFY(carbonate["summary"].toString().contains("carbonate probability"));
        QVERIFY(carbonate["card"].toObject()["skill"].toString().startsWith("weak"));
        // The PCA one takes the per-image principal components and says what its skill comes from.
        const QJsonObject pca = QJsonDocument::fromJson(cli({"model-info", "carbonate-pca", "--json"}).out).object();
        QCOMPARE(pca["input"].toString(), QString("pca"));
        QCOMPARE(pca["target_channels"].toArray().first().toString(), QString("CARBONATE"));
        QVERIFY(pca["card"].toObject()["skill"].toString().contains("scene-relative colour"));
        QCOMPARE(pca["card"].toObject()["overlay_threshold"].toDouble(), 0.1);
        const QJsonObject fal = QJsonDocument::fromJson(cli({"model-info", "fal", "--json"}).out).object();
        QCOMPARE(fal["target"].toString(), QString("fal"));
        QVERIFY(fal["card"].toObject()["skill"].toString().startsWith("moderate"));
        QVERIFY(!model["card"].toObject()["intended_use"].toString().isEmpty());
        {
            QTemporaryDir dir;
            QFile::copy(JEZERO_TEST_RESOURCES "/models/unet-pnr-car.pt", dir.path() + "/m.pt");
            QVERIFY(QJsonDocument::fromJson(cli({"model-info", dir.path() + "/m.pt", "--json"}).out).object()["card"].isNull()); // none: unknown
            QFile card(dir.path() + "/m.card.json");
            QVERIFY(card.open(QIODevice::WriteOnly));
            card.write("{\"skill\": 3}");
            card.close();
            const Run broken = cli({"model-info", dir.path() + "/m.pt"});
            QCOMPARE(broken.exitCode, 1);
            QVERIFY2(broken.err.contains("m.card.json"), broken.err.constData());
        }
        const Run bad = cli({"model-info", jezero::test::sampleMtrdrTiff()});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.trimmed().count('\n') == 0 && bad.err.contains("not a Jezero checkpoint"));

        const Run devices = cli({"devices", "--json"});
        QCOMPARE(devices.exitCode, 0);
        const QJsonObject d = QJsonDocument::fromJson(devices.out).object();
        QVERIFY(d["libtorch_cuda"].isBool() && !d["libtorch_version"].toString().isEmpty());
        QCOMPARE(d["cpu_threads"].toInt(), QThread::idealThreadCount());
        // The GPUs LibTorch can use are those the driver lists (nvidia-smi -L), if LibTorch has CUDA;
        // none otherwise (Debian's LibTorch is CPU-only, whatever the machine holds).
        QProcess smi;
        smi.start("nvidia-smi", {"-L"});
        const bool driver = smi.waitForFinished(30000) && smi.exitStatus() == QProcess::NormalExit && smi.exitCode() == 0;
        const int listed = driver ? static_cast<int>(smi.readAllStandardOutput().count("GPU ")) : 0;
        QCOMPARE(d["cuda_devices"].toInt(), d["libtorch_cuda"].toBool() ? listed : 0);
        QCOMPARE(d["gpus"].toArray().size(), d["cuda_devices"].toInt());
        const Run plain = cli({"devices"});
        QVERIFY(plain.out.contains(d["libtorch_cuda"].toBool() ? "with CUDA" : "without CUDA"));
    }

    void renderWritesWhatTheWindowShows() {
        QTemporaryDir dir;
        const Run r = cli({"render", jezero::test::sampleVnirLabel(), "--out", dir.path(), "--pixel", "32,7"});
        QCOMPARE(r.exitCode, 0);
        QStringList files = QDir(dir.path()).entryList(QDir::Files);
        files.sort();
        QCOMPARE(files, (QStringList{"composite.png", "info.json", "spectrum.csv", "spectrum.json"}));
        QImage composite(dir.path() + "/composite.png");
        QCOMPARE(composite.size(), QSize(64, 15));
        QFile f(dir.path() + "/info.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject info = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(info["composite"].toObject()["name"].toString(), QString("true colour"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
