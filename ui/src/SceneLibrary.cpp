#include "jezero/ui/SceneLibrary.h"

#include "jezero/core/Composite.h"
#include "jezero/core/Task.h"
#include "jezero/io/SceneCatalog.h"
#include "jezero/io/SceneReader.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/QtImages.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>

#include <cmath>

namespace jezero::ui {
namespace {

constexpr int kThumbnailPx = 64;

struct SceneSummary {
    QImage thumbnail;
    QString product, size, place;
};

QString place(double latitude, double longitude) {
    if (!std::isfinite(latitude) || !std::isfinite(longitude)) return QObject::tr("unknown");
    return QString("%1°, %2°").arg(latitude, 0, 'f', 2).arg(longitude, 0, 'f', 2);
}

} // namespace

SceneLibrary::SceneLibrary(QWidget* parent) : QWidget(parent), mFolderEdit(new QLineEdit), mStatus(new QLabel), mTable(new QTableWidget) {
    setObjectName("sceneLibrary");
    mFolderEdit->setObjectName("sceneLibraryFolder");
    mFolderEdit->setPlaceholderText(tr("Folder of CRISM scenes"));
    connect(mFolderEdit, &QLineEdit::returnPressed, this, [this] { setFolder(mFolderEdit->text()); });
    auto* browse = new QPushButton(tr("Folder…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Scene folder"), mFolder);
        if (!dir.isEmpty()) setFolder(dir);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(mFolderEdit, 1);
    row->addWidget(browse);

    mTable->setObjectName("sceneLibraryTable");
    mTable->setColumnCount(Columns);
    mTable->setHorizontalHeaderLabels({QString(), tr("Product"), tr("Size"), tr("Lat, lon"), tr("Carbonate")});
    mTable->verticalHeader()->setVisible(false);
    mTable->verticalHeader()->setDefaultSectionSize(kThumbnailPx + 4);
    mTable->setIconSize(QSize(kThumbnailPx, kThumbnailPx));
    mTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    mTable->horizontalHeader()->setStretchLastSection(true);
    mTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    mTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    mTable->setToolTip(tr("Double-click a scene to open it"));
    connect(mTable, &QTableWidget::cellDoubleClicked, this, [this](int r, int) {
        if (r >= 0 && r < static_cast<int>(mPaths.size())) emit openRequested(mPaths[r]);
    });
    mStatus->setObjectName("sceneLibraryStatus");

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(row);
    layout->addWidget(mTable, 1);
    layout->addWidget(mStatus);
}

SceneLibrary::~SceneLibrary() { cancelScan(); }

void SceneLibrary::cancelScan() {
    ++mGeneration; // what is still running reports to nobody and starts no next scene
    if (mTask) mTask->cancel();
}

QString SceneLibrary::scenePath(int row) const { return row >= 0 && row < static_cast<int>(mPaths.size()) ? mPaths[row] : QString(); }

void SceneLibrary::setFolder(const QString& folder) {
    if (mTask) mTask->cancel();
    ++mGeneration;
    mFolder = folder;
    mFolderEdit->setText(folder);
    mPaths.clear();
    mTable->setRowCount(0);
    mNext = 0;
    std::vector<io::CatalogScene> scenes;
    QStringList folders{folder};
    for (const QString& sub : QDir(folder).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) folders << QDir(folder).filePath(sub);
    for (const QString& dir : folders) {
        try {
            for (auto& scene : io::discoverScenes(dir.toStdString())) scenes.push_back(std::move(scene));
        } catch (const std::exception&) {
            // a folder without scenes
        }
    }
    if (scenes.empty()) {
        mStatus->setText(QDir(folder).exists() ? tr("No CRISM scenes in this folder or its subfolders") : tr("No such folder"));
        emit scanFinished();
        return;
    }
    QSettings().setValue("library/folder", folder);
    mTable->setRowCount(static_cast<int>(scenes.size()));
    for (int r = 0; r < static_cast<int>(scenes.size()); ++r) {
        const io::CatalogScene& s = scenes[r];
        mPaths.push_back(QString::fromStdString(s.ifPath));
        auto* product = new QTableWidgetItem(QString::fromStdString(s.name));
        product->setToolTip(mPaths.back());
        mTable->setItem(r, Product, product);
        mTable->setItem(r, Size, new QTableWidgetItem(tr("reading…")));
        mTable->setItem(r, Place, new QTableWidgetItem(place(s.latitude, s.longitude)));
        mTable->setItem(r, Carbonate, new QTableWidgetItem(s.carbonateKnown ? (s.carbonateBearing ? tr("yes") : tr("no")) : tr("unknown")));
        mTable->setItem(r, Thumbnail, new QTableWidgetItem);
    }
    mStatus->setText(tr("%n scene(s); reading…", nullptr, static_cast<int>(scenes.size())));
    describeNext();
}

void SceneLibrary::describeNext() {
    if (mNext >= static_cast<int>(mPaths.size())) {
        mStatus->setText(tr("%n scene(s)", nullptr, static_cast<int>(mPaths.size())));
        emit scanFinished();
        return;
    }
    const int row = mNext++;
    const std::string path = mPaths[row].toStdString();
    auto task = std::make_shared<Task<SceneSummary>>("describe scene", [path](TaskControl& control) {
        const SpectralCube cube = io::readScene(path, {}, &control);
        SceneSummary s;
        s.product = QString::fromStdString(cube.metadata().productId);
        s.size = QObject::tr("%1 × %2 × %3").arg(cube.width()).arg(cube.height()).arg(cube.bands());
        if (cube.metadata().centre) s.place = place(cube.metadata().centre->latitudeDeg, cube.metadata().centre->longitudeDeg);
        s.thumbnail = toQImage(renderComposite(cube, defaultRgbChannels(cube.wavelengthsNm()), Stretch{}, &control))
                          .scaled(kThumbnailPx, kThumbnailPx, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        return s;
    });
    const int generation = mGeneration;
    mTask = BackgroundTask::start(task, this);
    connect(mTask, &BackgroundTask::succeeded, this, [this, task, row, generation] {
        if (generation != mGeneration) return;
        const SceneSummary& s = task->result();
        mTable->item(row, Thumbnail)->setIcon(QIcon(QPixmap::fromImage(s.thumbnail)));
        mTable->item(row, Size)->setText(s.size);
        if (!s.place.isEmpty()) mTable->item(row, Place)->setText(s.place);
        mTable->item(row, Product)->setToolTip(s.product + "\n" + mPaths[row]);
    });
    connect(mTask, &BackgroundTask::failed, this, [this, row, generation](const QString& error) {
        if (generation != mGeneration) return;
        mTable->item(row, Size)->setText(tr("unreadable"));
        mTable->item(row, Size)->setToolTip(error);
    });
    connect(mTask, &BackgroundTask::finished, this, [this, generation] {
        if (generation == mGeneration) describeNext();
    });
}

} // namespace jezero::ui
