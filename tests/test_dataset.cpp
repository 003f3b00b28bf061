// Datasets: the writer/loader round trip, corrupt or partial datasets, splits that never leak a scene,
// and augmentation that keeps input and target aligned without changing target values.
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <set>

using namespace jezero;

namespace {

DatasetManifest manifest(int tile) {
    DatasetManifest m;
    m.input = "pnr";
    m.inputChannels = {"PAN", "NIR", "RED"};
    m.target = "fal";
    m.targetChannels = {"R2529", "R1506", "R1080"};
    m.tile = tile;
    m.seed = 3;
    return m;
}

// Tile k's values: input c·1000 + k + p/1000, target −(…), so every tile and channel differ.
void fill(int k, int tile, std::vector<float>& in, std::vector<float>& out) {
    const int plane = tile * tile;
    in.resize(3 * plane);
    out.resize(3 * plane);
    for (int c = 0; c < 3; ++c)
        for (int p = 0; p < plane; ++p) {
            in[c * plane + p] = static_cast<float>(c * 1000 + k + p / 1000.0);
            out[c * plane + p] = -in[c * plane + p];
        }
}

// Tile k's label: carbonate on its first k pixels, no data on the last one.
std::vector<std::uint8_t> tileLabel(int k, int tile) {
    std::vector<std::uint8_t> label(static_cast<std::size_t>(tile) * tile, kLabelNone);
    for (int p = 0; p < k && p < tile * tile; ++p) label[static_cast<std::size_t>(p)] = kLabelCarbonate;
    label.back() = kLabelNoData;
    return label;
}

QString writeDataset(const QString& dir, int tiles) {
    DatasetWriter writer(dir.toStdString(), manifest(8));
    std::vector<float> in, out;
    for (int k = 0; k < tiles; ++k) {
        fill(k, 8, in, out);
        TileRecord r;
        r.scene = "scene" + std::to_string(k % 5);
        r.region = "region, " + std::to_string(k % 2); // a comma to exercise CSV quoting
        r.x = k * 8;
        r.carbonateFraction = k % 3 == 0 ? 0.2 : 0.0;
        r.carbonateBearing = k % 3 == 0;
        r.validFraction = 1;
        const std::vector<std::uint8_t> label = tileLabel(k, 8);
        writer.addTile(k % 2 ? "test" : "train", in.data(), out.data(), label.data(), r);
    }
    writer.finish();
    return dir;
}

} // namespace

class TestDataset : public QObject {
    Q_OBJECT
private slots:
    void writtenTilesReadBackExactly() {
        QTemporaryDir dir;
        writeDataset(dir.path(), 12);
        const auto train = TileDataset::open(dir.path().toStdString(), "train");
        QCOMPARE(train.size(), std::size_t(6));
        QCOMPARE(train.manifest().targetChannels, (std::vector<std::string>{"R2529", "R1506", "R1080"}));
        std::vector<float> in, out;
        fill(4, 8, in, out); // train holds tiles 0, 2, 4, …: index 2 is tile 4
        QVERIFY(std::equal(in.begin(), in.end(), train.input(2)));
        QVERIFY(std::equal(out.begin(), out.end(), train.target(2)));
        QCOMPARE(train.record(2).scene, std::string("scene4"));
        QCOMPARE(train.record(2).region, std::string("region, 0"));
        QCOMPARE(train.record(2).x, 32);
        QVERIFY(train.hasLabels());
        const auto label = tileLabel(4, 8);
        QVERIFY(std::equal(label.begin(), label.end(), train.label(2)));
        QCOMPARE(train.tile(2).label, label);
        // Balanced test: tiles 1,3,5,7,9,11 → carbonate-bearing 3, 9 → two of each.
        const auto balanced = TileDataset::open(dir.path().toStdString(), "test_balanced");
        QCOMPARE(balanced.size(), std::size_t(4));
        int bearing = 0;
        for (std::size_t i = 0; i < balanced.size(); ++i) bearing += balanced.record(i).carbonateBearing;
        QCOMPARE(bearing, 2);
        for (std::size_t i = 0; i < balanced.size(); ++i) { // each balanced tile keeps its own label (tile k has k carbonate pixels)
            const int k = balanced.record(i).x / 8;
            QCOMPARE(std::count(balanced.label(i), balanced.label(i) + 64, kLabelCarbonate), static_cast<long>(k));
        }
        QCOMPARE(balanced.manifest().splits.at("test").carbonateTiles, std::size_t(2));
        // Never over an existing dataset.
        QVERIFY_THROWS_EXCEPTION(Error, DatasetWriter(dir.path().toStdString(), manifest(8)));
    }

