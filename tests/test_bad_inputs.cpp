// The fault campaign as a suite: every kind of bad file a user or a broken tool can hand Jezero —
// scenes (truncated, lying labels and headers, absurd sizes, wrong types, bad wavelengths, things that
// are not files), training configs, dataset folders and checkpoints — is run through jezero-cli as a
// script would. Each must end with exit status 1 and exactly one line on stderr, "jezero-cli: error:
// …", that names the file and says why; never a crash, a hang, a silent wrong read or a second line.
#include "TestPaths.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

#include <sys/stat.h>

namespace {

struct Case {
    QStringList args; // jezero-cli arguments; FILE in them is replaced by the case's file
    QString file;     // the bad file (or folder) the message must name
    QString reason;   // a fragment of the message: why
};

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void write(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    f.write(bytes);
}

QByteArray wavelengths(std::function<QString(int)> value = [](int b) { return QString::number(400 + 5 * b); }) {
    QStringList list;
    for (int b = 0; b < 107; ++b) list << value(b);
    return "wavelength units = Nanometers\nwavelength = {" + list.join(", ").toUtf8() + "}\n";
}
QByteArray layout(const QByteArray& samples = "64", const QByteArray& type = "4", const QByteArray& interleave = "bil",
                         const QByteArray& order = "0") {
    return "samples = " + samples + "\nlines = 15\nbands = 107\ndata type = " + type + "\ninterleave = " + interleave + "\nbyte order = " + order;
}

} // namespace

class TestBadInputs : public QObject {
    Q_OBJECT
    QTemporaryDir mDir;
    QMap<QString, Case> mCases;

    QString path(const QString& name) const { return mDir.path() + "/" + name; }

    // A copy of the bundled VNIR TRR3 product (label + image) under a new product id.
    QString copyTrr3(const QString& id) {
        const QString stem = "frt0001458f_01_if156s_trr3";
        QFile::copy(jezero::test::resource("crism/trr3/" + stem + ".img"), path(id + ".img"));
        QFile::setPermissions(path(id + ".img"), QFile::ReadOwner | QFile::WriteOwner);
        // The label points to its image by name.
        write(path(id + ".lbl"), readAll(jezero::test::resource("crism/trr3/" + stem + ".lbl")).replace(stem.toUpper().toUtf8(), id.toUpper().toUtf8()));
        return path(id + ".lbl");
    }

    // An ENVI cube: the VNIR image (64 × 15 × 107 float32, BIL) behind a header of our making.
    QString enviCube(const QString& name, const QByteArray& layout, const QByteArray& extra = wavelengths()) {
        QFile::copy(jezero::test::resource("crism/trr3/frt0001458f_01_if156s_trr3.img"), path(name + ".img"));
        write(path(name + ".hdr"), "ENVI\n" + layout + "\nheader offset = 0\nfile type = ENVI Standard\n" + extra);
        return path(name + ".hdr");
    }

