#pragma once
// The scene library dock: the CRISM scenes of a folder and its subfolders (real MTRDR / TRR3 files and
// synthetic runs), each with a thumbnail, product id, size, place and — for synthetic scenes — whether
// it holds carbonate. Scenes are read one after another off the GUI thread; double-click opens one.
#include <QPointer>
#include <QString>
#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace jezero::ui {

class BackgroundTask;

class SceneLibrary : public QWidget {
    Q_OBJECT
public:
    enum Column { Thumbnail, Product, Size, Place, Carbonate, Columns };
    explicit SceneLibrary(QWidget* parent = nullptr);
    ~SceneLibrary() override;

    // Lists folder's scenes (remembered for the next session); describing them continues in the background.
    void setFolder(const QString& folder);
    QString folder() const { return mFolder; }
    QTableWidget* table() const { return mTable; }
    QString scenePath(int row) const;
    bool isScanning() const { return !mTask.isNull(); }
    void cancelScan();

signals:
    void openRequested(const QString& path);
    void scanFinished(); // every listed scene is described (or failed to read)

private:
    void describeNext();

    QLineEdit* mFolderEdit;
    QLabel* mStatus;
    QTableWidget* mTable;
    QString mFolder;
    std::vector<QString> mPaths;
    int mNext = 0;
    int mGeneration = 0;
    QPointer<BackgroundTask> mTask;
};

} // namespace jezero::ui
