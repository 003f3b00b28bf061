// The ML engine on the CPU with tiny networks: config errors, training lowers the loss, a checkpoint
// reloads to identical outputs, and a canceled-then-resumed run ends exactly where an uninterrupted one does.
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Task.h"
#include "jezero/ml/Predictor.h"
#include "jezero/ml/Trainer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace jezero;

namespace {

// A learnable dataset: 3 smooth input channels, targets = fixed linear mixes of them plus an offset.
void writeLearnableDataset(const QString& dir) {
    DatasetManifest m;
    m.input = "pnr";
    m.inputChannels = {"PAN", "NIR", "RED"};
    m.target = "fal";
    m.targetChannels = {"R2529", "R1506", "R1080"};
    m.tile = 16;
    m.seed = 1;
    DatasetWriter writer(dir.toStdString(), m);
    const int plane = 16 * 16;
    for (int k = 0; k < 24; ++k) {
        std::vector<float> in(3 * plane), out(3 * plane);
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x)
                for (int c = 0; c < 3; ++c)
                    in[c * plane + y * 16 + x] = static_cast<float>(0.2 + 0.05 * std::sin(0.3 * x * (c + 1) + 0.7 * k) + 0.04 * std::cos(0.25 * y + c + k));
        for (int p = 0; p < plane; ++p) {
            out[p] = 0.5f * in[p] + 0.3f * in[plane + p] + 0.01f;
            out[plane + p] = 0.2f * in[p] + 0.7f * in[2 * plane + p];
            out[2 * plane + p] = in[plane + p] - 0.4f * in[2 * plane + p] + 0.05f;
        }
        out[5] = std::nanf(""); // a no-data target pixel is simply left out of the loss
        TileRecord r;
        r.scene = "s" + std::to_string(k % 6);
        writer.addTile(k % 6 == 5 ? "val" : "train", in.data(), out.data(), r);
    }
    writer.finish();
}

ml::TrainingConfig tinyConfig(const QString& dataset, int epochs, bool augment) {
    return ml::TrainingConfig::fromJson(QString(R"({"dataset": "%1", "base_width": 8, "depth": 2, "batch": 4, "epochs": %2,
                                                   "learning_rate": 0.003, "seed": 7, "threads": 1, "augment": %3})")
                                            .arg(dataset)
                                            .arg(epochs)
                                            .arg(augment ? "true" : "false")
                                            .toStdString());
}

std::vector<float> firstTileInput(const QString& dataset) {
    const auto data = TileDataset::open(dataset.toStdString(), "train");
    return std::vector<float>(data.input(0), data.input(0) + 3 * 16 * 16);
}

} // namespace

