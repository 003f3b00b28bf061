#include "jezero/ui/PredictDialog.h"
#include "jezero/core/Resources.h"

#include "jezero/ui/BrowseRow.h"
#include "jezero/ui/CliProcess.h"
#include "jezero/ui/RecentPaths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardPaths>

#include <algorithm>

namespace jezero::ui {
namespace {

const char* kOtherCheckpoint = "other";

QString joined(const QJsonArray& names) {
    QStringList list;
    for (const auto& n : names) list << n.toString();
    return list.join(", ");
}

} // namespace

PredictDialog::PredictDialog(const QString& scenePath, const QString& sceneId, bool filterImage, QWidget* parent)
    : QDialog(parent), mScenePath(scenePath), mSceneId(sceneId), mFilterImage(filterImage), mModel(new QComboBox), mModelInfo(new QLabel), mSamples(new QSpinBox), mSteps(new QSpinBox),
      mSampler(new QComboBox), mSeed(new QSpinBox), mDevice(new QComboBox), mLocation(new QComboBox), mOutput(new QLineEdit) {
    setWindowTitle(tr("Predict carbonates"));
    setObjectName("predictDialog");
    mModel->setObjectName("predictModel");
    mModel->addItem(tr("Shipped carbonate-probability U-Net (PNR → carbonate)"), "carbonate");
    mModel->addItem(tr("Shipped carbonate-probability U-Net (PCA 4→3 → carbonate; the experiment's best)"), "carbonate-pca");
    mModel->addItem(tr("Shipped FAL U-Net (PNR → FAL browse product)"), "fal");
    mModel->addItem(tr("Shipped U-Net (PNR → CAR)"), "unet");
    mModel->addItem(tr("Shipped diffusion model (PNR → CAR, ensembles)"), "diffusion");
    for (const QString& run : RecentPaths::trainingRuns().existing())
        if (QFileInfo::exists(run + "/best.pt")) mModel->addItem(tr("Run %1 (best)").arg(QFileInfo(run).fileName()), run + "/best.pt");
    mModel->addItem(tr("Other checkpoint…"), kOtherCheckpoint);
    mModelInfo->setObjectName("predictModelInfo");
    mModelInfo->setWordWrap(true);
    mModelInfo->setMinimumWidth(520);
    // Room for the summary, the input → target line and the model card's skill and intended use: a
    // wrapped label does not grow its dialog.
    mModelInfo->setMinimumHeight(mModelInfo->fontMetrics().lineSpacing() * 9);
    mModelInfo->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    mSamples->setObjectName("predictSamples");
    mSamples->setRange(1, 256);
    mSamples->setToolTip(tr("Diffusion: samples per tile; their mean is the prediction, their spread the uncertainty"));
    mSteps->setObjectName("predictSteps");
    mSteps->setRange(1, 200);
    mSteps->setToolTip(tr("Diffusion: sampler steps (Heun: 18 is EDM's default; DPM-Solver++ is good at 8–12)"));
    mSampler->addItems({"heun", "dpm", "euler"});
    mSeed->setRange(0, 1 << 30);
    mDevice->addItems({"auto", "cpu", "cuda"});
    mDevice->setToolTip(tr("auto: the GPU when LibTorch sees one, else the CPU"));
    mLocation->setObjectName("predictLocation");
    mLocation->setToolTip(tr("A model conditioned on metadata (diffusion or U-Net): the place the scene shows, among those it was trained with "
                             "(unknown: the model's unconditional answer)"));
    const QSettings settings;
    mSamples->setValue(settings.value("predict/samples", 8).toInt());
    mSteps->setValue(settings.value("predict/steps", 18).toInt());
    mSampler->setCurrentText(settings.value("predict/sampler", "heun").toString());

    mOutput->setObjectName("predictOutput");
    connect(mOutput, &QLineEdit::textEdited, this, [this] { mOutputEdited = true; });
    auto* outputRow = browseRow(
        mOutput, this, [this] { return QFileDialog::getSaveFileName(this, tr("Prediction GeoTIFF"), mOutput->text(), tr("GeoTIFF (*.tif *.tiff)")); },
        [this](const QString& path) {
            mOutput->setText(path);
            mOutputEdited = true;
        });

    auto* form = new QFormLayout;
    form->addRow(tr("Model"), mModel);
    form->addRow(QString(), mModelInfo);
    form->addRow(tr("Samples"), mSamples);
    form->addRow(tr("Steps"), mSteps);
    form->addRow(tr("Sampler"), mSampler);
    form->addRow(tr("Seed"), mSeed);
    form->addRow(tr("Location"), mLocation);
    form->addRow(tr("Device"), mDevice);
    if (mFilterImage) {
        // The CaSSIS chain: predicted at the model's pixel, then brought back to the image's grid.
        mFusion = new QComboBox;
        mFusion->setObjectName("predictFusion");
        mFusion->addItem(tr("Gram–Schmidt substitution (gs; best on the synthetic pairs)"), "gs");
        mFusion->addItem(tr("Guided filter (guided)"), "guided");
        mFusion->addItem(tr("High-pass injection (hpf)"), "hpf");
        mFusion->addItem(tr("Bicubic upsampling (the baseline)"), "bicubic");
        if (QFileInfo::exists(QString::fromStdString(resourcesDirectory() + "/models/fusion-unet.pt")))
            mFusion->addItem(tr("Learned (sr: a network trained on synthetic pairs)"), "sr");
        mFusion->setToolTip(tr("How the prediction made at the model's 18 m pixel comes back to the image's grid, guided by its PAN band"));
        mRadiometry = new QComboBox;
        mRadiometry->setObjectName("predictRadiometry");
        mRadiometry->addItem(tr("As it is"), "none");
        mRadiometry->addItem(tr("Match the training inputs' statistics"), "match");
        mRadiometry->addItem(tr("Calibrate against an overlapping CRISM scene"), "calibrate");
        mRadiometry->setToolTip(tr("Bring the image's filter values to what the model was trained on: a line per filter fitted to an overlapping "
                                   "CRISM scene, or, with none, a gain per filter to the training inputs' mean (the scene's contrast kept)"));
        mCalibration = new QLineEdit;
        mCalibration->setObjectName("predictCalibration");
        mCalibration->setPlaceholderText(tr("CRISM scene in the image's CRS"));
        auto* calibrationRow = browseRow(
            mCalibration, this, [this] { return QFileDialog::getOpenFileName(this, tr("Overlapping CRISM scene"), {}, tr("Scenes (*.lbl *.hdr *.img *.tif);;All files (*)")); },
            [this](const QString& path) { mCalibration->setText(path); });
        const auto follow = [this, calibrationRow] {
            const bool calibrate = mRadiometry->currentData().toString() == "calibrate";
            for (int i = 0; i < calibrationRow->count(); ++i)
                if (QWidget* w = calibrationRow->itemAt(i)->widget()) w->setEnabled(calibrate);
        };
        connect(mRadiometry, &QComboBox::currentIndexChanged, this, follow);
        follow();
        mRescale = new QCheckBox(tr("Bring the image to the model's 18 m pixel first (PSF, resampling), then fuse back"));
        mRescale->setObjectName("predictRescale");
        mRescale->setChecked(true);
        mRescale->setToolTip(tr("Off: predicted on the image's own pixels as they are — the model then sees finer detail than it was trained on"));
        connect(mRescale, &QCheckBox::toggled, mFusion, &QWidget::setEnabled);
        form->addRow(tr("Scale"), mRescale);
        form->addRow(tr("Fusion"), mFusion);
        form->addRow(tr("Radiometry"), mRadiometry);
        form->addRow(tr("CRISM scene"), calibrationRow);
    }
    form->addRow(tr("Save to"), outputRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    mPredictButton = buttons->button(QDialogButtonBox::Ok);
    mPredictButton->setText(tr("Predict"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PredictDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(mModel, &QComboBox::currentIndexChanged, this, &PredictDialog::modelChosen);
    const int last = mModel->findData(settings.value("predict/model", "carbonate").toString());
    mModel->setCurrentIndex(std::max(0, last));
    if (last <= 0) modelChosen(); // index 0 was already current: no signal
}

void PredictDialog::modelChosen() {
    if (mModel->currentData().toString() == kOtherCheckpoint) {
        const QString path = QFileDialog::getOpenFileName(this, tr("Model checkpoint"), {}, tr("Checkpoints (*.pt);;All files (*)"));
        if (path.isEmpty()) {
            mModel->setCurrentIndex(0);
            return;
        }
        setModel(path);
        return;
    }
    requestModelInfo();
    if (!mOutputEdited) suggestOutput(); // the file name follows the model until the user types one
}

void PredictDialog::requestModelInfo() {
    mInfo = {};
    mModelInfo->setText(tr("Reading the model…"));
    if (mInfoProcess) { // an answer about the previous choice is not wanted any more
        mInfoProcess->disconnect(this);
        mInfoProcess->deleteLater();
    }
    mInfoProcess = new CliProcess(this);
    mPredictButton->setEnabled(false); // the diffusion settings apply once the model is known
    connect(mInfoProcess, &CliProcess::event, this, [this](const QJsonObject& info) {
        mInfo = info;
        const bool stochastic = info.value("stochastic").toBool();
        const QJsonObject card = info.value("card").toObject();
        mModelInfo->setText(tr("%1\nInput %2 (%3) → target %4 (%5), tiles of %6 px%7%8")
                                .arg(info.value("summary").toString(), info.value("input").toString().toUpper(), joined(info.value("input_channels").toArray()),
                                     info.value("target").toString().toUpper(), joined(info.value("target_channels").toArray()))
                                .arg(info.value("tile").toInt())
                                .arg(stochastic ? tr("; a diffusion model: the prediction is an ensemble mean with its spread") : QString())
                                .arg(card.isEmpty() ? tr("\nNo model card: its skill is unknown.")
                                                    : tr("\nSkill: %1\nIntended use: %2").arg(card.value("skill").toString(), card.value("intended_use").toString())));
        // A wrapped label does not ask for its height: it gets what this card's text needs, and the
        // dialog grows to show it (never shrinks under the user).
        const int textWidth = std::max(mModelInfo->width(), mModelInfo->minimumWidth());
        mModelInfo->setMinimumHeight(std::max(mModelInfo->fontMetrics().lineSpacing() * 9, mModelInfo->heightForWidth(textWidth)));
        if (layout()) layout()->activate();
        resize(width(), std::max(height(), sizeHint().height()));
        for (QWidget* w : {static_cast<QWidget*>(mSamples), static_cast<QWidget*>(mSteps), static_cast<QWidget*>(mSampler), static_cast<QWidget*>(mSeed)})
            w->setEnabled(stochastic);
        // The locations the model knows; the one the scene's name mentions (synthetic scenes carry
        // their region) is preselected.
        mLocation->clear();
        mLocation->addItem(tr("unknown"), QString());
        const bool metadata = info.value("uses_metadata").toBool();
        const QString scene = mSceneId.toLower().remove('_').remove('-').remove(' ');
        for (const auto& location : info.value("locations").toArray()) {
            const QString name = location.toString();
            mLocation->addItem(name, name);
            if (metadata && !name.isEmpty() && scene.contains(QString(name).toLower().remove('_').remove('-').remove(' '))) mLocation->setCurrentIndex(mLocation->count() - 1);
        }
        mLocation->setEnabled(metadata);
        mPredictButton->setEnabled(true);
        emit modelInfoChanged();
    });
    connect(mInfoProcess, &CliProcess::finished, this, [this](bool ok, const QString& error) {
        if (!ok && error != "canceled") mModelInfo->setText(tr("Cannot read this model: %1").arg(error));
    });
    mInfoProcess->start({"model-info", model(), "--json"});
}

void PredictDialog::suggestOutput() {
    mOutput->setText(defaultOutputPath(mSceneId, model()));
}

QString PredictDialog::defaultOutputPath(const QString& sceneId, const QString& model) {
    const QString folder = QSettings().value("predict/folder", defaultDataFolder("predictions")).toString();
    // A run's checkpoint is named after its run folder (…/unet-pnr-car/best.pt → unet-pnr-car).
    const QFileInfo checkpoint(model);
    const QString name = checkpoint.suffix() == "pt" ? (checkpoint.baseName() == "best" || checkpoint.baseName() == "latest"
                                                            ? checkpoint.dir().dirName()
                                                            : checkpoint.baseName())
                                                     : model;
    return QDir(folder).filePath(sceneId.toLower() + "_" + name + "_prediction.tif");
}

void PredictDialog::setModel(const QString& model) {
    int index = mModel->findData(model);
    if (index < 0) {
        index = mModel->count() - 1; // before "Other checkpoint…"
        const QSignalBlocker quiet(mModel); // inserting before the current item must not re-run the choice
        mModel->insertItem(index, QFileInfo(model).fileName() + " — " + QFileInfo(model).absolutePath(), model);
    }
    if (index == mModel->currentIndex()) modelChosen();
    else mModel->setCurrentIndex(index);
}

QString PredictDialog::model() const { return mModel->currentData().toString(); }
QString PredictDialog::modelLabel() const { return mModel->currentText(); }
QString PredictDialog::outputPath() const { return mOutput->text(); }
void PredictDialog::setOutputPath(const QString& path) {
    mOutput->setText(path);
    mOutputEdited = true;
}
void PredictDialog::setSamples(int samples) { mSamples->setValue(samples); }
void PredictDialog::setSteps(int steps) { mSteps->setValue(steps); }

QStringList PredictDialog::arguments() const {
    QStringList args{"predict", mScenePath, "--model", model(), "--out", outputPath(), "--json", "--device", mDevice->currentText()};
    if (mInfo.value("stochastic").toBool())
        args << "--samples" << QString::number(mSamples->value()) << "--steps" << QString::number(mSteps->value()) << "--sampler"
             << mSampler->currentText() << "--seed" << QString::number(mSeed->value());
    if (mInfo.value("uses_metadata").toBool() && !mLocation->currentData().toString().isEmpty()) args << "--location" << mLocation->currentData().toString();
    if (mFilterImage) {
        if (mRescale->isChecked()) args << "--fuse" << mFusion->currentData().toString();
        else args << "--no-rescale";
        const QString radiometry = mRadiometry->currentData().toString();
        if (radiometry == "match") args << "--match-training";
        if (radiometry == "calibrate") args << "--calibrate-with" << mCalibration->text();
    }
    return args;
}

void PredictDialog::accept() {
    const QFileInfo out(outputPath());
    if (!out.fileName().endsWith(".tif", Qt::CaseInsensitive) && !out.fileName().endsWith(".tiff", Qt::CaseInsensitive)) {
        QMessageBox::warning(this, windowTitle(), tr("The prediction is written as a GeoTIFF: give a .tif file name."));
        return;
    }
    if (!QDir().mkpath(out.absolutePath())) {
        QMessageBox::warning(this, windowTitle(), tr("Cannot create the folder %1").arg(out.absolutePath()));
        return;
    }
    if (mFilterImage && mRadiometry->currentData().toString() == "calibrate" && !QFileInfo(mCalibration->text()).isFile()) {
        QMessageBox::warning(this, windowTitle(), tr("Choose the overlapping CRISM scene to calibrate against."));
        return;
    }
    QSettings settings;
    settings.setValue("predict/model", model());
    settings.setValue("predict/samples", mSamples->value());
    settings.setValue("predict/steps", mSteps->value());
    settings.setValue("predict/sampler", mSampler->currentText());
    settings.setValue("predict/folder", out.absolutePath());
    QDialog::accept();
}

} // namespace jezero::ui