    void scene(const QString& name, const QString& file, const QString& reason) { mCases[name] = {{"info", file}, file, reason}; }

private slots:
    void initTestCase() {
        QVERIFY(mDir.isValid());
        qputenv("JEZERO_LOG_DIR", mDir.path().toUtf8() + "/logs");

        // ---- Scenes
        QFile::resize(copyTrr3("frt00000001_01_if156s_trr3").replace(".lbl", ".img"), 200000);
        scene("truncated image", path("frt00000001_01_if156s_trr3.lbl"), "truncated");
        {
            const QString label = copyTrr3("frt00000002_01_if156s_trr3");
            write(label, readAll(label).replace("LINES             = 15", "LINES             = 16"));
            scene("label with more lines than the image", label, "truncated");
        }
        {
            const QString label = copyTrr3("frt00000003_01_if156s_trr3");
            write(label, readAll(label).left(300));
            scene("label cut short", label, "");
        }
        write(path("empty.lbl"), "");
        scene("empty label", path("empty.lbl"), "empty");
        write(path("notes.lbl"), "These are field notes, not a label.\n");
        scene("text as a label", path("notes.lbl"), "not a PDS3");
        {
            const QString label = copyTrr3("frt00000004_01_if156s_trr3");
            QFile::remove(path("frt00000004_01_if156s_trr3.img"));
            QCOMPARE(::mkfifo(QFile::encodeName(path("frt00000004_01_if156s_trr3.img")).constData(), 0600), 0);
            scene("FIFO as the label's image", label, "not a regular file");
        }
        QDir().mkpath(path("a_folder.img"));
        scene("folder named .img", path("a_folder.img"), "");
        scene("missing file", path("nothing_here.img"), "no such file");
        QFile::copy(jezero::test::resource("crism/wavelengths/mtrdr_axis.tab"), path("table.tab"));
        scene("not a scene file", path("table.tab"), "not a CRISM scene file");
        scene("samples beyond 32 bits", enviCube("wide", layout("4294967297")), "samples = 4294967297");
        scene("byte order 7", enviCube("order", layout("64", "4", "bil", "7")), "byte order = 7");
        scene("unknown interleave", enviCube("interleave", layout("64", "4", "xyz")), "interleave = xyz");
        scene("complex data type", enviCube("complex", layout("64", "6")), "data type = 6");
        scene("bytes declared on float data", enviCube("bytes", layout("64", "1")), "data type");
        scene("int16 declared on float data", enviCube("int16", layout("64", "2")), "data type");
        scene("uint16 declared on float data", enviCube("uint16", layout("64", "12")), "data type");
        scene("wavelength of 2e9 nm", enviCube("absurd", layout(), wavelengths([](int b) { return b == 5 ? QString("2e9") : QString::number(400 + 5 * b); })),
              "band 6 has no valid wavelength");
        scene("two bands at one wavelength", enviCube("twice", layout(), wavelengths([](int b) { return QString::number(400 + 5 * (b == 7 ? 6 : b)); })),
              "have the same wavelength");
        scene("all wavelengths equal", enviCube("equal", layout(), wavelengths([](int) { return QString("700"); })), "have the same wavelength");
        scene("too few wavelengths", enviCube("few", layout(), "wavelength = {400, 500, 600}\n"), "3 wavelengths for 107 bands");
        scene("wavelength list with text", enviCube("words", layout(), "wavelength = {400, five hundred, 600}\n"), "not a number");
        scene("wavelength with a unit glued on", enviCube("glued", layout(), "wavelength = {400nm, 500nm, 600nm}\n"), "'400nm' is not a number");
        {
            const QString label = copyTrr3("frt00000005_01_if156s_trr3");
            write(label, readAll(label).replace("_TRR3.IMG\", 1606 )", "_TRR3.IMG\", 0 )"));
            scene("pointer to record 0", label, "names no record or byte from 1 on");
        }
        {
            write(path("text_image.hdr"), "ENVI\n" + layout() + "\nheader offset = 0\n" + wavelengths());
            write(path("text_image.img"), QByteArray("just some words\n").repeated(100));
            scene("text as the image", path("text_image.hdr"), "too small");
        }
        {
            // Dimensions that fit the (sparse) file but no machine's memory: refused before allocating.
            QFile huge(path("huge.img"));
            QVERIFY(huge.open(QIODevice::WriteOnly) && huge.resize(qint64(60000) * 60000 * 107 * 4));
            huge.close();
            write(path("huge.hdr"), "ENVI\n" + layout("60000").replace("lines = 15", "lines = 60000") + "\nheader offset = 0\n" + wavelengths());
            scene("terabyte dimensions", path("huge.hdr"), "of memory available");
        }
        mCases["pixel outside the scene"] = {{"spectrum", jezero::test::sampleVnirLabel(), "--pixel", "64,0"}, "", "pixel 64,0 is outside the 64x15 scene"};

        // ---- Training configs
        const auto config = [&](const QString& name, const QByteArray& json, const QString& reason) {
            write(path(name + ".json"), json);
            mCases["config: " + name] = {{"train", "--config", path(name + ".json"), "--out", path("run-" + name)}, path(name + ".json"), reason};
        };
        config("not json", "{\"model\": \"unet\",", "");
        config("unknown key", "{\"dataset\": \"d\", \"modle\": \"unet\"}", "modle");
        config("negative epochs", "{\"dataset\": \"d\", \"epochs\": -3}", "epochs");
        config("wrong type", "{\"dataset\": \"d\", \"batch\": \"eight\"}", "batch must be a whole number");
        config("fraction for a whole number", "{\"dataset\": \"d\", \"epochs\": 2.5}", "epochs must be a whole number in range");
        config("number beyond int", "{\"dataset\": \"d\", \"batch\": 1e30}", "batch must be a whole number in range");
        config("no dataset key", "{\"model\": \"unet\"}", "needs \"dataset\"");
        write(path("no dataset folder.json"), "{\"dataset\": \"no_such_dataset\"}"); // named by the dataset it points to
        mCases["config: no dataset folder"] = {{"train", "--config", path("no dataset folder.json"), "--out", path("run-x")}, path("no_such_dataset"), "missing"};
        config("binary", QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11), "");