class TestMl : public QObject {
    Q_OBJECT
private slots:
    void badConfigsAreOneLineErrors() {
        const auto message = [](const std::string& json) {
            try {
                ml::TrainingConfig::fromJson(json);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString("no error");
        };
        QVERIFY(message("{\"dataset\": \"d\", \"epoch\": 3}").contains("unknown key 'epoch'"));
        QVERIFY(message("{\"dataset\": \"d\", \"batch\": 0}").contains("batch"));
        QVERIFY(message("{\"dataset\": \"d\", \"learning_rate\": \"fast\"}").contains("bad value"));
        QVERIFY(message("{\"epochs\": 3}").contains("bad value")); // no dataset
        QVERIFY(message("{not json").contains("not valid JSON"));
        QVERIFY(message("{\"dataset\": \"d\", \"device\": \"tpu\"}").contains("device"));
        QVERIFY(!message("{\"dataset\": \"d\"}").contains('\n'));
        QVERIFY_THROWS_EXCEPTION(Error, ml::TrainingConfig::read("/nonexistent/config.json"));
    }

    void trainingLowersTheLossAndCheckpointsReloadIdentically() {
        QTemporaryDir dir;
        writeLearnableDataset(dir.path() + "/data");
        std::vector<double> valLosses;
        {
            ml::Trainer trainer(tinyConfig(dir.path() + "/data", 30, false), (dir.path() + "/run").toStdString(), false);
            TaskControl control;
            trainer.run(control, [&](const ml::TrainingProgress& p) {
                if (p.event == "epoch") valLosses.push_back(p.valLoss);
            });
        }
        QCOMPARE(valLosses.size(), std::size_t(30));
        QVERIFY2(valLosses.back() < 0.5 * valLosses.front(), qPrintable(QString("%1 → %2").arg(valLosses.front()).arg(valLosses.back())));
        for (const char* file : {"latest.pt", "best.pt", "config.json", "training_log.csv"}) QVERIFY2(QFile::exists(dir.path() + "/run/" + file), file);
        // Reloaded twice: the same outputs, in target units, close to the true mix.
        const auto a = ml::Predictor::load((dir.path() + "/run/latest.pt").toStdString());
        const auto b = ml::Predictor::load((dir.path() + "/run/latest.pt").toStdString());
        QCOMPARE(a.tile(), 16);
        QCOMPARE(a.outputChannels(), 3);
        const auto input = firstTileInput(dir.path() + "/data");
        const auto pa = a.predictTile(input), pb = b.predictTile(input);
        QVERIFY(std::memcmp(pa.data(), pb.data(), pa.size() * sizeof(float)) == 0);
        double error = 0;
        for (int p = 0; p < 256; ++p) error += std::abs(pa[p] - (0.5f * input[p] + 0.3f * input[256 + p] + 0.01f));
        QVERIFY2(error / 256 < 0.02, qPrintable(QString::number(error / 256)));
        // A second run into the same folder is refused; a file that is no checkpoint is named.
        QVERIFY_THROWS_EXCEPTION(Error, ml::Trainer(tinyConfig(dir.path() + "/data", 2, false), (dir.path() + "/run").toStdString(), false));
        QVERIFY_THROWS_EXCEPTION(Error, ml::Predictor::load((dir.path() + "/run/config.json").toStdString()));
    }

    void canceledAndResumedRunEndsWhereAnUninterruptedOneDoes() {
        QTemporaryDir dir;
        const QString data = dir.path() + "/data";
        writeLearnableDataset(data);
        {
            ml::Trainer straight(tinyConfig(data, 4, true), (dir.path() + "/straight").toStdString(), false);
            TaskControl control;
            straight.run(control, [](const ml::TrainingProgress&) {});
        }
        {
            ml::Trainer first(tinyConfig(data, 4, true), (dir.path() + "/resumed").toStdString(), false);
            TaskControl control;
            bool canceled = false;
            first.run(control, [&](const ml::TrainingProgress& p) {
                if (p.event == "epoch" && p.epoch == 2) control.cancel(); // as Ctrl-C would, after epoch 2
                canceled = canceled || p.event == "canceled";
            });
            QVERIFY(canceled);
        }
        {
            ml::Trainer resumed(ml::TrainingConfig{}, (dir.path() + "/resumed").toStdString(), true);
            TaskControl control;
            int epochs = 0;
            resumed.run(control, [&](const ml::TrainingProgress& p) { epochs += p.event == "epoch"; });
            QCOMPARE(epochs, 2); // epochs 3 and 4
        }
        const auto input = firstTileInput(data);
        const auto a = ml::Predictor::load((dir.path() + "/straight/latest.pt").toStdString()).predictTile(input);
        const auto b = ml::Predictor::load((dir.path() + "/resumed/latest.pt").toStdString()).predictTile(input);
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
        // A cancel file in the run folder stops a run too, saving first.
        QFile(dir.path() + "/straight/cancel").open(QIODevice::WriteOnly);
        QVERIFY_THROWS_EXCEPTION(Error, ml::Trainer(ml::TrainingConfig{}, (dir.path() + "/nothing").toStdString(), true));
    }
};

QTEST_GUILESS_MAIN(TestMl)
#include "test_ml.moc"
