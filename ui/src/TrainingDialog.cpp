#include "jezero/ui/TrainingDialog.h"

#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/ui/CliProcess.h"
#include "jezero/ui/DatasetBuildPanel.h"
#include "jezero/ui/RecentPaths.h"
#include "jezero/ui/TrainingCurves.h"
#include "jezero/ui/TrainingRunsTable.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>

#include <algorithm>
#include <climits>

namespace jezero::ui {
namespace {

// The per-model defaults (resnet34's stem width, the diffusion model's learning rate) belong to the
// parser, which applies them to the keys a config file leaves out: ask it with a config naming only
// the model, rather than repeat them here.
TrainingConfig defaultsFor(const QString& model) {
    QJsonObject minimal{{"dataset", "."}, {"model", model}};
    if (model == "diffusion") minimal["diffusion"] = QJsonObject{{"mode", "plain"}}; // residual would need a checkpoint
    try {
        return TrainingConfig::fromJson(QJsonDocument(minimal).toJson().toStdString());
    } catch (const Error&) {
        return {};
    }
}

std::string localPath(const QString& path) { return QFile::encodeName(path).toStdString(); }

QString duration(double seconds) {
    const qint64 s = qRound64(std::max(0.0, seconds));
    if (s >= 3600) return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
    if (s >= 60) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
    return QObject::tr("%1 s").arg(s);
}

QString channels(const std::vector<std::string>& names) {
    QStringList list;
    for (const auto& n : names) list << QString::fromStdString(n);
    return list.join(", ");
}

} // namespace

TrainingDialog::TrainingDialog(QWidget* parent) : QDialog(parent), mDevices(new CliProcess(this)) {
    setWindowTitle(tr("Train a model"));
    setObjectName("trainingDialog");
    setModal(false);
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(buildSettings());
    splitter->addWidget(buildMonitor());
    splitter->setStretchFactor(1, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(splitter);

    connect(mBuilder, &DatasetBuildPanel::built, this, &TrainingDialog::setDatasetDirectory);
    connect(mRuns, &TrainingRunsTable::runSelected, this, &TrainingDialog::showRun);

    // Every field starts at the config's defaults (the thesis's settings).
    const TrainingConfig defaults;
    mPreviousModel = QString::fromStdString(defaults.model);
    mModel->setCurrentText(mPreviousModel);
    mBaseWidth->setValue(defaults.baseWidth);
    mDepth->setValue(defaults.depth);
    mBatch->setValue(defaults.batch);
    mLearningRate->setText(QString::number(defaults.learningRate));
    mEpochs->setValue(defaults.epochs);
    mAugment->setChecked(defaults.augment);
    mSeed->setValue(static_cast<int>(std::min<std::uint64_t>(defaults.seed, INT_MAX)));
    mDevice->setCurrentIndex(std::max(0, mDevice->findData(QString::fromStdString(defaults.device))));
    mDiffusionMode->setCurrentText(QString::fromStdString(defaults.diffusion.mode));
    mRegression->setText(QString::fromStdString(defaults.diffusion.regression));
    mEmaDecay->setValue(defaults.diffusion.emaDecay);
    mImageDropout->setValue(defaults.diffusion.imageDropout);
    mMetadataDropout->setValue(defaults.diffusion.metadataDropout);
    connect(mModel, &QComboBox::currentTextChanged, this, &TrainingDialog::modelChanged);
    modelChanged();

    const QString lastDataset = QSettings().value("training/dataset").toString();
    if (QFileInfo::exists(lastDataset + "/dataset.json")) setDatasetDirectory(lastDataset);
    else setDatasetDirectory({});
    listDevices();
    refreshRuns();
    updateButtons();
    resize(1320, 860);
}

TrainingDialog::~TrainingDialog() {
    // The children go after this class's members (a CliProcess stops its child as it goes, a table
    // clears its selection): none of them may call back into the half-destroyed dialog.
    for (QObject* child : findChildren<QObject*>()) child->disconnect(this);
}


void TrainingDialog::modelChanged() {
    const QString model = mModel->currentText();
    // A field still at the previous model's default takes the new model's; a value the user chose stays.
    const TrainingConfig previous = defaultsFor(mPreviousModel), next = defaultsFor(model);
    if (mBaseWidth->value() == previous.baseWidth) mBaseWidth->setValue(next.baseWidth);
    if (mLearningRate->text().trimmed().toDouble() == previous.learningRate) mLearningRate->setText(QString::number(next.learningRate));
    mPreviousModel = model;
    mDiffusion->setVisible(model == "diffusion");
    mDiffusion->setEnabled(model == "diffusion");
    if (!mRunDirectoryEdited) suggestRunDirectory();
}

void TrainingDialog::listDevices() {
    mDeviceNote->setText(tr("Looking for GPUs…"));
    connect(mDevices, &CliProcess::event, this, [this](const QJsonObject& devices) {
        const int count = devices.value("cuda_devices").toInt();
        const QJsonArray gpus = devices.value("gpus").toArray();
        for (int i = 0; i < count; ++i) {
            QString label = QString("cuda:%1").arg(i);
            for (const auto& gpu : gpus) // names and memory come from nvidia-smi, when it is installed
                if (gpu.toObject().value("index").toInt() == i)
                    label += QString(" — %1, %2 GiB").arg(gpu.toObject().value("name").toString()).arg(gpu.toObject().value("memory_mib").toDouble() / 1024, 0, 'f', 0);
            mDevice->addItem(label, QString("cuda:%1").arg(i));
        }
        const int threads = devices.value("cpu_threads").toInt();
        if (!devices.value("libtorch_cuda").toBool())
            mDeviceNote->setText(tr("this build's LibTorch has no CUDA: training runs on the CPU (%1 threads)").arg(threads));
        else if (count == 0)
            mDeviceNote->setText(tr("no GPU detected: training runs on the CPU (%1 threads)").arg(threads));
        else
            mDeviceNote->setText(tr("%1 CUDA device(s), cuDNN %2").arg(count).arg(devices.value("cudnn").toBool() ? tr("on") : tr("off")));
    });
    connect(mDevices, &CliProcess::finished, this, [this](bool ok, const QString& error) {
        if (!ok && error != "canceled") mDeviceNote->setText(tr("Cannot list the devices (%1); auto and cpu still work").arg(error));
    });
    mDevices->start({"devices", "--json"});
}

void TrainingDialog::setDatasetDirectory(const QString& directory) {
    mDataset->setText(QDir::toNativeSeparators(directory));
    mDatasetInput.clear();
    mDatasetTarget.clear();
    mDatasetSummary->setStyleSheet(QString());
    if (directory.trimmed().isEmpty()) {
        mDatasetSummary->setText(tr("No dataset chosen: pick a built dataset folder, or build one from scenes."));
    } else {
        try {
            const DatasetManifest m = TileDataset::readManifest(localPath(datasetDirectory()));
            mDatasetInput = QString::fromStdString(m.input);
            mDatasetTarget = QString::fromStdString(m.target);
            QStringList splits;
            for (const char* name : {"train", "val", "test", "test_balanced"}) {
                const auto it = m.splits.find(name);
                if (it != m.splits.end())
                    splits << tr("%1 %2 tiles (%3 with carbonate)").arg(name).arg(it->second.tiles).arg(it->second.carbonateTiles);
            }
            mDatasetSummary->setText(tr("%1 (%2) → %3 (%4), tiles of %5 px\n%6")
                                         .arg(mDatasetInput.toUpper(), channels(m.inputChannels), mDatasetTarget.toUpper(), channels(m.targetChannels))
                                         .arg(m.tile)
                                         .arg(splits.join(", ")));
        } catch (const std::exception& e) {
            mDatasetSummary->setText(QString::fromUtf8(e.what()));
            mDatasetSummary->setStyleSheet("color: #b00020;");
        }
    }
    if (!mRunDirectoryEdited) suggestRunDirectory();
}

QString TrainingDialog::datasetDirectory() const {
    const QString text = mDataset->text().trimmed();
    return text.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(text).absoluteFilePath());
}

void TrainingDialog::setModelType(const QString& model) { mModel->setCurrentText(model); }
void TrainingDialog::setModelSize(int baseWidth, int depth) {
    mBaseWidth->setValue(baseWidth);
    mDepth->setValue(depth);
}
void TrainingDialog::setBatch(int batch) { mBatch->setValue(batch); }
void TrainingDialog::setEpochs(int epochs) { mEpochs->setValue(epochs); }
void TrainingDialog::setRunDirectory(const QString& directory) {
    mRunDirectory->setText(QDir::toNativeSeparators(directory));
    mRunDirectoryEdited = true;
}
QString TrainingDialog::runDirectory() const {
    const QString text = mRunDirectory->text().trimmed();
    return text.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(text).absoluteFilePath());
}

