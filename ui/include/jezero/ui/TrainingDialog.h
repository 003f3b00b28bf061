#pragma once
// Train a model from the window: choose (or build) a dataset, the model and its hyper-parameters and
// the device, then watch the loss curves while `jezero-cli train` runs as a child process (the GUI
// never loads LibTorch, and a CUDA fault ends the child, not the window). Runs can be stopped (the
// trainer saves latest.pt), resumed, compared in the runs list and handed to prediction. Non-modal:
// the window stays usable while a run trains.
#include "jezero/core/TrainingConfig.h"

#include <QDialog>
#include <QJsonObject>
#include <QPointF>
#include <QVector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace jezero::ui {

class CliProcess;
class DatasetBuildPanel;
class TrainingCurves;
class TrainingRunsTable;

class TrainingDialog : public QDialog {
    Q_OBJECT
public:
    explicit TrainingDialog(QWidget* parent = nullptr);
    ~TrainingDialog() override; // a run still training gets SIGTERM (it saves latest.pt; CliProcess kills it after 5 s)

    // Fields, for the main window and tests (the widgets are named, e.g. "trainingLearningRate").
    void setDatasetDirectory(const QString& directory); // shows its manifest summary or why it is not a dataset
    QString datasetDirectory() const;
    void setModelType(const QString& model);            // unet, resnet34, diffusion
    void setModelSize(int baseWidth, int depth);
    void setBatch(int batch);
    void setEpochs(int epochs);
    void setRunDirectory(const QString& directory);     // else a new folder named after model, input, target and time
    QString runDirectory() const;
    DatasetBuildPanel* datasetBuilder() const { return mBuilder; } // shown by "Build from scenes…"
    // The fields as a config (dataset absolute). Throws jezero::Error when a field cannot be read.
    TrainingConfig config() const;

    // Starts a run with the fields' config; false, with the one-line reason shown, when it cannot.
    bool start();
    bool resume(const QString& runDirectory); // continues a stopped run (train --resume)
    void cancel();                            // the run saves latest.pt and stops; runFinished follows
    bool isRunning() const;
    QString currentRun() const { return mCurrentRun; } // the run training (or last trained)
    QString errorText() const;                         // the last reason something could not start

    TrainingCurves* curves() const { return mCurves; }
    int trainingPointCount() const;
    int validationPointCount() const;
    TrainingRunsTable* runsList() const { return mRuns; }
    void refreshRuns();

signals:
    void runStarted(const QString& runDirectory);
    void trainingEvent(const QJsonObject& event); // each JSON line of the run (step, epoch, canceled)
    // error: "canceled" after Cancel, else the trainer's one-line error; empty when ok.
    void runFinished(const QString& runDirectory, bool ok, const QString& error);
    void predictWith(const QString& checkpointPath); // "Use for prediction": <run>/best.pt

private:
    QWidget* buildSettings();
    QWidget* buildMonitor();
    void modelChanged();
    void listDevices();
    void suggestRunDirectory();
    bool launch(const QString& run, const QStringList& arguments, int epochs);
    QStringList withProcesses(QStringList arguments) const; // + --nproc N for a run of several processes
    void onEvent(const QJsonObject& event);
    void onFinished(bool ok, const QString& error);
    void showRun(const QString& run);
    void updateButtons();
    void showError(const QString& text);
    void showStatus(const QString& text);

    // Dataset
    QLineEdit* mDataset;
    QLabel* mDatasetSummary;
    QString mDatasetInput, mDatasetTarget; // from the manifest, for the run's name
    DatasetBuildPanel* mBuilder;
    // Model and training
    QComboBox* mModel;
    QSpinBox* mBaseWidth;
    QSpinBox* mDepth;
    QSpinBox* mBatch;
    QLineEdit* mLearningRate;
    QSpinBox* mEpochs;
    QCheckBox* mAugment;
    QSpinBox* mSeed;
    QComboBox* mDevice;
    QSpinBox* mProcesses; // data-parallel ranks of a CPU run (jezero-cli train --nproc)
    QLabel* mDeviceNote;
    QGroupBox* mDiffusion;
    QComboBox* mDiffusionMode;
    QLineEdit* mRegression;
    QDoubleSpinBox* mEmaDecay;
    QDoubleSpinBox* mImageDropout;
    QDoubleSpinBox* mMetadataDropout;
    QLineEdit* mRunDirectory;
    bool mRunDirectoryEdited = false;
    QString mPreviousModel;
    QLabel* mError;
    QPushButton* mStart;
    QPushButton* mCancel;
    QPushButton* mResume;
    QPushButton* mUseForPrediction;
    // Monitor
    QLabel* mEpochLabel;
    QLabel* mStepLabel;
    QLabel* mSpeedLabel;
    QLabel* mEtaLabel;
    QLabel* mRateLabel;
    QLabel* mStatus;
    TrainingCurves* mCurves;
    TrainingRunsTable* mRuns;

    CliProcess* mTraining = nullptr; // one per run
    CliProcess* mDevices;
    QString mCurrentRun;
    int mCurrentEpochs = 0;   // as configured, for "epoch 3 / 20"
    QString mLastEvent;       // of the current run: "canceled" means it stopped before its last epoch
    QString mShownRun;        // whose curves the plot shows
    // The running run's curves, kept while another run's curves are looked at.
    QVector<QPointF> mLiveTraining, mLiveValidation;
};

} // namespace jezero::ui
