// The ML engine on the CPU with tiny networks: config errors, training lowers the loss, a checkpoint
// reloads to identical outputs, a canceled-then-resumed run ends exactly where an uninterrupted one
// does (U-Net and diffusion with its EMA), the ResNet34 U-Net, the EDM samplers against the closed-form
// flow of Gaussian data, diffusion ensembles, and the LPIPS TorchScript loading path.
#include "../core/ml/src/Checkpoint.h"
#include "../core/ml/src/Model.h"
#include "../core/ml/src/Samplers.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Evaluation.h"
#include "jezero/core/ImageMetrics.h"
#include "jezero/core/Task.h"
#include "jezero/core/Resources.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/ml/LearnedFusion.h"
#include "jezero/ml/Lpips.h"
#include "jezero/ml/Predictor.h"
#include "jezero/ml/Trainer.h"

#include <Eigen/Core>
#include <torch/script.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace jezero;

namespace {

// A learnable dataset: 3 smooth input channels, targets = fixed linear mixes of them plus an offset.
// locationOffset ≠ 0: the first target channel is also raised by it in Jezero and lowered in Nili
// Fossae, and both places see the same input tiles — what only the location can tell.
void writeLearnableDataset(const QString& dir, int tile = 16, const std::string& input = "pnr", float locationOffset = 0) {
    DatasetManifest m;
    m.input = input;
    m.inputChannels = {"PAN", "NIR", "RED"};
    m.target = "fal";
    m.targetChannels = {"R2529", "R1506", "R1080"};
    m.tile = tile;
    m.seed = 1;
    DatasetWriter writer(dir.toStdString(), m);
    const int plane = tile * tile;
    for (int k = 0; k < 24; ++k) {
        std::vector<float> in(3 * plane), out(3 * plane);
        for (int y = 0; y < tile; ++y)
            for (int x = 0; x < tile; ++x)
                for (int c = 0; c < 3; ++c)
                    for (const int phase : {locationOffset != 0 ? k / 2 : k})
                        in[c * plane + y * tile + x] =
                            static_cast<float>(0.2 + 0.05 * std::sin(0.3 * x * (c + 1) + 0.7 * phase) + 0.04 * std::cos(0.25 * y + c + phase));
        for (int p = 0; p < plane; ++p) {
            out[p] = 0.5f * in[p] + 0.3f * in[plane + p] + 0.01f + (k % 2 ? locationOffset : -locationOffset);
            out[plane + p] = 0.2f * in[p] + 0.7f * in[2 * plane + p];
            out[2 * plane + p] = in[plane + p] - 0.4f * in[2 * plane + p] + 0.05f;
        }
        out[5] = std::nanf(""); // a no-data target pixel is simply left out of the loss
        TileRecord r;
        r.scene = "s" + std::to_string(k % 6);
        r.region = k % 2 ? "Jezero" : "Nili Fossae";
        r.latitudeDeg = k % 2 || locationOffset != 0 ? 18.4 : 21.0; // with an offset, both places at one latitude/longitude: only the name tells
        r.longitudeDeg = k % 2 || locationOffset != 0 ? 77.5 : 78.5;
        const std::vector<std::uint8_t> label(plane, kLabelNone);
        writer.addTile(k % 6 == 5 ? "val" : "train", in.data(), out.data(), label.data(), r);
    }
    writer.finish();
}

TrainingConfig tinyConfig(const QString& dataset, int epochs, bool augment, const QString& extra = {}) {
    return TrainingConfig::fromJson(QString(R"({"dataset": "%1", "base_width": 8, "depth": 2, "batch": 4, "epochs": %2,
                                                   "learning_rate": 0.003, "seed": 7, "threads": 1, "augment": %3 %4})")
                                            .arg(dataset)
                                            .arg(epochs)
                                            .arg(augment ? "true" : "false")
                                            .arg(extra)
                                            .toStdString());
}

std::vector<float> firstTileInput(const QString& dataset, int tile = 16) {
    const auto data = TileDataset::open(dataset.toStdString(), "train");
    return std::vector<float>(data.input(0), data.input(0) + 3 * tile * tile);
}

void train(const TrainingConfig& config, const QString& runDirectory, std::vector<double>* valLosses = nullptr) {
    ml::Trainer trainer(config, runDirectory.toStdString(), false);
    TaskControl control;
    trainer.run(control, [&](const ml::TrainingProgress& p) {
        if (valLosses && p.event == "epoch") valLosses->push_back(p.valLoss);
    });
}

// A carbonate-label dataset: 3 smooth input channels; the label is 1 where channel 0 is high (about a
// fifth of the pixels), so a small network can learn it; one pixel per tile has no data.
void writeLabelDataset(const QString& dir, int tile = 16) {
    DatasetManifest m;
    m.input = "pnr";
    m.inputChannels = {"PAN", "NIR", "RED"};
    m.target = "carbonate";
    m.targetChannels = {kCarbonateLabelChannel};
    m.tile = tile;
    m.seed = 1;
    DatasetWriter writer(dir.toStdString(), m);
    const int plane = tile * tile;
    for (int k = 0; k < 30; ++k) {
        std::vector<float> in(3 * plane), out(plane);
        std::vector<std::uint8_t> label(plane);
        for (int y = 0; y < tile; ++y)
            for (int x = 0; x < tile; ++x)
                for (int c = 0; c < 3; ++c)
                    in[c * plane + y * tile + x] = static_cast<float>(0.2 + 0.05 * std::sin(0.4 * x * (c + 1) + 0.9 * k) + 0.04 * std::cos(0.35 * y + c + k));
        for (int p = 0; p < plane; ++p) {
            label[p] = in[p] > 0.235f ? kLabelCarbonate : kLabelNone;
            out[p] = label[p] == kLabelCarbonate ? 1.0f : 0.0f;
        }
        label[7] = kLabelNoData;
        out[7] = std::nanf("");
        TileRecord r;
        r.scene = "s" + std::to_string(k % 6);
        r.region = "Jezero";
        writer.addTile(k % 6 == 5 ? "val" : "train", in.data(), out.data(), label.data(), r);
    }
    writer.finish();
}