void TrainingDialog::suggestRunDirectory() {
    const QString folder = QSettings().value("training/folder", defaultDataFolder("runs")).toString();
    const QString name = QString("%1-%2-%3-%4").arg(mModel->currentText(), mDatasetInput.isEmpty() ? QString("input") : mDatasetInput,
                                                    mDatasetTarget.isEmpty() ? QString("target") : mDatasetTarget,
                                                    QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss"));
    mRunDirectory->setText(QDir::toNativeSeparators(QDir(folder).filePath(name)));
}

TrainingConfig TrainingDialog::config() const {
    TrainingConfig c;
    c.dataset = localPath(datasetDirectory());
    c.model = mModel->currentText().toStdString();
    c.baseWidth = mBaseWidth->value();
    c.depth = mDepth->value();
    c.batch = mBatch->value();
    bool number = false;
    c.learningRate = mLearningRate->text().trimmed().toDouble(&number);
    if (!number) throw Error("the learning rate \"" + mLearningRate->text().trimmed().toStdString() + "\" is not a number");
    c.epochs = mEpochs->value();
    c.augment = mAugment->isChecked();
    c.device = mDevice->currentData().toString().toStdString();
    c.seed = static_cast<std::uint64_t>(mSeed->value());
    if (c.model == "diffusion") {
        c.diffusion.mode = mDiffusionMode->currentText().toStdString();
        const QString regression = mRegression->text().trimmed();
        c.diffusion.regression = c.diffusion.mode == "residual" && !regression.isEmpty() ? localPath(QFileInfo(regression).absoluteFilePath()) : std::string();
        c.diffusion.emaDecay = mEmaDecay->value();
        c.diffusion.imageDropout = mImageDropout->value();
        c.diffusion.metadataDropout = mMetadataDropout->value();
    }
    return c;
}

bool TrainingDialog::start() {
    if (isRunning()) {
        showError(tr("A run is training: cancel it before starting another"));
        return false;
    }
    if (datasetDirectory().isEmpty()) {
        showError(tr("Choose a dataset folder first (or build one from scenes)"));
        return false;
    }
    TrainingConfig checked;
    try {
        // The trainer's own checks, before anything is written: what jezero-cli would refuse is said here.
        checked = TrainingConfig::fromJson(config().toJson());
        TileDataset::readManifest(checked.dataset);
        if (checked.model == "diffusion" && !checked.diffusion.regression.empty() && !QFileInfo::exists(QString::fromStdString(checked.diffusion.regression)))
            throw Error("no such regression checkpoint: " + checked.diffusion.regression);
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    if (!mRunDirectoryEdited) suggestRunDirectory(); // a fresh time stamp, never a previous run's folder
    const QString run = runDirectory();
    if (run.isEmpty()) {
        showError(tr("Choose the run folder"));
        return false;
    }
    if (QFileInfo::exists(run + "/latest.pt")) {
        showError(tr("%1 already holds a run: resume it from the runs list, or choose another folder").arg(QDir::toNativeSeparators(run)));
        return false;
    }
    QSaveFile file(run + "/requested_config.json");
    if (!QDir().mkpath(run) || !file.open(QIODevice::WriteOnly) || file.write(QByteArray::fromStdString(checked.toJson() + "\n")) < 0 || !file.commit()) {
        showError(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(file.fileName()), file.errorString()));
        return false;
    }
    QSettings settings;
    settings.setValue("training/folder", QFileInfo(run).absolutePath());
    settings.setValue("training/dataset", datasetDirectory());
    mRunDirectoryEdited = false; // the next run gets a new folder unless one is chosen
    return launch(run, withProcesses({"train", "--config", file.fileName(), "--out", run}), checked.epochs);
}

bool TrainingDialog::resume(const QString& runDirectory) {
    const QString run = QDir::cleanPath(QFileInfo(runDirectory).absoluteFilePath());
    if (isRunning()) {
        showError(tr("A run is training: cancel it before resuming another"));
        return false;
    }
    const TrainingRunSummary summary = TrainingRunSummary::read(run);
    if (!summary.hasLatest) {
        showError(tr("%1 has no latest.pt to resume from").arg(QDir::toNativeSeparators(run)));
        return false;
    }
    return launch(run, withProcesses({"train", "--resume", "--out", run}), summary.epochs);
}

QStringList TrainingDialog::withProcesses(QStringList arguments) const {
    if (mProcesses->value() > 1) arguments << "--nproc" << QString::number(mProcesses->value());
    return arguments;
}

bool TrainingDialog::launch(const QString& run, const QStringList& arguments, int epochs) {
    mCurrentRun = run;
    mCurrentEpochs = epochs;
    mLastEvent.clear();
    // A resumed run's curve goes on from what its log holds.
    const TrainingLog log = TrainingLog::read(run + "/training_log.csv");
    mLiveTraining = log.training;
    mLiveValidation = log.validation;
    for (QLabel* label : {mEpochLabel, mStepLabel, mSpeedLabel, mEtaLabel, mRateLabel}) label->setText(QStringLiteral("—"));
    showError({});
    showStatus(tr("Starting %1…").arg(QFileInfo(run).fileName()));
    RecentPaths::trainingRuns().add(run);
    // A fresh process object per run: a canceled run's one still holds the timer that kills its child
    // if it ignores SIGTERM, and would fire on the next run.
    if (mTraining) {
        mTraining->disconnect(this);
        mTraining->deleteLater(); // this may be running inside its finished signal
    }
    mTraining = new CliProcess(this);
    connect(mTraining, &CliProcess::event, this, &TrainingDialog::onEvent);
    connect(mTraining, &CliProcess::logLine, this, [this](const QString& line) {
        if (line.contains(": error: ")) return; // it comes with finished
        // "training on cpu; progress as JSON lines; Ctrl-C …": the device is what matters here.
        // "2 ranks, data-parallel (c10d gloo); training on cpu; …" from a run of several processes.
        const int on = line.indexOf("training on ");
        const QString ranks = line.startsWith("training on ") ? QString() : line.section(" ranks,", 0, 0);
        showStatus(on < 0 ? line
                          : ranks.isEmpty() ? tr("Training on %1").arg(line.mid(on + 12).section(';', 0, 0))
                                            : tr("Training on %1, %2 processes").arg(line.mid(on + 12).section(';', 0, 0), ranks));
    });
    connect(mTraining, &CliProcess::finished, this, &TrainingDialog::onFinished);
    mTraining->start(arguments);
    refreshRuns();
    mRuns->selectRun(run); // shows the live curves
    updateButtons();
    emit runStarted(run);
    return true;
}

void TrainingDialog::cancel() {
    if (!isRunning()) return;
    showStatus(tr("Stopping: the run saves latest.pt…"));
    mTraining->cancel();
}

bool TrainingDialog::isRunning() const { return mTraining && mTraining->isRunning(); }
QString TrainingDialog::errorText() const { return mError->text(); }
int TrainingDialog::trainingPointCount() const { return mCurves->trainingPointCount(); }
int TrainingDialog::validationPointCount() const { return mCurves->validationPointCount(); }

void TrainingDialog::onEvent(const QJsonObject& event) {
    mLastEvent = event.value("event").toString();
    const double step = event.value("step").toDouble(), loss = event.value("loss").toDouble();
    const bool shown = mShownRun == mCurrentRun;
    if (mLastEvent == "step") {
        mLiveTraining.append({step, loss});
        if (shown) mCurves->addTraining(step, loss);
    } else if (mLastEvent == "epoch") {
        if (event.value("val_loss").isDouble()) { // null without a val split
            mLiveValidation.append({step, event.value("val_loss").toDouble()});
            if (shown) mCurves->addValidation(step, event.value("val_loss").toDouble());
        }
        mRuns->updateRun(mCurrentRun, true);
        updateButtons(); // best.pt may just have been written
    } else if (mLastEvent == "canceled") {
        showStatus(tr("Stopped at step %1; latest.pt saved").arg(event.value("step").toInteger()));
        // As the runs list counts them: epochs completed, the one that was under way said apart.
        const int epoch = event.value("epoch").toInt();
        mEpochLabel->setText(tr("%1 / %2 (stopped in epoch %3)").arg(epoch - 1).arg(mCurrentEpochs).arg(epoch));
    }
    if (mLastEvent != "canceled") {
        mEpochLabel->setText(tr("%1 / %2").arg(event.value("epoch").toInt()).arg(mCurrentEpochs));
        mStepLabel->setText(QString::number(event.value("step").toInteger()));
        mSpeedLabel->setText(QString::number(event.value("images_per_s").toDouble(), 'f', 1));
        mEtaLabel->setText(duration(event.value("eta_s").toDouble()));
        mRateLabel->setText(QString::number(event.value("learning_rate").toDouble(), 'g', 3));
    }
    emit trainingEvent(event);
}

void TrainingDialog::onFinished(bool ok, const QString& error) {
    // A cancel file in the run folder stops the trainer as Cancel does, with exit status 0.
    const bool canceled = error == "canceled" || (ok && mLastEvent == "canceled");
    if (canceled) showStatus(tr("Stopped; latest.pt is saved: select the run and press Resume to continue it"));
    else if (ok) showStatus(tr("Finished: %1").arg(QDir::toNativeSeparators(mCurrentRun + "/best.pt")));
    else {
        showStatus({});
        showError(tr("Training failed: %1").arg(error));
    }
    refreshRuns();
    showRun(mRuns->selectedRun()); // the title no longer says it is training
    emit runFinished(mCurrentRun, ok && !canceled, canceled ? QStringLiteral("canceled") : error);
}

void TrainingDialog::refreshRuns() {
    mRuns->setRuns(RecentPaths::trainingRuns().existing(), isRunning() ? mCurrentRun : QString());
    updateButtons();
}

void TrainingDialog::showRun(const QString& run) {
    mShownRun = run;
    const QString name = QFileInfo(run).fileName();
    if (run.isEmpty()) {
        mCurves->clear(tr("No run selected"));
    } else if (run == mCurrentRun) { // the live curves hold every step event, the log only epochs
        mCurves->setCurves(isRunning() ? tr("%1 (training)").arg(name) : name, mLiveTraining, mLiveValidation);
    } else {
        const TrainingLog log = TrainingLog::read(run + "/training_log.csv");
        mCurves->setCurves(name, log.training, log.validation);
    }
    updateButtons();
}

void TrainingDialog::updateButtons() {
    const bool running = isRunning();
    mStart->setEnabled(!running);
    mCancel->setEnabled(running);
    const QString selected = mRuns->selectedRun();
    const TrainingRunSummary summary = selected.isEmpty() ? TrainingRunSummary{} : TrainingRunSummary::read(selected);
    mResume->setEnabled(!running && summary.resumable());
    mUseForPrediction->setEnabled(summary.hasBest);
}

void TrainingDialog::showError(const QString& text) { mError->setText(text); }
void TrainingDialog::showStatus(const QString& text) { mStatus->setText(text); }

} // namespace jezero::ui
