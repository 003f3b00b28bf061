// MainWindow's Predict carbonates workflow: the dialog, jezero-cli predict as a child process with
// progress and Cancel, and the result — read, set against the scene's own parameters and evaluated
// off the GUI thread — in the comparison view and the carbonate overlay.
#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/Evaluation.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/Task.h"
#include "jezero/io/ImageReader.h"
#include "jezero/io/SceneCatalog.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/CarbonateOverlay.h"
#include "jezero/ui/CassisChainReport.h"
#include "jezero/ui/CliProcess.h"
#include "jezero/ui/ComparisonView.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/PredictDialog.h"
#include "jezero/ui/TrainingDialog.h"

#include <QAction>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace jezero::ui {

bool MainWindow::isPredicting() const { return mPrediction->isRunning(); }

void MainWindow::cancelPrediction() {
    if (mPrediction->isRunning()) mPrediction->cancel(2000);
}

void MainWindow::predictCarbonates(const QString& model) {
    if (!mCube || isPredicting()) return;
    auto* dialog = new PredictDialog(QString::fromStdString(mCube->metadata().sourcePath), QString::fromStdString(mCube->metadata().productId),
                                     isFilterImage(mCube->metadata()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!model.isEmpty()) dialog->setModel(model);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { runPrediction(dialog->arguments(), dialog->modelLabel()); });
    dialog->open();
}

TrainingDialog* MainWindow::trainingDialog() const { return mTrainingDialog; }

void MainWindow::openTrainingDialog() {
    if (!mTrainingDialog) {
        mTrainingDialog = new TrainingDialog(this);
        connect(mTrainingDialog, &TrainingDialog::predictWith, this, [this](const QString& checkpoint) {
            if (!mCube) {
                showError(tr("Open a scene first, then predict with %1").arg(checkpoint));
                return;
            }
            predictCarbonates(checkpoint);
        });
    }
    mTrainingDialog->show();
    mTrainingDialog->raise();
    mTrainingDialog->activateWindow();
}

void MainWindow::runPrediction(const QStringList& cliArguments, const QString& modelLabel) {
    if (!mCube || isPredicting()) return;
    mPrediction->disconnect(this);
    mPredictAction->setEnabled(false);
    mPredictionProgress->setValue(0);
    mPredictionProgress->setFormat(tr("Predicting with %1").arg(modelLabel) + " %p%");
    mPredictionProgress->setVisible(true);
    mPredictionCancel->setVisible(true);
    auto done = std::make_shared<QJsonObject>();
    connect(mPrediction, &CliProcess::event, this, [this, done](const QJsonObject& event) {
        if (event.value("event") == "progress") mPredictionProgress->setValue(static_cast<int>(event.value("fraction").toDouble() * 1000));
        else if (event.value("event") == "done") *done = event;
    });
    const QString scene = QString::fromStdString(mCube->metadata().sourcePath);
    connect(mPrediction, &CliProcess::finished, this, [this, done, modelLabel, scene](bool ok, const QString& error) {
        mPredictionProgress->setVisible(false);
        mPredictionCancel->setVisible(false);
        mPredictAction->setEnabled(mCube != nullptr);
        if (!ok) {
            if (error == "canceled") statusBar()->showMessage(tr("Prediction canceled"), 6000);
            else showError(tr("Prediction failed: %1").arg(error));
            emit predictionFailed(error);
            return;
        }
        if (!mCube || QString::fromStdString(mCube->metadata().sourcePath) != scene) return; // another scene is open now
        showPrediction(done->value("out").toString(), *done, modelLabel);
    });
    mPrediction->start(cliArguments);
}

