// The Training dialog's widgets: the settings column (dataset, model, hyper-parameters, device,
// diffusion settings, run folder) and the monitor (progress labels, curves, runs list).
#include "jezero/ui/TrainingDialog.h"

#include "jezero/ui/BrowseRow.h"
#include "jezero/ui/DatasetBuildPanel.h"
#include "jezero/ui/TrainingCurves.h"
#include "jezero/ui/TrainingRunsTable.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>

#include <climits>
#include <functional>

namespace jezero::ui {

QWidget* TrainingDialog::buildSettings() {
    auto* page = new QWidget;
    auto* column = new QVBoxLayout(page);

    auto* dataset = new QGroupBox(tr("Dataset"));
    auto* datasetForm = new QFormLayout(dataset);
    mDataset = new QLineEdit;
    mDataset->setObjectName("trainingDataset");
    mDataset->setPlaceholderText(tr("a folder made by jezero-cli dataset build"));
    connect(mDataset, &QLineEdit::editingFinished, this, [this] { setDatasetDirectory(mDataset->text().trimmed()); });
    datasetForm->addRow(tr("Folder"), browseRow(mDataset, this, [this] { return QFileDialog::getExistingDirectory(this, tr("Dataset folder"), mDataset->text()); },
                                              [this](const QString& dir) { setDatasetDirectory(dir); }));
    mDatasetSummary = new QLabel;
    mDatasetSummary->setObjectName("trainingDatasetSummary");
    mDatasetSummary->setWordWrap(true);
    datasetForm->addRow(mDatasetSummary);
    auto* buildToggle = new QPushButton(tr("Build from scenes…"));
    buildToggle->setObjectName("trainingBuildFromScenes");
    buildToggle->setCheckable(true);
    datasetForm->addRow(buildToggle);
    mBuilder = new DatasetBuildPanel;
    mBuilder->setVisible(false);
    connect(buildToggle, &QPushButton::toggled, mBuilder, &QWidget::setVisible);
    datasetForm->addRow(mBuilder);
    column->addWidget(dataset);

    auto* model = new QGroupBox(tr("Model and training"));
    auto* form = new QFormLayout(model);
    mModel = new QComboBox;
    mModel->setObjectName("trainingModel");
    mModel->addItems({"unet", "resnet34", "diffusion"});
    mModel->setToolTip(tr("unet: GroupNorm/SiLU U-Net; resnet34: the thesis's baseline (tiles must divide by 32); diffusion: the conditional diffusion model"));
    form->addRow(tr("Model"), mModel);
    // Ranges are wide on purpose: TrainingConfig's own checks say what is wrong with a value.
    const auto spin = [](const char* name, int low, int high) {
        auto* s = new QSpinBox;
        s->setObjectName(name);
        s->setRange(low, high);
        return s;
    };
    mBaseWidth = spin("trainingBaseWidth", 1, 1024);
    mBaseWidth->setToolTip(tr("Channels of the first level (resnet34: of the stem; 64 is ResNet34)"));
    mDepth = spin("trainingDepth", 0, 10);
    mDepth->setToolTip(tr("Levels of the U-Net (the tile must divide by 2^(depth−1))"));
    auto* size = new QHBoxLayout;
    size->addWidget(mBaseWidth);
    size->addWidget(new QLabel(tr("depth")));
    size->addWidget(mDepth);
    form->addRow(tr("Base width"), size);
    mBatch = spin("trainingBatch", 0, 100000);
    form->addRow(tr("Batch"), mBatch);
    mLearningRate = new QLineEdit;
    mLearningRate->setObjectName("trainingLearningRate");
    mLearningRate->setToolTip(tr("Adam's learning rate, decayed to 0 over the run (cosine)"));
    form->addRow(tr("Learning rate"), mLearningRate);
    mEpochs = spin("trainingEpochs", 0, 10000000);
    form->addRow(tr("Epochs"), mEpochs);
    mAugment = new QCheckBox(tr("Augment (rotation ±45°, vertical flip, quadrant crop)"));
    mAugment->setObjectName("trainingAugment");
    form->addRow(QString(), mAugment);
    mSeed = spin("trainingSeed", 0, INT_MAX);
    form->addRow(tr("Seed"), mSeed);
    mDevice = new QComboBox;
    mDevice->setObjectName("trainingDevice");
    mDevice->addItem(tr("auto (the GPU when there is one)"), "auto");
    mDevice->addItem("cpu", "cpu");
    form->addRow(tr("Device"), mDevice);
    mProcesses = spin("trainingProcesses", 1, 256);
    mProcesses->setToolTip(tr("Data-parallel processes on this machine, each with its share of the cores; the batch is split between them "
                              "and the run trains the same curve (jezero-cli train --nproc)"));
    form->addRow(tr("Processes"), mProcesses);
    mDeviceNote = new QLabel;
    mDeviceNote->setObjectName("trainingDeviceNote");
    mDeviceNote->setWordWrap(true);
    form->addRow(QString(), mDeviceNote);
    column->addWidget(model);

    mDiffusion = new QGroupBox(tr("Diffusion model"));
    mDiffusion->setObjectName("trainingDiffusion");
    auto* diffusion = new QFormLayout(mDiffusion);
    mDiffusionMode = new QComboBox;
    mDiffusionMode->setObjectName("trainingDiffusionMode");
    mDiffusionMode->addItems({"residual", "plain"});
    mDiffusionMode->setToolTip(tr("residual: learns target − a regression model's prediction (CorrDiff); plain: the target itself (the thesis)"));
    diffusion->addRow(tr("Mode"), mDiffusionMode);
    mRegression = new QLineEdit;
    mRegression->setObjectName("trainingRegression");
    mRegression->setPlaceholderText(tr("a U-Net or ResNet34 run's best.pt"));
    diffusion->addRow(tr("Regression"),
                      browseRow(mRegression, this, [this] { return QFileDialog::getOpenFileName(this, tr("Regression checkpoint"), mRegression->text(), tr("Checkpoints (*.pt)")); },
                              [this](const QString& path) { mRegression->setText(path); }));
    connect(mDiffusionMode, &QComboBox::currentTextChanged, this, [this](const QString& mode) {
        for (QWidget* w : {static_cast<QWidget*>(mRegression), findChild<QWidget*>("trainingRegressionBrowse")}) w->setEnabled(mode == "residual");
    });
    const auto fraction = [](const char* name, double high, int decimals) {
        auto* s = new QDoubleSpinBox;
        s->setObjectName(name);
        s->setRange(0, high);
        s->setDecimals(decimals);
        s->setSingleStep(high > 0.99 ? 0.001 : 0.05);
        return s;
    };
    mEmaDecay = fraction("trainingEmaDecay", 0.9999, 4);
    diffusion->addRow(tr("EMA decay"), mEmaDecay);
    mImageDropout = fraction("trainingImageDropout", 0.95, 2);
    mImageDropout->setToolTip(tr("Share of training samples without the input image (for image guidance)"));
    diffusion->addRow(tr("Image dropout"), mImageDropout);
    mMetadataDropout = fraction("trainingMetadataDropout", 0.95, 2);
    mMetadataDropout->setToolTip(tr("Share of training samples without latitude, longitude and location (for metadata guidance)"));
    diffusion->addRow(tr("Metadata dropout"), mMetadataDropout);
    column->addWidget(mDiffusion);

    auto* runBox = new QGroupBox(tr("Run"));
    auto* runForm = new QFormLayout(runBox);
    mRunDirectory = new QLineEdit;
    mRunDirectory->setObjectName("trainingRunDirectory");
    connect(mRunDirectory, &QLineEdit::textEdited, this, [this] { mRunDirectoryEdited = true; });
    runForm->addRow(tr("Folder"), browseRow(mRunDirectory, this, [this] { return QFileDialog::getExistingDirectory(this, tr("Run folder"), mRunDirectory->text()); },
                                          [this](const QString& dir) { setRunDirectory(dir); }));
    mError = new QLabel;
    mError->setObjectName("trainingError");
    mError->setStyleSheet("color: #b00020;");
    mError->setWordWrap(true);
    runForm->addRow(mError);
    mStart = new QPushButton(tr("Start training"));
    mStart->setObjectName("trainingStart");
    connect(mStart, &QPushButton::clicked, this, &TrainingDialog::start);
    mCancel = new QPushButton(tr("Cancel"));
    mCancel->setObjectName("trainingCancel");
    mCancel->setToolTip(tr("Stop the run: it saves latest.pt first, so Resume can continue it"));
    connect(mCancel, &QPushButton::clicked, this, &TrainingDialog::cancel);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(mStart);
    buttons->addWidget(mCancel);
    buttons->addStretch(1);
    runForm->addRow(buttons);
    column->addWidget(runBox);
    column->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(500);
    return scroll;
}

QWidget* TrainingDialog::buildMonitor() {
    auto* progress = new QWidget;
    auto* grid = new QGridLayout(progress);
    grid->setContentsMargins(0, 0, 0, 0);
    const auto value = [&](const char* name, const QString& caption, int column) {
        auto* label = new QLabel(QStringLiteral("—"));
        label->setObjectName(name);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto* heading = new QLabel(caption);
        heading->setStyleSheet("color: palette(mid);");
        grid->addWidget(heading, 0, column);
        grid->addWidget(label, 1, column);
        return label;
    };
    mEpochLabel = value("trainingEpochLabel", tr("Epoch"), 0);
    mStepLabel = value("trainingStepLabel", tr("Step"), 1);
    mSpeedLabel = value("trainingSpeedLabel", tr("Images/s"), 2);
    mEtaLabel = value("trainingEtaLabel", tr("Time left"), 3);
    mRateLabel = value("trainingRateLabel", tr("Learning rate"), 4);
    mStatus = new QLabel;
    mStatus->setObjectName("trainingStatus");
    mStatus->setWordWrap(true);
    grid->addWidget(mStatus, 2, 0, 1, 5);
    mCurves = new TrainingCurves;

    auto* curves = new QWidget;
    auto* curvesColumn = new QVBoxLayout(curves);
    curvesColumn->setContentsMargins(0, 0, 0, 0);
    curvesColumn->addWidget(progress);
    curvesColumn->addWidget(mCurves, 1);

    auto* runs = new QWidget;
    auto* runsColumn = new QVBoxLayout(runs);
    runsColumn->setContentsMargins(0, 0, 0, 0);
    runsColumn->addWidget(new QLabel(tr("Runs (select one to see its curves)")));
    mRuns = new TrainingRunsTable;
    runsColumn->addWidget(mRuns, 1);
    mResume = new QPushButton(tr("Resume"));
    mResume->setObjectName("trainingResume");
    mResume->setToolTip(tr("Continue the selected stopped run from its latest.pt"));
    connect(mResume, &QPushButton::clicked, this, [this] { resume(mRuns->selectedRun()); });
    mUseForPrediction = new QPushButton(tr("Use for prediction"));
    mUseForPrediction->setObjectName("trainingUseForPrediction");
    mUseForPrediction->setToolTip(tr("Predict carbonates with the selected run's best.pt"));
    connect(mUseForPrediction, &QPushButton::clicked, this, [this] { emit predictWith(mRuns->selectedRun() + "/best.pt"); });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(mResume);
    buttons->addWidget(mUseForPrediction);
    buttons->addStretch(1);
    runsColumn->addLayout(buttons);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(curves);
    splitter->addWidget(runs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    return splitter;
}

} // namespace jezero::ui