    void corruptOrPartialDatasetsAreNamed() {
        const auto message = [](const QString& dir, const std::string& split) {
            try {
                TileDataset::open(dir.toStdString(), split);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString("no error");
        };
        QTemporaryDir a;
        writeDataset(a.path(), 6);
        QVERIFY(message(a.path(), "nope").contains("no split 'nope'"));
        QFile::resize(a.path() + "/train_inputs.f32", 100);
        QVERIFY(message(a.path(), "train").contains("corrupt or partial"));
        QFile::remove(a.path() + "/dataset.json");
        QVERIFY(message(a.path(), "train").contains("missing or partial"));
        // A writer that never finished leaves no dataset.
        QTemporaryDir b;
        {
            DatasetWriter writer(b.path().toStdString(), manifest(8));
            std::vector<float> in, out;
            fill(0, 8, in, out);
            const std::vector<std::uint8_t> label(64, kLabelNone);
            writer.addTile("train", in.data(), out.data(), label.data(), {});
        }
        QVERIFY(message(b.path(), "train").contains("missing or partial"));
        QCOMPARE(QDir(b.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
        // An index that disagrees with the manifest.
        QTemporaryDir c;
        writeDataset(c.path(), 6);
        QFile csv(c.path() + "/train_tiles.csv");
        QVERIFY(csv.open(QIODevice::Append));
        csv.write("99,x,y,0,0,0,0,1,0,0\n");
        csv.close();
        QVERIFY(message(c.path(), "train").contains("lists 4 tiles"));
        // A tile corner no int holds (found by tests/fuzz: it was converted without a check, undefined).
        QTemporaryDir d;
        writeDataset(d.path(), 6);
        QFile index(d.path() + "/train_tiles.csv");
        QVERIFY(index.open(QIODevice::ReadOnly));
        QStringList rows = QString::fromUtf8(index.readAll()).split('\n');
        index.close();
        const int x = rows[1].indexOf("\",") + 2; // the field after the quoted region
        rows[1].replace(x, rows[1].indexOf(',', x) - x, "1e30");
        QVERIFY(index.open(QIODevice::WriteOnly | QIODevice::Truncate));
        index.write(rows.join('\n').toUtf8());
        index.close();
        QVERIFY2(message(d.path(), "train").contains("has a tile corner of 1e30"), qPrintable(message(d.path(), "train")));
    }

    void splitsNeverShareAScene() {
        std::vector<SplitUnit> units;
        for (int i = 0; i < 40; ++i) units.push_back({"s" + std::to_string(i), "r" + std::to_string(i % 6), i % 4 == 0});
        for (const std::string by : {"scene", "region"}) {
            const auto split = assignSplits(units, by, 11);
            QCOMPARE(split.size(), units.size());
            std::map<std::string, std::set<std::string>> regionSplits;
            std::map<std::string, int> count;
            std::map<std::string, int> carbonate;
            for (const auto& u : units) {
                regionSplits[u.region].insert(split.at(u.scene));
                ++count[split.at(u.scene)];
                carbonate[split.at(u.scene)] += u.carbonateBearing;
            }
            QVERIFY(count["train"] > count["test"] && count["test"] > 0 && count["val"] > 0);
            if (by == "region")
                for (const auto& [region, splits] : regionSplits) QCOMPARE(splits.size(), std::size_t(1)); // a region in one split
            else QVERIFY(carbonate["test"] > 0 && carbonate["train"] > 0); // both strata everywhere
            QCOMPARE(assignSplits(units, by, 11), split);                // reproducible
        }
        QVERIFY_THROWS_EXCEPTION(Error, assignSplits(units, "pixel", 1));
        // Ten carbonate-bearing scenes of 60: val and test each get three of them (15 % would be two).
        std::vector<SplitUnit> many;
        for (int i = 0; i < 60; ++i) many.push_back({"m" + std::to_string(i), "r", i < 10});
        std::map<std::string, int> carbonate;
        for (const auto& [scene, to] : assignSplits(many, "scene", 3)) carbonate[to] += std::stoi(scene.substr(1)) < 10;
        QCOMPARE(carbonate["val"], 3);
        QCOMPARE(carbonate["test"], 3);
        QCOMPARE(carbonate["train"], 4);
        // Two scenes per stratum: each stratum trains on one; one held-out scene goes to test, the other to val.
        const std::vector<SplitUnit> four = {{"a", "r", true}, {"b", "r", true}, {"c", "r", false}, {"d", "r", false}};
        std::map<std::string, int> per;
        for (const auto& [scene, to] : assignSplits(four, "scene", 5)) ++per[to];
        QCOMPARE(per["train"], 2);
        QCOMPARE(per["test"], 1);
        QCOMPARE(per["val"], 1);
    }

    void augmentationKeepsInputAndTargetAligned() {
        // The same linear field f = x + 2y in input and target: bilinear input reproduces it exactly,
        // the nearest-neighbour target within half a pixel step (≤ 1.5), and every target value is an
        // original one.
        Tile t;
        t.size = 32;
        t.inputChannels = t.targetChannels = 1;
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                t.input.push_back(static_cast<float>(x + 2 * y));
                t.target.push_back(static_cast<float>(x + 2 * y));
                t.label.push_back((x + 2 * y) % 3 == 0 ? kLabelCarbonate : kLabelNone); // a pattern the target predicts
            }
        const std::set<float> original(t.target.begin(), t.target.end());
        int changed = 0;
        for (std::uint64_t seed = 0; seed < 20; ++seed) {
            const Tile a = augment(t, seed);
            int valid = 0;
            for (std::size_t i = 0; i < a.target.size(); ++i) {
                if (std::isnan(a.target[i])) {
                    QVERIFY(std::isnan(a.input[i]));
                    QCOMPARE(a.label[i], kLabelNoData);
                    continue;
                }
                ++valid;
                // The label moves with the target: it is the one of the same source pixel.
                QCOMPARE(a.label[i], static_cast<int>(a.target[i]) % 3 == 0 ? kLabelCarbonate : kLabelNone);
                QVERIFY(original.count(a.target[i]));
                QVERIFY2(std::abs(a.input[i] - a.target[i]) <= 1.5f + 1e-4f, qPrintable(QString("seed %1").arg(seed)));
            }
            QVERIFY(valid > 32 * 32 / 3);
            changed += a.target != t.target;
        }
        QVERIFY(changed >= 15);
        const Tile same = augment(t, 5, {false, false, false});
        QCOMPARE(same.target, t.target);
        QCOMPARE(same.input, t.input);
        const Tile first = augment(t, 7), second = augment(t, 7); // a seed fixes the draw (NaN included: compare bytes)
        QVERIFY(std::memcmp(first.input.data(), second.input.data(), first.input.size() * sizeof(float)) == 0);
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
