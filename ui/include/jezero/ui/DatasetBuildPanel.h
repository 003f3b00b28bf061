#pragma once
// "Build from scenes…" of the Training dialog: tiles a folder of scenes (a `jezero-cli synth` run, MTRDR
// or TRR3 files) into a training dataset with `jezero-cli dataset build`, run as a child process so
// the window keeps working; shows the command's per-scene lines as progress and its one-line error.
#include <QGroupBox>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace jezero::ui {

class CliProcess;

class DatasetBuildPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit DatasetBuildPanel(QWidget* parent = nullptr);

    void setSceneDirectory(const QString& directory);
    void setInputKind(const QString& kind); // pnr, 4band, pca, rect
    void setTarget(const QString& target);  // fal, car
    void setTile(int pixels);
    void setOutputDirectory(const QString& directory); // else <scene folder's parent>/dataset-<input>-<target>-<tile>
    QString outputDirectory() const;
    QStringList arguments() const; // what jezero-cli runs with

    bool build(); // false (reason shown) when a field is missing or a build is running
    void cancel();
    bool isBuilding() const;

signals:
    void built(const QString& datasetDirectory);
    void buildFailed(const QString& error);

private:
    void suggestOutput();
    void showStatus(const QString& text, bool error);

    QLineEdit* mScenes;
    QComboBox* mInput;
    QComboBox* mTarget;
    QSpinBox* mTile;
    QLineEdit* mOutput;
    bool mOutputEdited = false;
    QPushButton* mBuild;
    QPushButton* mCancel;
    QProgressBar* mBusy;
    QLabel* mStatus;
    QPlainTextEdit* mLog;
    CliProcess* mProcess = nullptr; // one per build
};

} // namespace jezero::ui