        // ---- Dataset folders
        const auto dataset = [&](const QString& name, const QString& reason) {
            mCases["dataset: " + name] = {{"dataset", "info", path(name)}, path(name), reason};
        };
        QDir().mkpath(path("empty_dataset"));
        dataset("empty_dataset", "no dataset.json");
        QDir().mkpath(path("bad_manifest"));
        write(path("bad_manifest/dataset.json"), "{\"format_version\": 2, \"tile\": -4}");
        dataset("bad_manifest", "dataset.json");
        QDir().mkpath(path("fractional_tile"));
        write(path("fractional_tile/dataset.json"), "{\"format_version\": 2, \"input\": \"pnr\", \"input_channels\": [\"PAN\"], \"target\": \"fal\", "
                                                 "\"target_channels\": [\"R2529\"], \"tile\": 1e30, \"seed\": 1, \"split_by\": \"scene\", \"splits\": {}}");
        dataset("fractional_tile", "tile must be a whole number in range");
        QDir().mkpath(path("future_dataset"));
        write(path("future_dataset/dataset.json"), "{\"format_version\": 9}");
        dataset("future_dataset", "format version 9");

        // ---- Checkpoints
        const QString model = jezero::test::resource("models/unet-pnr-fal.pt");
        const QByteArray weights = readAll(model);
        QVERIFY(weights.size() > 100000);
        const auto checkpoint = [&](const QString& name, const QByteArray& bytes, const QString& reason) {
            write(path(name + ".pt"), bytes);
            mCases["checkpoint: " + name] = {{"model-info", path(name + ".pt")}, path(name + ".pt"), reason};
        };
        checkpoint("half", weights.left(weights.size() / 2), "");
        checkpoint("empty", "", "");
        checkpoint("text", "not a checkpoint\n", "");
        for (int k : {3, 5, 7, 9}) {
            QByteArray flipped = weights;
            const qsizetype at = flipped.size() * k / 10;
            flipped[at] = static_cast<char>(flipped[at] ^ 0x40);
            checkpoint(QString("bit flipped at %1/10").arg(k).replace('/', '_'), flipped, "");
        }
        mCases["checkpoint: a folder"] = {{"model-info", mDir.path()}, mDir.path(), "folder"};
    }

    void everyBadInputIsOneLineAndExitStatusOne_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        for (auto it = mCases.cbegin(); it != mCases.cend(); ++it)
            QTest::newRow(qPrintable(it.key())) << it->args << it->file << it->reason;
    }

    void everyBadInputIsOneLineAndExitStatusOne() {
        QFETCH(QStringList, args);
        QFETCH(QString, file);
        QFETCH(QString, reason);
        QProcess p;
        p.start(QStringLiteral(JEZERO_CLI_PATH), args);
        QVERIFY2(p.waitForFinished(60000), "hung"); // a FIFO or a huge header must never block
        QCOMPARE(p.exitStatus(), QProcess::NormalExit); // no abort, no crash
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QVERIFY2(p.exitCode() == 1, qPrintable(QString("exit %1: %2").arg(p.exitCode()).arg(err)));
        QVERIFY2(err.startsWith("jezero-cli: error: ") && !err.contains('\n'), qPrintable(err));
        QVERIFY2(err.contains(QFileInfo(file).fileName()), qPrintable(err));
        QVERIFY2(err.contains(reason), qPrintable(err));
    }

    void aNonUtf8FileNameIsReported() {
        // Scripts parse info --json: a file name that is not UTF-8 must not break the JSON.
        const QByteArray name = mDir.path().toUtf8() + "/scene_\xff\xfe.hdr";
        QFile::copy(jezero::test::resource("crism/trr3/frt0001458f_01_if156s_trr3.img"), QFile::decodeName(mDir.path().toUtf8() + "/scene_\xff\xfe.img"));
        write(QFile::decodeName(name), "ENVI\n" + layout() + "\nheader offset = 0\n" + wavelengths());
        QProcess p;
        p.start(QStringLiteral(JEZERO_CLI_PATH), {"info", QFile::decodeName(name), "--json"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QJsonParseError error;
        QJsonDocument::fromJson(p.readAllStandardOutput(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }
};

QTEST_GUILESS_MAIN(TestBadInputs)
#include "test_bad_inputs.moc"