// Tile n of a prediction and a truth (N × C × H × W) as ImageStacks for the evaluation's metrics; the
// truth is NaN where mask is 0.
std::pair<ImageStack, ImageStack> tileImages(const torch::Tensor& prediction, const torch::Tensor& truth, const torch::Tensor& mask, int n) {
    const int channels = static_cast<int>(truth.size(1)), height = static_cast<int>(truth.size(2)), width = static_cast<int>(truth.size(3));
    std::vector<std::string> names;
    for (int c = 0; c < channels; ++c) names.push_back("c" + std::to_string(c));
    std::pair<ImageStack, ImageStack> images{ImageStack(width, height, names), ImageStack(width, height, names)};
    for (int c = 0; c < channels; ++c)
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                images.first.at(x, y, c) = prediction[n][c][y][x].item<float>();
                images.second.at(x, y, c) = mask[n][c][y][x].item<float>() > 0 ? truth[n][c][y][x].item<float>() : std::nanf("");
            }
    return images;
}

bool identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

class TestMl : public QObject {
    Q_OBJECT
private slots:
    void badConfigsAreOneLineErrors() {
        const auto message = [](const std::string& json) {
            try {
                TrainingConfig::fromJson(json);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString("no error");
        };
        QVERIFY(message("{\"dataset\": \"d\", \"epoch\": 3}").contains("unknown key 'epoch'"));
        QVERIFY(message("{\"dataset\": \"d\", \"batch\": 0}").contains("batch"));
        QCOMPARE(message("{\"dataset\": \"d\", \"learning_rate\": \"fast\"}"), QString("learning_rate must be a number, not \"fast\""));
        QCOMPARE(message("{\"epochs\": 3}"), QString("the config needs \"dataset\" (the dataset folder)"));
        // Whole numbers are whole and in range: never 2.5 taken as 2, or 1e30 as whatever an int makes of it.
        QCOMPARE(message("{\"dataset\": \"d\", \"epochs\": 2.5}"), QString("epochs must be a whole number in range, not 2.5"));
        QCOMPARE(message("{\"dataset\": \"d\", \"batch\": 1e30}"), QString("batch must be a whole number in range, not 1e+30"));
        QCOMPARE(message("{\"dataset\": \"d\", \"seed\": -1}"), QString("seed must be a whole number in range, not -1"));
        QCOMPARE(message("{\"dataset\": \"d\", \"augment\": \"yes\"}"), QString("augment must be true or false, not \"yes\""));
        QCOMPARE(message("{\"dataset\": \"d\", \"model\": \"diffusion\", \"diffusion\": {\"mode\": \"plain\", \"attention\": 1}}"),
                 QString("diffusion.attention must be true or false, not 1"));
        QCOMPARE(TrainingConfig::fromJson("{\"dataset\": \"d\", \"epochs\": 30.0}").epochs, 30); // a whole number written as a float
        QCOMPARE(TrainingConfig::fromJson("{\"dataset\": \"d\", \"seed\": 18446744073709551615}").seed, std::uint64_t(18446744073709551615ull));
        QVERIFY(message("{not json").contains("not valid JSON"));
        QVERIFY(message("{\"dataset\": \"d\", \"device\": \"tpu\"}").contains("device"));
        QVERIFY(message("{\"dataset\": \"d\", \"model\": \"gan\"}").contains("unet, resnet34 or diffusion"));
        QVERIFY(message("{\"dataset\": \"d\", \"model\": \"diffusion\"}").contains("diffusion.regression"));
        QVERIFY(message("{\"dataset\": \"d\", \"model\": \"diffusion\", \"diffusion\": {\"mode\": \"plain\", \"ema\": 1}}").contains("unknown key 'diffusion.ema'"));
        QVERIFY(message("{\"dataset\": \"d\", \"diffusion\": {\"mode\": \"plain\"}}").contains("for model \"diffusion\" only"));
        QCOMPARE(TrainingConfig::fromJson("{\"dataset\": \"d\", \"model\": \"resnet34\"}").baseWidth, 64);
        // positive_weight: balanced, sqrt or a number ≥ 1; it round-trips through the checkpoint's JSON.
        QVERIFY(message("{\"dataset\": \"d\", \"positive_weight\": \"half\"}").contains("positive_weight"));
        QVERIFY(message("{\"dataset\": \"d\", \"positive_weight\": 0.5}").contains("positive_weight"));
        QVERIFY(message("{\"dataset\": \"d\", \"positive_weight\": \"3x\"}").contains("positive_weight"));
        QVERIFY(message("{\"dataset\": \"d\", \"input_transform\": \"sqrt\"}").contains("input_transform must be none or log"));
        QVERIFY(message("{\"dataset\": \"d\", \"model\": \"diffusion\", \"input_transform\": \"log\", \"diffusion\": {\"mode\": \"plain\"}}")
                    .contains("input_transform is for unet and resnet34"));
        QCOMPARE(TrainingConfig::fromJson("{\"dataset\": \"d\"}").positiveWeight, std::string("balanced"));
        QCOMPARE(message("{\"dataset\": \"d\", \"model\": \"resnet34\", \"metadata\": true}"), QString("metadata is for unet only, not \"resnet34\""));
        QVERIFY(message("{\"dataset\": \"d\", \"model\": \"diffusion\", \"metadata\": true, \"diffusion\": {\"mode\": \"plain\"}}").contains("diffusion.metadata"));
        QVERIFY(TrainingConfig::fromJson(TrainingConfig::fromJson("{\"dataset\": \"d\", \"metadata\": true}").toJson()).metadata);
        // Unset, the newer keys stay out of the checkpoint's config, which earlier versions can then still read.
        for (const char* key : {"metadata", "correlation_loss", "ssim_loss"})
            QVERIFY(TrainingConfig::fromJson("{\"dataset\": \"d\"}").toJson().find(key) == std::string::npos);
        QCOMPARE(TrainingConfig::fromJson(TrainingConfig::fromJson("{\"dataset\": \"d\", \"correlation_loss\": 0.5}").toJson()).correlationLoss, 0.5);
        QVERIFY(message("{\"dataset\": \"d\", \"correlation_loss\": -1}").contains("correlation_loss"));
        QVERIFY(message("{\"dataset\": \"d\", \"ssim_loss\": 1000}").contains("ssim_loss must be a weight"));
        QVERIFY(message("{\"dataset\": \"d\", \"model\": \"diffusion\", \"correlation_loss\": 1, \"diffusion\": {\"mode\": \"plain\"}}").contains("EDM loss"));
        QVERIFY(!TrainingConfig::fromJson("{\"dataset\": \"d\", \"metadata\": true}").sameNetworkAs(TrainingConfig::fromJson("{\"dataset\": \"d\"}")));
        const TrainingConfig weighted = TrainingConfig::fromJson("{\"dataset\": \"d\", \"positive_weight\": 4}");
        QCOMPARE(std::stod(TrainingConfig::fromJson(weighted.toJson()).positiveWeight), 4.0);
        QCOMPARE(TrainingConfig::fromJson(TrainingConfig::fromJson("{\"dataset\": \"d\", \"positive_weight\": \"sqrt\"}").toJson()).positiveWeight,
                 std::string("sqrt"));
        QVERIFY(!message("{\"dataset\": \"d\"}").contains('\n'));
        QVERIFY_THROWS_EXCEPTION(Error, TrainingConfig::read("/nonexistent/config.json"));
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
        // The training log mirrors the progress reports, step rows included; a row of work the checkpoint
        // does not hold (as a run killed between its log row and its checkpoint leaves) is dropped on resume.
        const auto logLines = [&](const QString& run) {
            QFile f(dir.path() + "/" + run + "/training_log.csv");
            f.open(QIODevice::ReadOnly);
            return QString(f.readAll()).split('\n', Qt::SkipEmptyParts);
        };
        QFile log(dir.path() + "/resumed/training_log.csv");
        QVERIFY(log.open(QIODevice::Append));
        log.write("epoch,3,999,0.1,0.1,0.1,10,0,0.001\n");
        log.close();
        std::vector<std::string> reported;
        {
            ml::Trainer resumed(TrainingConfig{}, (dir.path() + "/resumed").toStdString(), true);
            TaskControl control;
            int epochs = 0;
            resumed.run(control, [&](const ml::TrainingProgress& p) {
                epochs += p.event == "epoch";
                reported.push_back(p.event + "," + std::to_string(p.epoch) + "," + std::to_string(p.step));
            });
            QCOMPARE(epochs, 2); // epochs 3 and 4
        }
        const QStringList rows = logLines("resumed");
        QVERIFY(!rows.join('\n').contains(",999,"));
        QStringList resumedRows; // the rows this resume wrote: after the "canceled" row
        for (int i = rows.lastIndexOf(QRegularExpression("^canceled,.*")) + 1; i < rows.size(); ++i) resumedRows << rows[i].section(',', 0, 2);
        QStringList expected;
        for (const auto& r : reported) expected << QString::fromStdString(r);
        QCOMPARE(resumedRows, expected);
        QVERIFY(rows.filter(QRegularExpression("^step,")).size() >= 2);
        // An epoch row carries its validation; a step row has none (empty fields, never -1).
        QVERIFY(!rows.join('\n').contains(",-1,"));
        QVERIFY(!rows.filter(QRegularExpression("^epoch,")).first().section(',', 4, 4).isEmpty());
        QVERIFY(rows.filter(QRegularExpression("^step,")).first().section(',', 4, 5) == ",");
        const auto input = firstTileInput(data);
        const auto a = ml::Predictor::load((dir.path() + "/straight/latest.pt").toStdString()).predictTile(input);
        const auto b = ml::Predictor::load((dir.path() + "/resumed/latest.pt").toStdString()).predictTile(input);
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
        // A cancel file in the run folder stops a run too (how a GUI or a script stops a child process),
        // saving first and removing the file.
        {
            ml::Trainer byFile(tinyConfig(data, 4, true), (dir.path() + "/byfile").toStdString(), false);
            TaskControl control;
            int epochs = 0;
            bool canceled = false;
            byFile.run(control, [&](const ml::TrainingProgress& p) {
                if (p.event == "epoch" && ++epochs == 1) QFile(dir.path() + "/byfile/cancel").open(QIODevice::WriteOnly);
                canceled = canceled || p.event == "canceled";
            });
            QVERIFY(canceled);
            QCOMPARE(epochs, 1);
            QVERIFY(QFile::exists(dir.path() + "/byfile/latest.pt"));
            QVERIFY(!QFile::exists(dir.path() + "/byfile/cancel"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, ml::Trainer(TrainingConfig{}, (dir.path() + "/nothing").toStdString(), true));
    }

    void samplersFollowTheClosedFormFlowOfGaussianData() {
        // Data ~ N(μ, s²): the ideal denoiser is D(x; σ) = μ + (x − μ) s²/(s² + σ²), and the
        // probability-flow ODE carries x(σ_max) to μ + (x − μ) s / √(s² + σ_max²) at σ = 0.
        using Array = Eigen::ArrayXd;
        const double mu = 0.3, s = 0.5;
        const std::function<Array(const Array&, double)> denoise = [&](const Array& x, double sigma) {
            return mu + (x - mu) * (s * s / (s * s + sigma * sigma));
        };
        const auto sigmas = ml::detail::karrasSigmas(18);
        QCOMPARE(sigmas.size(), std::size_t(19));
        QCOMPARE(sigmas.front(), 80.0);
        QVERIFY(std::abs(sigmas[17] - 0.002) < 1e-12);
        QCOMPARE(sigmas.back(), 0.0);
        for (std::size_t i = 1; i < sigmas.size(); ++i) QVERIFY(sigmas[i] < sigmas[i - 1]);
        Array start(5);
        start << -2.0, -0.5, 0.0, 1.0, 3.0;
        start *= 80.0;
        const Array exact = mu + (start - mu) * (s / std::sqrt(s * s + 80.0 * 80.0));
        const double scale = (exact - mu).abs().maxCoeff();
        const auto error = [&](ml::detail::Sampler method, int steps) {
            const Array x = ml::detail::sampleProbabilityFlow<Array>(denoise, start, ml::detail::karrasSigmas(steps), method);
            return (x - exact).abs().maxCoeff();
        };
        using ml::detail::Sampler;
        const double heun = error(Sampler::Heun, 18);
        // σ_max = 80 against s = 0.5 is a stiff start: 18 Heun steps land within 6 % of the spread, as an
        // independent numpy transcription of EDM Algorithm 1 finds too (tests/reference/samplers.py).
        QVERIFY2(heun < 0.06 * scale, qPrintable(QString::number(heun)));
        QVERIFY2(std::abs(heun - 0.0827996) < 1e-5, qPrintable(QString::number(heun, 'g', 8)));
        QVERIFY(error(Sampler::Heun, 40) < 0.3 * heun); // second order: (18/40)² ≈ 0.2
        QVERIFY(error(Sampler::Euler, 18) > 2 * heun);   // first order
        const double dpm = error(Sampler::DpmSolver2M, 10);
        QVERIFY2(std::abs(dpm - 0.2378915) < 1e-5 && dpm < error(Sampler::Euler, 10), qPrintable(QString::number(dpm, 'g', 8))); // samplers.py
        // Guidance: scales 1, 1 give the conditional answer; 0, 0 the unconditional one.
        Array none = Array::Constant(2, 1.0), image = Array::Constant(2, 2.0), all = Array::Constant(2, 4.0);
        QCOMPARE(ml::detail::guided(none, image, all, 1.0, 1.0)(0), 4.0);
        QCOMPARE(ml::detail::guided(none, image, all, 0.0, 0.0)(0), 1.0);
        QCOMPARE(ml::detail::guided(none, image, all, 2.0, 1.5)(0), 1.0 + 2.0 * 1.0 + 1.5 * 2.0);
    }

    void resnet34UNetTrainsAndReloads() {
        QTemporaryDir dir;
        writeLearnableDataset(dir.path() + "/data32", 32);
        std::vector<double> valLosses;
        train(tinyConfig(dir.path() + "/data32", 6, false, R"(, "model": "resnet34")"), dir.path() + "/run", &valLosses);
        QCOMPARE(valLosses.size(), std::size_t(6));
        QVERIFY2(valLosses.back() < valLosses.front(), qPrintable(QString("%1 → %2").arg(valLosses.front()).arg(valLosses.back())));
        const auto a = ml::Predictor::load((dir.path() + "/run/best.pt").toStdString(), "cpu");
        const auto b = ml::Predictor::load((dir.path() + "/run/best.pt").toStdString(), "cpu");
        QVERIFY(!a.stochastic());
        QVERIFY(QString::fromStdString(a.summary()).contains("ResNet34"));
        const auto input = firstTileInput(dir.path() + "/data32", 32);
        const auto pa = a.predictTile(input);
        QCOMPARE(pa.size(), std::size_t(3 * 32 * 32));
        QVERIFY(identical(pa, b.predictTile(input)));
        // Its encoder downsamples 32×: a 16-pixel tile is refused with the reason.
        writeLearnableDataset(dir.path() + "/data16");
        try {
            ml::Trainer(tinyConfig(dir.path() + "/data16", 1, false, R"(, "model": "resnet34")"), (dir.path() + "/run16").toStdString(), false);
            QFAIL("a 16-pixel tile was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("divide by 32"), e.what());
        }
    }

    void diffusionEnsemblesAreReproducibleAndResidualModeIsSelfContained() {
        QTemporaryDir dir;
        const QString data = dir.path() + "/data";
        writeLearnableDataset(data);
        // Plain mode: the denoising loss falls; samples are reproducible per seed and differ across seeds.
        std::vector<double> valLosses;
        train(tinyConfig(data, 12, false, R"(, "model": "diffusion", "diffusion": {"mode": "plain"})"), dir.path() + "/plain", &valLosses);
        QVERIFY2(valLosses.back() < valLosses.front(), qPrintable(QString("%1 → %2").arg(valLosses.front()).arg(valLosses.back())));
        const auto plain = ml::Predictor::load((dir.path() + "/plain/latest.pt").toStdString(), "cpu");
        QVERIFY(plain.stochastic());
        QCOMPARE(plain.locations(), (std::vector<std::string>{"Jezero", "Nili Fossae"}));
        const auto input = firstTileInput(data);
        ml::SamplingOptions options;
        options.samples = 4;
        options.steps = 6;
        options.sampler = "dpm";
        options.seed = 3;
        const ml::TileContext jezero{18.4, 77.5, "Jezero"};
        const auto first = plain.predictEnsemble(input, jezero, options, 0, 0.1);
        QVERIFY(identical(first.mean, plain.predictEnsemble(input, jezero, options, 0, 0.1).mean));
        QVERIFY(identical(first.mean, ml::Predictor::load((dir.path() + "/plain/latest.pt").toStdString(), "cpu").predictEnsemble(input, jezero, options).mean));
        options.seed = 4;
        QVERIFY(!identical(first.mean, plain.predictEnsemble(input, jezero, options).mean));
        QCOMPARE(first.stddev.size(), std::size_t(3 * 256));
        QVERIFY(*std::max_element(first.stddev.begin(), first.stddev.end()) > 0);
        QCOMPARE(first.exceedance.size(), std::size_t(256));
        for (const float p : first.exceedance) QVERIFY(p == 0.0f || p == 0.25f || p == 0.5f || p == 0.75f || p == 1.0f);
        options.imageGuidance = 2.0;
        options.metadataGuidance = 1.5;
        options.sampler = "heun";
        QVERIFY(!identical(first.mean, plain.predictEnsemble(input, jezero, options).mean));
        options.sampler = "ddim";
        QVERIFY_THROWS_EXCEPTION(Error, plain.predictEnsemble(input, jezero, options));

        // Residual mode on a trained U-Net: the ensemble mean stays close to the truth, and the checkpoint
        // carries the regression model (it predicts with the U-Net's file gone).
        train(tinyConfig(data, 30, false), dir.path() + "/unet");
        train(tinyConfig(data, 4, false, QString(R"(, "model": "diffusion", "diffusion": {"regression": "%1"})").arg(dir.path() + "/unet/best.pt")),
              dir.path() + "/residual");
        QVERIFY(QDir(dir.path() + "/unet").removeRecursively());
        const auto residual = ml::Predictor::load((dir.path() + "/residual/best.pt").toStdString(), "cpu");
        QVERIFY(QString::fromStdString(residual.summary()).contains("residual"));
        options = {};
        options.samples = 4;
        options.steps = 8;
        const auto mean = residual.predictEnsemble(input, jezero, options).mean;
        double error = 0;
        for (int p = 0; p < 256; ++p) error += std::abs(mean[p] - (0.5f * input[p] + 0.3f * input[256 + p] + 0.01f));
        QVERIFY2(error / 256 < 0.03, qPrintable(QString::number(error / 256)));

        // The same on a U-Net with log inputs: the diffusion run's standardised I/F is turned into the
        // U-Net's own log scale, so the residual starts from its good answer.
        train(tinyConfig(data, 30, false, R"(, "input_transform": "log")"), dir.path() + "/logunet");
        train(tinyConfig(data, 4, false, QString(R"(, "model": "diffusion", "diffusion": {"regression": "%1"})").arg(dir.path() + "/logunet/best.pt")),
              dir.path() + "/logresidual");
        const auto logResidual = ml::Predictor::load((dir.path() + "/logresidual/best.pt").toStdString(), "cpu");
        const auto logMean = logResidual.predictEnsemble(input, jezero, options).mean;
        double logError = 0;
        for (int p = 0; p < 256; ++p) logError += std::abs(logMean[p] - (0.5f * input[p] + 0.3f * input[256 + p] + 0.01f));
        QVERIFY2(logError / 256 < 0.03, qPrintable(QString::number(logError / 256)));
    }

    void metadataUNetLearnsWhatOnlyTheLocationTells() {
        QTemporaryDir dir;
        const QString data = dir.path() + "/data";
        writeLearnableDataset(data, 16, "pnr", 0.05f);
        train(tinyConfig(data, 40, false), dir.path() + "/plain");
        train(tinyConfig(data, 40, false, R"(, "metadata": true)"), dir.path() + "/meta");
        const auto plain = ml::Predictor::load((dir.path() + "/plain/best.pt").toStdString(), "cpu");
        const auto meta = ml::Predictor::load((dir.path() + "/meta/best.pt").toStdString(), "cpu");
        QVERIFY(!plain.usesMetadata());
        QVERIFY(meta.usesMetadata());
        QVERIFY2(QString::fromStdString(meta.summary()).contains("metadata-conditioned (2 locations)"), meta.summary().c_str());
        const auto input = firstTileInput(data);
        const ml::TileContext jezero{18.4, 77.5, "Jezero"}, nili{18.4, 77.5, "Nili Fossae"}, unknown;
        // Mean error of the first channel against the truth with the given offset (the tile's mixes as written).
        const auto error = [&](const ml::Predictor& p, const ml::TileContext& where, float offset) {
            const auto y = p.predictTile(input, where);
            double e = 0;
            for (int i = 0; i < 256; ++i) e += std::abs(y[i] - (0.5f * input[i] + 0.3f * input[256 + i] + 0.01f + offset));
            return e / 256;
        };
        // The same input is +0.05 in Jezero and −0.05 in Nili Fossae: a plain U-Net can only give the
        // middle (about 0.05 off either way); the metadata U-Net gives each place its own.
        QVERIFY2(error(plain, nili, -0.05f) > 0.03 && error(plain, jezero, 0.05f) > 0.03,
                 qPrintable(QString("%1 %2").arg(error(plain, nili, -0.05f)).arg(error(plain, jezero, 0.05f))));
        QVERIFY2(error(meta, nili, -0.05f) < 0.02 && error(meta, jezero, 0.05f) < 0.02,
                 qPrintable(QString("%1 %2").arg(error(meta, nili, -0.05f)).arg(error(meta, jezero, 0.05f))));
        // Without a location it falls back to the middle, as it learned on the one sample in ten without.
        QVERIFY2(error(meta, unknown, 0.0f) < 0.03, qPrintable(QString::number(error(meta, unknown, 0.0f))));
        QVERIFY(identical(meta.predictTile(input, jezero), ml::Predictor::load((dir.path() + "/meta/best.pt").toStdString(), "cpu").predictTile(input, jezero)));
        // A residual diffusion model refines a U-Net without metadata (it conditions on metadata itself).
        try {
            ml::Trainer(tinyConfig(data, 1, false, QString(R"(, "model": "diffusion", "diffusion": {"regression": "%1"})").arg(dir.path() + "/meta/best.pt")),
                        (dir.path() + "/residual").toStdString(), false);
            QFAIL("a metadata U-Net was taken as a diffusion model's regression model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("metadata-conditioned U-Net"), e.what());
        }
    }

    void diffusionResumeIsExactIncludingTheEma() {
        QTemporaryDir dir;
        const QString data = dir.path() + "/data";
        writeLearnableDataset(data);
        const auto config = tinyConfig(data, 3, true, R"(, "model": "diffusion", "diffusion": {"mode": "plain"})");
        train(config, dir.path() + "/straight");
        {
            ml::Trainer first(config, (dir.path() + "/resumed").toStdString(), false);
            TaskControl control;
            first.run(control, [&](const ml::TrainingProgress& p) {
                if (p.event == "step" && p.step == 7) control.cancel(); // mid-epoch 2
            });
        }
        {
            ml::Trainer resumed(TrainingConfig{}, (dir.path() + "/resumed").toStdString(), true);
            TaskControl control;
            resumed.run(control, [](const ml::TrainingProgress&) {});
        }
        ml::SamplingOptions options;
        options.samples = 2;
        options.steps = 4;
        const auto input = firstTileInput(data);
        const auto a = ml::Predictor::load((dir.path() + "/straight/latest.pt").toStdString(), "cpu").predictEnsemble(input, {}, options).mean;
        const auto b = ml::Predictor::load((dir.path() + "/resumed/latest.pt").toStdString(), "cpu").predictEnsemble(input, {}, options).mean;
        QVERIFY(identical(a, b));
    }

    void carbonateProbabilityModelLearnsTheLabelWithCalibratedProbabilities() {
        QTemporaryDir dir;
        writeLabelDataset(dir.path() + "/data");
        train(tinyConfig(dir.path() + "/data", 25, false), dir.path() + "/run");
        const auto model = ml::Predictor::load((dir.path() + "/run/best.pt").toStdString(), "cpu");
        QVERIFY(model.summary().find("carbonate probability") != std::string::npos);
        const auto data = TileDataset::open((dir.path() + "/data").toStdString(), "val");
        std::vector<float> scores;
        std::vector<char> truth;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const auto p = model.predictTile(std::vector<float>(data.input(i), data.input(i) + 3 * 256));
            for (int k = 0; k < 256; ++k) {
                QVERIFY(p[k] >= 0 && p[k] <= 1); // probabilities, not standardised values
                scores.push_back(p[k]);
                truth.push_back(data.label(i)[k] == kLabelNoData ? -1 : data.label(i)[k] == kLabelCarbonate);
            }
        }
        const double ap = averagePrecision(scores, truth);
        QVERIFY2(ap > 0.8, qPrintable(QString("AP %1").arg(ap)));
        // The same on log inputs (input_transform "log"): trained, saved and applied in log space.
        train(tinyConfig(dir.path() + "/data", 25, false, R"(, "input_transform": "log", "positive_weight": "sqrt")"), dir.path() + "/log");
        const auto logModel = ml::Predictor::load((dir.path() + "/log/best.pt").toStdString(), "cpu");
        QVERIFY(logModel.configJson().find("\"input_transform\": \"log\"") != std::string::npos);
        std::vector<float> logScores;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const auto p = logModel.predictTile(std::vector<float>(data.input(i), data.input(i) + 3 * 256));
            logScores.insert(logScores.end(), p.begin(), p.begin() + 256);
        }
        const double logAp = averagePrecision(logScores, truth);
        QVERIFY2(logAp > 0.8, qPrintable(QString("AP %1 (log inputs)").arg(logAp)));
        // PCA components are no I/F: log inputs are refused for them.
        writeLearnableDataset(dir.path() + "/pca", 16, "pca");
        try {
            ml::Trainer(tinyConfig(dir.path() + "/pca", 1, false, R"(, "input_transform": "log")"), (dir.path() + "/pcarun").toStdString(), false);
            QFAIL("log inputs on PCA components were accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("PCA components"), e.what());
        }
        // A diffusion model is for parameters, not the label.
        QVERIFY_THROWS_EXCEPTION(Error, ml::Trainer(tinyConfig(dir.path() + "/data", 1, false, R"(, "model": "diffusion", "diffusion": {"mode": "plain"})"),
                                                    (dir.path() + "/diffusion").toStdString(), false));
    }

    void damagedCheckpointsAreRefusedNeverPredicted() {
        QTemporaryDir dir;
        writeLearnableDataset(dir.path() + "/data");
        train(tinyConfig(dir.path() + "/data", 1, false), dir.path() + "/run");
        const QString path = dir.path() + "/run/latest.pt";
        const auto input = firstTileInput(dir.path() + "/data");
        const auto reference = ml::Predictor::load(path.toStdString()).predictTile(input);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray original = file.readAll();
        file.close();
        // One flipped bit anywhere: an Error naming the file, or (a flip in the zip's alignment padding,
        // which holds no data) exactly the same predictions — never different weights.
        int refused = 0;
        for (int k = 1; k < 40; ++k) {
            QByteArray damaged = original;
            const int at = static_cast<int>(static_cast<long long>(damaged.size()) * k / 40);
            damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
            const QString copy = dir.path() + "/damaged.pt";
            QFile out(copy);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(damaged);
            out.close();
            try {
                const auto p = ml::Predictor::load(copy.toStdString()).predictTile(input);
                QVERIFY2(std::memcmp(p.data(), reference.data(), p.size() * sizeof(float)) == 0, qPrintable(QString("flip at %1").arg(at)));
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("damaged.pt") && !QString(e.what()).contains('\n'), e.what());
                ++refused;
            }
        }
        QVERIFY2(refused >= 35, qPrintable(QString::number(refused)));
        // Weights that are not finite (a diverged run written by an older Jezero, say) are refused.
        {
            auto info = ml::detail::readCheckpoint(path.toStdString());
            auto model = ml::detail::makeModel(info.config, info.shape(), false);
            ml::detail::loadCheckpointState(path.toStdString(), *model, nullptr);
            {
                torch::NoGradGuard noGrad;
                model->trainableParameters().front().view(-1)[0] = std::nanf("");
            }
            ml::detail::saveCheckpoint((dir.path() + "/nan.pt").toStdString(), *model, nullptr, info);
            QVERIFY_THROWS_EXCEPTION(Error, ml::Predictor::load((dir.path() + "/nan.pt").toStdString()));
            try {
                ml::Predictor::load((dir.path() + "/nan.pt").toStdString());
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("non-finite"), e.what());
            }
        }
        // Metadata that disagrees with itself, in a checkpoint whose hash is right (made up, or written
        // by a broken tool): refused when read, never used to size a tensor.
        {
            auto info = ml::detail::readCheckpoint(path.toStdString());
            auto model = ml::detail::makeModel(info.config, info.shape(), false);
            ml::detail::loadCheckpointState(path.toStdString(), *model, nullptr);
            const auto refusedFor = [&](auto damage, const char* why) {
                auto bad = info;
                damage(bad);
                const std::string copy = (dir.path() + "/inconsistent.pt").toStdString();
                ml::detail::saveCheckpoint(copy, *model, nullptr, bad);
                try {
                    ml::detail::readCheckpoint(copy);
                } catch (const Error& e) {
                    return QString(e.what()).contains("inconsistent.pt") && QString(e.what()).contains(why);
                }
                return false;
            };
            QVERIFY(refusedFor([](auto& c) { c.normalisation.inputMean.pop_back(); }, "input statistics cover"));
            QVERIFY(refusedFor([](auto& c) { c.normalisation.targetStd[0] = 0; }, "positive spread"));
            QVERIFY(refusedFor([](auto& c) { c.inputChannels.insert(c.inputChannels.begin() + 1, ""); }, "input channels list has an empty name"));
            QVERIFY(refusedFor([](auto& c) { c.tile = c.tile + 1; }, "is not a multiple of"));
            QVERIFY(refusedFor([](auto& c) { c.position.epoch = -3; }, "training position"));
            QVERIFY(refusedFor([](auto& c) { c.configJson = "{\"model\": \"unet\", \"depth\": 99}"; }, "config is damaged"));
        }
        // Temporary files a killed run left are removed when the run is resumed.
        QFile stale(dir.path() + "/run/latest.pt.tmp-12345");
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.write("half a checkpoint");
        stale.close();
        ml::Trainer resumed(TrainingConfig{}, (dir.path() + "/run").toStdString(), true);
        QVERIFY(!QFile::exists(dir.path() + "/run/latest.pt.tmp-12345"));
    }

    void resumingWithAnotherConfigKeepsTheNetwork() {
        QTemporaryDir dir;
        writeLearnableDataset(dir.path() + "/data");
        train(tinyConfig(dir.path() + "/data", 1, false), dir.path() + "/run");
        const std::string run = (dir.path() + "/run").toStdString();
        const TrainingConfig longer = tinyConfig(dir.path() + "/data", 3, false);
        QCOMPARE(longer.changesFrom(ml::Trainer::savedConfig(run)), std::vector<std::string>{"epochs: 1 → 3"});
        {
            ml::Trainer more(longer, run, true, true);
            TaskControl control;
            int epochs = 0;
            more.run(control, [&](const ml::TrainingProgress& p) { epochs += p.event == "epoch"; });
            QCOMPARE(epochs, 2); // epochs 2 and 3 of the new config
        }
        QCOMPARE(ml::Trainer::savedConfig(run).epochs, 3);
        QVERIFY_THROWS_EXCEPTION(Error, ml::Trainer(tinyConfig(dir.path() + "/data", 5, false, R"(, "base_width": 16)"), run, true, true));
    }

    void correlationAndSsimLossesAreTheEvaluationsMetrics() {
        // Two tiles × 3 channels of 12 × 10 with masked pixels: the loss must equal the mean of 1 − r
        // per tile and channel as the evaluation computes r (ImageMetrics, a second implementation;
        // masked pixels there are NaN, and it leaves out a pixel NaN in any channel, so whole pixels are masked).
        torch::manual_seed(5);
        const torch::Tensor p = torch::randn({2, 3, 10, 12}), t = 0.6 * p + 0.8 * torch::randn({2, 3, 10, 12});
        torch::Tensor m = torch::ones_like(p);
        for (int c = 0; c < 3; ++c) m[0][c][3][4] = 0, m[1][c][0][0] = 0, m[1][c][9][11] = 0, m[1][c][2][5] = 0;
        double expected = 0;
        for (int n = 0; n < 2; ++n) {
            const auto [a, b] = tileImages(p, t, m, n);
            for (const double r : compareImages(a, b).pccPerChannel) expected += (1 - r) / 6;
        }
        const double loss = ml::detail::maskedCorrelationLoss(p, t, m).item<double>();
        QVERIFY2(std::abs(loss - expected) < 1e-5, qPrintable(QString("%1 vs %2").arg(loss).arg(expected)));
        // Scale- and offset-free per tile (what per-image metrics see); −r doubles it; no spread counts r = 0.
        QVERIFY(std::abs(ml::detail::maskedCorrelationLoss(3 * t + 1, t, m).item<double>()) < 1e-5);
        QVERIFY(std::abs(ml::detail::maskedCorrelationLoss(-t, t, m).item<double>() - 2) < 1e-5);
        QVERIFY(std::abs(ml::detail::maskedCorrelationLoss(p, torch::full_like(t, 0.3), m).item<double>() - 1) < 1e-5);
        // SSIM: the loss's must be the evaluation's (per-image min–max by the truth, Gaussian windows wholly
        // inside and free of no-data) on smooth tiles of 24 × 20, where the windows matter.
        const torch::Tensor ys = torch::arange(20, torch::kFloat32).view({1, 1, 20, 1}), xs = torch::arange(24, torch::kFloat32).view({1, 1, 1, 24});
        const torch::Tensor truth = torch::sin(0.3 * xs + 0.2 * ys + torch::arange(6, torch::kFloat32).view({2, 3, 1, 1})) + 0.1 * torch::randn({2, 3, 20, 24});
        const torch::Tensor guess = 0.8 * truth + 0.3 * torch::randn({2, 3, 20, 24}) + 0.5;
        torch::Tensor valid = torch::ones_like(truth);
        for (int c = 0; c < 3; ++c) valid[1][c][12][3] = 0;
        double expectedSsim = 0;
        for (int n = 0; n < 2; ++n) {
            const auto [a, b] = tileImages(guess, truth, valid, n);
            expectedSsim += evaluateImage(a, b, -1, 0).ssim255 / 2;
        }
        const double ssim = ml::detail::maskedSsim(guess, truth, valid).item<double>();
        QVERIFY2(std::abs(ssim - expectedSsim) < 1e-4 && expectedSsim > 0.2 && expectedSsim < 0.9, qPrintable(QString("%1 vs %2").arg(ssim).arg(expectedSsim)));
        QVERIFY(std::abs(ml::detail::maskedSsim(truth, truth, valid).item<double>() - 1) < 1e-5);

        // A carbonate-label model cannot take it.
        QTemporaryDir dir;
        writeLabelDataset(dir.path() + "/labels");
        for (const QString extra : {R"(, "correlation_loss": 0.5)", R"(, "ssim_loss": 0.5)"}) {
            try {
                ml::Trainer(tinyConfig(dir.path() + "/labels", 1, false, extra), (dir.path() + "/run").toStdString(), false);
                QFAIL("a carbonate-label model took a correlation or SSIM loss");
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("not the carbonate label"), e.what());
            }
        }
    }

    void plattScalingRecoversAKnownMapping() {
        // For logits z on a grid, the share sigmoid(2z − 1) of 200 pixels is positive: Platt finds a = 2, b = −1.
        std::vector<double> z, y;
        for (int i = -30; i <= 30; ++i) {
            const double v = i / 10.0, p = 1 / (1 + std::exp(-(2 * v - 1)));
            const int positives = static_cast<int>(std::lround(200 * p));
            for (int k = 0; k < 200; ++k) z.push_back(v), y.push_back(k < positives ? 1.0 : 0.0);
        }
        const auto [a, b] = ml::detail::fitPlatt(z, y);
        QVERIFY2(std::abs(a - 2) < 0.02 && std::abs(b + 1) < 0.02, qPrintable(QString("a %1, b %2").arg(a).arg(b)));
        QCOMPARE(ml::detail::fitPlatt({0.5, 1.0}, {1.0, 1.0}), std::make_pair(1.0, 0.0)); // one class: identity
    }

    void learnedFusionSkipsSpreadsConstantsAndPixelsWithoutBands() {
        // The shipped fusion U-Net on a textured 4-band image: a mean channel gets detail, an ensemble's
        // spread and a constant channel stay bicubic, and so do the pixels where a filter band has no data.
        const auto model = ml::Predictor::load(resolveModel("fusion"), "cpu");
        const double factor = 18.0 / 4.6;
        const int W = 120, H = 120, w = static_cast<int>(std::ceil(W / factor)), h = static_cast<int>(std::ceil(H / factor));
        ImageStack bands(W, H, {"BLU", "PAN", "RED", "NIR"});
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                const double texture = 0.04 * std::sin(0.9 * x) * std::cos(0.7 * y) + (x > 60 ? 0.05 : 0.0);
                for (int c = 0; c < 4; ++c) bands.at(x, y, c) = static_cast<float>(0.15 + 0.02 * c + texture);
            }
        for (int y = 20; y < 40; ++y)
            for (int x = 20; x < 40; ++x) bands.at(x, y, 1) = std::nanf(""); // PAN missing here
        ImageStack coarse(w, h, {"R1080 mean", "R1080 std", "FLAT"});
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                coarse.at(x, y, 0) = static_cast<float>(0.2 + 0.003 * x + (x * factor > 60 ? 0.02 : 0.0));
                coarse.at(x, y, 1) = static_cast<float>(0.01 + 0.001 * y);
                coarse.at(x, y, 2) = 0.3f;
            }
        const ImageStack fused = ml::fuseLearned(model, coarse, bands, factor, {});
        const ImageStack bicubic = resampleBicubic(coarse, W, H, 1.0 / factor);
        QCOMPARE(fused.channelNames, coarse.channelNames);
        double changed = 0;
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                QVERIFY(std::isfinite(fused.at(x, y, 0)));
                QCOMPARE(fused.at(x, y, 1), bicubic.at(x, y, 1)); // a spread is not a field with detail
                QCOMPARE(fused.at(x, y, 2), bicubic.at(x, y, 2)); // nothing to learn from a constant
                if (x >= 20 && x < 40 && y >= 20 && y < 40) QCOMPARE(fused.at(x, y, 0), bicubic.at(x, y, 0));
                else changed = std::max(changed, static_cast<double>(std::abs(fused.at(x, y, 0) - bicubic.at(x, y, 0))));
            }
        QVERIFY2(changed > 1e-3, qPrintable(QString::number(changed))); // the network added detail elsewhere
        QVERIFY_THROWS_EXCEPTION(Error, ml::fuseLearned(model, coarse, selectChannels(bands, {"PAN", "RED", "NIR"}), factor, {}));
    }

    void lpipsLoadsATorchScriptNetwork() {
        // A stand-in network with LPIPS's interface: half the mean absolute difference of the [−1, 1] images.
        QTemporaryDir dir;
        torch::jit::Module module("TinyLpips");
        module.register_parameter("scale", torch::full({1}, 0.5), false);
        module.define("def forward(self, x, y):\n    return (self.scale * (x - y).abs()).mean(dim=[1, 2, 3])\n");
        const QString path = dir.path() + "/lpips.pt";
        module.save(path.toStdString());
        const auto scorer = ml::LpipsScorer::load(path.toStdString());
        std::vector<float> a(3 * 4 * 5), b(a.size());
        double expected = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            a[i] = static_cast<float>(i * 4);
            b[i] = static_cast<float>(255 - i * 3);
            expected += 0.5 * std::abs(a[i] / 127.5 - b[i] / 127.5) / a.size();
        }
        QVERIFY(std::abs(scorer.distance(a, b, 4, 5) - expected) < 1e-6);
        QCOMPARE(scorer.distance(a, a, 4, 5), 0.0);
        QVERIFY_THROWS_EXCEPTION(Error, scorer.distance(a, std::vector<float>(3), 4, 5));
        QFile text(dir.path() + "/not-a-network.pt");
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("hello");
        text.close();
        try {
            ml::LpipsScorer::load(text.fileName().toStdString());
            QFAIL("a text file loaded as a network");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("not a TorchScript module"));
            QVERIFY(!QString(e.what()).contains('\n'));
        }
        QVERIFY_THROWS_EXCEPTION(Error, ml::LpipsScorer::load("/nonexistent/lpips.pt"));
    }
};

QTEST_GUILESS_MAIN(TestMl)
#include "test_ml.moc"