void MainWindow::showPrediction(const QString& path, const QJsonObject& done, const QString& modelLabel) {
    auto cube = mCube;
    const std::string file = path.toStdString();
    const std::string inputKind = done.value("input").toString().toStdString();
    const std::string target = done.value("target").toString().toStdString();
    const double threshold = done.value("threshold").toDouble(kCarbonateThreshold);
    auto task = std::make_shared<Task<ComparisonResult>>("comparison", [=](TaskControl& control) {
        ComparisonResult r;
        r.predictionPath = QString::fromStdString(file);
        r.threshold = threshold;
        r.prediction = splitPredictionBands(io::readImageStack(file).first);
        if (r.prediction.mean.width != cube->width() || r.prediction.mean.height != cube->height())
            throw Error("the prediction's grid differs from the scene's");
        // A CaSSIS image: the prediction at the model's scale, before fusion, shown on the image's grid.
        // A sidecar on the model's grid, its pixels repeated on the image's.
        const auto onImageGrid = [&](const std::string& sidecar, double* factorOut) -> std::optional<ImageStack> {
            if (!isFilterImage(cube->metadata()) || !std::filesystem::exists(sidecar)) return std::nullopt;
            const auto [coarse, georeference] = io::readImageStack(sidecar);
            const auto& fine = cube->metadata().geoTransform;
            const double factor = fine && georeference.geoTransform && (*fine)[1] != 0 ? (*georeference.geoTransform)[1] / (*fine)[1]
                                                                                       : static_cast<double>(cube->width()) / coarse.width;
            if (factorOut) *factorOut = factor;
            return repeatPixels(coarse, factor, cube->width(), cube->height());
        };
        if (auto coarse = onImageGrid(modelScalePredictionPath(file), &r.modelScaleFactor)) r.modelScale = splitPredictionBands(*coarse).mean;
        control.setProgress(0.2, "model input");
        r.input = makeModelInput(*cube, parseInputKind(inputKind), cassisFilters());
        r.modelInput = onImageGrid(modelInputPath(file), nullptr);
        r.chain = cassisChainRows(done);
        if (const std::vector<BandFit> fits = calibrationFits(done); !fits.empty()) {
            // The first step of the harmonisation: the fitted lines applied to the image's filter bands.
            r.calibratedInput = makeModelInput(withBandFits(*cube, fits), parseInputKind(inputKind), cassisFilters());
        }
        control.setProgress(0.5, "ground truth");
        const auto entry = io::catalogEntry(cube->metadata().sourcePath);
        io::CatalogScene scene;
        scene.ifPath = cube->metadata().sourcePath;
        r.carbonateChannel = carbonateChannel(r.prediction.mean.channelNames);
        // Carbonate detection is scored against the scene's carbonate label (the true abundance of a
        // synthetic scene, the smoothed-parameter rule of a real one), not a threshold on the noisy truth.
        const std::vector<std::uint8_t> label = r.carbonateChannel >= 0 ? io::carbonateLabel(entry ? *entry : scene, *cube) : std::vector<std::uint8_t>{};
        ImageStack truth = io::sceneTargets(entry ? *entry : scene, *cube, TargetSpec{target, r.prediction.mean.channelNames}, "observed",
                                            label.empty() ? nullptr : &label);
        const bool anyTruth = std::any_of(truth.values.begin(), truth.values.end(), [](float v) { return std::isfinite(v); });
        if (anyTruth) {
            r.truth = std::move(truth);
            r.evaluation = evaluateImage(r.prediction.mean, *r.truth, r.carbonateChannel, threshold, label.empty() ? nullptr : label.data());
        }
        return r;
    });
    auto* runner = BackgroundTask::start(task, this);
    // The model card's overlay threshold, when it gives one (a calibrated probability model below 0.5).
    const QJsonValue cardThreshold = done.value("overlay_threshold");
    connect(runner, &BackgroundTask::succeeded, this, [this, task, cube, modelLabel, cardThreshold] {
        if (cube != mCube) return;
        ComparisonResult& r = task->result();
        r.title = tr("%1 — %2").arg(QString::fromStdString(cube->metadata().productId), modelLabel);
        if (r.prediction.probability && r.prediction.stddev) // a deterministic model's is its mean thresholded
            mOverlay->setSource(tr("Predicted %1").arg(QString::fromStdString(r.prediction.probabilityName)), *r.prediction.probability, 0.5);
        if (r.carbonateChannel >= 0) {
            const std::string name = r.prediction.mean.channelNames[r.carbonateChannel];
            mOverlay->setSource(tr("Predicted %1").arg(QString::fromStdString(name)), selectChannels(r.prediction.mean, {name}),
                                cardThreshold.isDouble() ? cardThreshold.toDouble() : r.threshold);
        }
        mComparison->setGeolocator(mCube ? mCube->geolocator() : nullptr); // the prediction is on the scene's grid
        mComparison->setResult(std::move(r));
        mTabs->setTabEnabled(mTabs->indexOf(mComparison), true);
        // The pixel clicked last in the scene is the one the comparison shows first.
        if (!mSelected.empty()) showPixelInComparison(mSelected.back());
        mTabs->setCurrentWidget(mComparison);
        statusBar()->showMessage(tr("Prediction written to %1").arg(mComparison->result().predictionPath), 10000);
        emit predictionShown();
    });
    connect(runner, &BackgroundTask::failed, this, [this](const QString& error) {
        showError(tr("Cannot show the prediction: %1").arg(error));
        emit predictionFailed(error);
    });
    trackTask(runner, tr("Comparing with the scene"));
}

bool MainWindow::confirmQuitWhileTraining() {
    if (!mTrainingDialog || !mTrainingDialog->isRunning()) return true;
    QMessageBox question(QMessageBox::Question, tr("Training is running"),
                         tr("A training run is in progress. Quit anyway?\n\nThe run saves its checkpoint (latest.pt) before it stops, "
                            "and Resume in the Training dialog continues it exactly where it stopped."),
                         QMessageBox::NoButton, this);
    question.setObjectName("quitDuringTraining");
    QPushButton* quit = question.addButton(tr("Save and quit"), QMessageBox::AcceptRole);
    question.setDefaultButton(question.addButton(tr("Keep training"), QMessageBox::RejectRole));
    question.exec();
    if (question.clickedButton() != quit) return false;
    mTrainingDialog->cancel(); // the child saves latest.pt on SIGTERM; its process object waits for that
    return true;
}

} // namespace jezero::ui
