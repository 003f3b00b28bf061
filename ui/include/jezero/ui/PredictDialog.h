#pragma once
// Predict carbonates: which model (the shipped U-Net or diffusion model, a run trained here, or any
// checkpoint), the diffusion sampling settings, the device and where the prediction GeoTIFF goes. What
// the chosen model takes and predicts is read from it (jezero-cli model-info) and shown.
#include <QDialog>
#include <QJsonObject>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace jezero::ui {

class CliProcess;

class PredictDialog : public QDialog {
    Q_OBJECT
public:
    // sceneId names the default output file. filterImage: the scene is a CaSSIS image — the dialog then
    // offers how the prediction comes back to its grid and how its radiometry is brought to the model's.
    PredictDialog(const QString& scenePath, const QString& sceneId, bool filterImage = false, QWidget* parent = nullptr);

    // What jezero-cli is run with: predict SCENE --model M --out F --json [diffusion settings]
    // [a CaSSIS image: --fuse F, --match-training or --calibrate-with CRISM_SCENE].
    QStringList arguments() const;
    QString model() const;      // "unet", "diffusion" or a checkpoint path
    QString modelLabel() const; // as the list shows it
    QString outputPath() const;
    // Choose the model by its argument (selects it, adding a checkpoint to the list when new).
    void setModel(const QString& model);
    void setOutputPath(const QString& path);
    void setSamples(int samples);
    void setSteps(int steps);
    QJsonObject modelInfo() const { return mInfo; } // empty until model-info answered
    // <prediction folder>/<scene id>_<model name>_prediction.tif (a run's checkpoint by its run folder).
    static QString defaultOutputPath(const QString& sceneId, const QString& model);

signals:
    void modelInfoChanged();

private:
    void modelChosen();
    void requestModelInfo();
    void suggestOutput();
    void accept() override;

    QString mScenePath, mSceneId;
    bool mFilterImage = false;
    bool mOutputEdited = false;
    QComboBox* mModel;
    QLabel* mModelInfo;
    QSpinBox* mSamples;
    QSpinBox* mSteps;
    QComboBox* mSampler;
    QSpinBox* mSeed;
    QComboBox* mDevice;
    QComboBox* mLocation; // metadata-conditioned models: the place they are told the scene shows
    QCheckBox* mRescale = nullptr;      // a CaSSIS image: to the model's pixel first (the default), or as it is
    QComboBox* mFusion = nullptr;       // a CaSSIS image: gs, guided, hpf, bicubic
    QComboBox* mRadiometry = nullptr;   // as it is, match the training statistics, calibrate with a CRISM scene
    QLineEdit* mCalibration = nullptr;  // the CRISM scene
    QLineEdit* mOutput;
    QPushButton* mPredictButton = nullptr;
    CliProcess* mInfoProcess = nullptr;
    QJsonObject mInfo;
};

} // namespace jezero::ui
