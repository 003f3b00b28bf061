#include "jezero/ui/DatasetBuildPanel.h"

#include "jezero/ui/BrowseRow.h"
#include "jezero/ui/CliProcess.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>

namespace jezero::ui {
namespace {

// A line edit with a Browse… button that picks a folder.
QHBoxLayout* folderRow(QLineEdit* edit, QWidget* parent, const QString& caption, bool* edited = nullptr) {
    return browseRow(edit, parent, [edit, parent, caption] { return QFileDialog::getExistingDirectory(parent, caption, edit->text()); },
                     [edit, edited](const QString& dir) {
                         if (edited) *edited = true;
                         edit->setText(dir);
                     });
}

} // namespace

DatasetBuildPanel::DatasetBuildPanel(QWidget* parent)
    : QGroupBox(tr("Build a dataset from scenes"), parent), mScenes(new QLineEdit), mInput(new QComboBox), mTarget(new QComboBox), mTile(new QSpinBox),
      mOutput(new QLineEdit), mBuild(new QPushButton(tr("Build"))), mCancel(new QPushButton(tr("Stop"))), mBusy(new QProgressBar), mStatus(new QLabel),
      mLog(new QPlainTextEdit) {
    setObjectName("datasetBuildPanel");
    mScenes->setObjectName("datasetScenes");
    mScenes->setPlaceholderText(tr("folder of scenes: a synth run, MTRDR I/F cubes or TRR3 pairs"));
    mInput->setObjectName("datasetInput");
    mInput->addItems({"pnr", "4band", "pca", "rect"});
    mInput->setToolTip(tr("The model input: PNR (PAN, NIR, RED), the four CaSSIS bands, their PCA, or rectangular filters"));
    mTarget->setObjectName("datasetTarget");
    mTarget->addItems({"fal", "car"});
    mTarget->setToolTip(tr("FAL: R2529, R1506, R1080; CAR: D2300, BD2500_2, BD1900_2"));
    mTile->setObjectName("datasetTile");
    mTile->setRange(16, 2048); // what jezero-cli dataset build accepts
    mTile->setSingleStep(16);
    mTile->setValue(256);
    mTile->setSuffix(" px");
    mOutput->setObjectName("datasetOutput");
    mBuild->setObjectName("datasetBuild");
    mCancel->setObjectName("datasetBuildStop");
    mCancel->setEnabled(false);
    mBusy->setRange(0, 0); // the command reports scenes, not a fraction
    mBusy->setVisible(false);
    mBusy->setMaximumHeight(12);
    mStatus->setObjectName("datasetBuildStatus");
    mStatus->setWordWrap(true);
    mLog->setObjectName("datasetBuildLog");
    mLog->setReadOnly(true);
    mLog->setMaximumBlockCount(500);
    mLog->setFixedHeight(70);
    mLog->setFont(QFont("monospace", 8));

    connect(mOutput, &QLineEdit::textEdited, this, [this] { mOutputEdited = true; });
    for (QComboBox* combo : {mInput, mTarget}) connect(combo, &QComboBox::currentTextChanged, this, &DatasetBuildPanel::suggestOutput);
    connect(mTile, &QSpinBox::valueChanged, this, &DatasetBuildPanel::suggestOutput);
    connect(mScenes, &QLineEdit::textChanged, this, &DatasetBuildPanel::suggestOutput);
    connect(mBuild, &QPushButton::clicked, this, &DatasetBuildPanel::build);
    connect(mCancel, &QPushButton::clicked, this, &DatasetBuildPanel::cancel);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Scenes"), folderRow(mScenes, this, tr("Folder of scenes")));
    auto* kinds = new QHBoxLayout;
    kinds->addWidget(new QLabel(tr("Input")));
    kinds->addWidget(mInput);
    kinds->addSpacing(8);
    kinds->addWidget(new QLabel(tr("Target")));
    kinds->addWidget(mTarget);
    kinds->addSpacing(8);
    kinds->addWidget(new QLabel(tr("Tile")));
    kinds->addWidget(mTile);
    kinds->addStretch(1);
    form->addRow(QString(), kinds);
    form->addRow(tr("Save to"), folderRow(mOutput, this, tr("Dataset folder (new)"), &mOutputEdited));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(mBuild);
    buttons->addWidget(mCancel);
    buttons->addWidget(mBusy, 1);
    form->addRow(QString(), buttons);
    form->addRow(QString(), mStatus);
    form->addRow(QString(), mLog);
}

void DatasetBuildPanel::setSceneDirectory(const QString& directory) { mScenes->setText(directory); }
void DatasetBuildPanel::setInputKind(const QString& kind) { mInput->setCurrentText(kind); }
void DatasetBuildPanel::setTarget(const QString& target) { mTarget->setCurrentText(target); }
void DatasetBuildPanel::setTile(int pixels) { mTile->setValue(pixels); }
void DatasetBuildPanel::setOutputDirectory(const QString& directory) {
    mOutput->setText(directory);
    mOutputEdited = true;
}
QString DatasetBuildPanel::outputDirectory() const { return QFileInfo(mOutput->text().trimmed()).absoluteFilePath(); }

void DatasetBuildPanel::suggestOutput() {
    if (mOutputEdited || mScenes->text().trimmed().isEmpty()) return; // the user's own choice stays
    const QDir parent = QFileInfo(QDir::cleanPath(mScenes->text().trimmed())).dir();
    mOutput->setText(parent.filePath(QString("dataset-%1-%2-%3").arg(mInput->currentText(), mTarget->currentText()).arg(mTile->value())));
}

QStringList DatasetBuildPanel::arguments() const {
    return {"dataset", "build",           QFileInfo(mScenes->text().trimmed()).absoluteFilePath(), "--out", outputDirectory(), "--input", mInput->currentText(),
            "--target", mTarget->currentText(), "--tile", QString::number(mTile->value())};
}

bool DatasetBuildPanel::build() {
    if (isBuilding()) return false;
    const QString scenes = mScenes->text().trimmed();
    if (scenes.isEmpty() || !QFileInfo(scenes).isDir()) {
        showStatus(scenes.isEmpty() ? tr("Choose the folder of scenes first") : tr("No such folder: %1").arg(scenes), true);
        return false;
    }
    if (mOutput->text().trimmed().isEmpty()) {
        showStatus(tr("Choose where the dataset goes"), true);
        return false;
    }
    // The command never writes over a dataset; saying so here saves starting it.
    if (QFileInfo::exists(outputDirectory() + "/dataset.json")) {
        showStatus(tr("%1 already holds a dataset: choose another folder").arg(QDir::toNativeSeparators(outputDirectory())), true);
        return false;
    }
    mLog->clear();
    mBuild->setEnabled(false);
    mCancel->setEnabled(true);
    mBusy->setVisible(true);
    showStatus(tr("Building…"), false);
    // A fresh process object per build: a stopped build's one still holds the timer that kills its
    // child if it ignores SIGTERM, and would fire on the next build.
    if (mProcess) {
        mProcess->disconnect(this);
        mProcess->deleteLater();
    }
    mProcess = new CliProcess(this);
    connect(mProcess, &CliProcess::logLine, this, [this](const QString& line) {
        mLog->appendPlainText(line);
        if (!line.contains(": error: ")) showStatus(tr("Building: %1").arg(line), false); // "<scene> → train: 4 tiles"
    });
    connect(mProcess, &CliProcess::finished, this, [this, out = outputDirectory()](bool ok, const QString& error) {
        mBuild->setEnabled(true);
        mCancel->setEnabled(false);
        mBusy->setVisible(false);
        if (ok) {
            showStatus(tr("Built %1").arg(QDir::toNativeSeparators(out)), false);
            emit built(out);
        } else {
            showStatus(error == "canceled" ? tr("Stopped") : tr("Build failed: %1").arg(error), error != "canceled");
            emit buildFailed(error);
        }
    });
    mProcess->start(arguments());
    return true;
}

void DatasetBuildPanel::cancel() {
    if (isBuilding()) mProcess->cancel();
}
bool DatasetBuildPanel::isBuilding() const { return mProcess && mProcess->isRunning(); }

void DatasetBuildPanel::showStatus(const QString& text, bool error) {
    mStatus->setText(text);
    mStatus->setStyleSheet(error ? "color: #b00020;" : QString());
}

} // namespace jezero::ui
