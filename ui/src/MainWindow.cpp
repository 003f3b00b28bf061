#include "jezero/ui/MainWindow.h"

#include "jezero/core/FilterResponse.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/Resources.h"
#include "jezero/core/Task.h"
#include "jezero/io/SceneReader.h"
#include "jezero/io/SyntheticScenes.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/core/BrowseProducts.h"
#include "jezero/ui/CarbonateOverlay.h"
#include "jezero/ui/ChannelLegend.h"
#include "jezero/ui/CliProcess.h"
#include "jezero/ui/ComparisonView.h"
#include "jezero/ui/CompositeControls.h"
#include "jezero/ui/CubeView.h"
#include "jezero/ui/InputsPanel.h"
#include "jezero/ui/LibraryMatchPanel.h"
#include "jezero/ui/HelpDialogs.h"
#include "jezero/ui/LinkedMapView.h"
#include "jezero/ui/MapScaleBar.h"
#include "jezero/ui/ParametersPanel.h"
#include "jezero/ui/QtImages.h"
#include "jezero/ui/RoiPanel.h"
#include "jezero/ui/RecentPaths.h"
#include "jezero/ui/SceneLibrary.h"
#include "jezero/ui/SceneView.h"
#include "jezero/ui/SpectrumPalette.h"
#include "jezero/ui/SpectrumPlot.h"
#include "jezero/core/BadBands.h"
#include "jezero/core/CubeCleanup.h"

#include <limits>
#include <spdlog/spdlog.h>

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>

#include <cmath>

namespace jezero::ui {
namespace {


const char* kSceneFilter = "CRISM scenes (*.img *.IMG *.lbl *.LBL *.hdr *.tif *.tiff);;All files (*)";

struct LoadedScene {
    std::string path; // the file read (the sample's is known only once it is made)
    std::shared_ptr<const SpectralCube> cube;
    CompositeImage composite;
    Stretch stretch;
    QPoint pixel{-1, -1}; // selected once shown (the sample's carbonate-rich pixel)
    std::vector<std::string> cleanup; // what each clean-up step changed (Scene menu)
};

QString compositeKey(const std::string& productId) { return "composites/" + QString::fromStdString(productId); }

// The composite chosen for this product in an earlier session (see rememberComposite), if any. Any
// thread: QSettings is reentrant.
std::optional<std::pair<RgbChannels, Stretch>> rememberedComposite(const std::string& productId) {
    const QVariantList saved = QSettings().value(compositeKey(productId)).toList();
    if (saved.size() != 5) return std::nullopt;
    RgbChannels rgb;
    for (int c = 0; c < 3; ++c) rgb.wavelengthsNm[c] = saved[c].toDouble();
    return std::make_pair(rgb, Stretch{saved[3].toDouble(), saved[4].toDouble()});
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), mSceneView(new SceneView), mSpectrumPlot(new SpectrumPlot), mCompositeControls(new CompositeControls),
      mHoverLabel(new QLabel), mCompositeLabel(new QLabel), mProgress(new QProgressBar), mCancel(new QToolButton),
      mParametersPanel(new ParametersPanel), mInputsPanel(new InputsPanel), mRoiPanel(new RoiPanel), mTabs(new QTabWidget),
      mComparison(new ComparisonView), mCubeView(new CubeView), mLinked(new LinkedMapView), mSceneLibrary(new SceneLibrary), mMatchPanel(new LibraryMatchPanel), mOverlay(new CarbonateOverlay), mPrediction(new CliProcess(this)),
      mPredictionProgress(new QProgressBar), mPredictionCancel(new QToolButton) {
    setWindowTitle("Jezero");
    setAcceptDrops(true);
    // 1400 × 820 where the screen has room, else nine tenths of it: never larger than a laptop's screen.
    if (const QScreen* screen = QGuiApplication::primaryScreen()) {
        const QRect available = screen->availableGeometry();
        resize(std::min(1400, available.width() * 9 / 10), std::min(820, available.height() * 9 / 10));
    } else {
        resize(1400, 820);
    }

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    mMapScale = new MapScaleBar;
    mMapScale->hide();
    connect(mMapScale, &MapScaleBar::changed, this, [this] {
        if (mLayer.startsWith("param:")) showLayer(mLayer);
        if (!mLinked->isHidden() && mLinked->layer().startsWith("param:")) showLinkedLayer(); // the same parameter's scale
    });
    auto* mapArea = new QWidget;
    auto* mapLayout = new QVBoxLayout(mapArea);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    mapLayout->setSpacing(0);
    // Side by side, the first map says what it shows, as the second one's header does (its layer is
    // chosen in the Parameters panel).
    mFirstMapHeader = new QLabel;
    mFirstMapHeader->setObjectName("firstMapHeader");
    mFirstMapHeader->setWordWrap(true);
    mFirstMapHeader->setContentsMargins(4, 2, 4, 2);
    mFirstMapHeader->setToolTip(tr("Its layer is chosen in the Parameters panel (Show on the map)"));
    mFirstMapHeader->hide();
    mapLayout->addWidget(mFirstMapHeader);
    mapLayout->addWidget(mSceneView, 1);
    mapLayout->addWidget(mMapScale);
    mChannelLegend = new ChannelLegend;
    mChannelLegend->hide();
    connect(mChannelLegend, &ChannelLegend::browseStretchChosen, this, [this](int mode) {
        if (!mLayer.startsWith("browse:")) return;
        // Remembered per product, as a parameter's scale is: both maps, and the next scene, show it so.
        QSettings().setValue("browseStretch/" + mLayer.section(':', 1).toUpper(), mode);
        showLayer(mLayer);
        if (sideBySide() && mLinked->layer() == mLayer) showLinkedLayer();
    });
    mapLayout->addWidget(mChannelLegend);
    // The map and, with View › Side by side, a second map linked to it.
    auto* maps = new QSplitter(Qt::Horizontal);
    maps->setObjectName("mapSplitter");
    maps->addWidget(mapArea);
    maps->addWidget(mLinked);
    mLinked->hide();
    LinkedMapView::link(mSceneView, mLinked->view());
    for (SceneView* view : {mSceneView, mLinked->view()}) connect(view, &SceneView::resized, this, &MainWindow::refitMapsIfFitted);
    connect(mLinked, &LinkedMapView::layerChosen, this, &MainWindow::showLinkedLayer);
    connect(mLinked->view(), &SceneView::pixelHovered, this, &MainWindow::showHover);
    connect(mLinked->view(), &SceneView::pixelClicked, this,
            [this](QPoint pixel, Qt::KeyboardModifiers modifiers) { selectPixel(pixel, modifiers & Qt::ShiftModifier); });
    splitter->addWidget(maps);
    splitter->addWidget(mSpectrumPlot);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({700, 700});
    mTabs->setObjectName("mainTabs");
    mTabs->addTab(splitter, tr("Scene"));
    mTabs->addTab(mCubeView, tr("3D cube"));
    mTabs->addTab(mComparison, tr("Comparison"));
    connect(mCubeView, &CubeView::pixelPicked, this, [this](QPoint pixel) { selectPixel(pixel, false); });
    mTabs->setTabEnabled(mTabs->indexOf(mComparison), false); // until a prediction arrives
    setCentralWidget(mTabs);

    auto* toolbar = addToolBar(tr("Composite"));
    toolbar->setObjectName("compositeToolbar");
    toolbar->addWidget(mCompositeControls);
    toolbar->addSeparator();
    toolbar->addWidget(mCompositeLabel);
    auto* fit = toolbar->addAction(tr("Fit"), this, &MainWindow::fitMaps);
    fit->setShortcut(Qt::Key_0);
    fit->setToolTip(tr("Fit the scene to the window (0). Wheel zooms, drag pans."));
    toolbar->addAction(tr("Clear spectra"), this, [this] {
        mSelected.clear(); // the clicked pixels; ROI spectra and their ratio stay with the ROIs
        mSceneView->clearMarkers();
        refreshSpectra();
    })->setObjectName("clearSpectra");
    addToolBarBreak(); // the model row gets its own line: the overlay controls need the room
    auto* modelBar = addToolBar(tr("Model"));
    modelBar->setObjectName("modelToolbar");
    mPredictAction = modelBar->addAction(tr("Predict carbonates"), this, [this] { predictCarbonates(); });
    mPredictAction->setObjectName("predictCarbonates");
    mPredictAction->setToolTip(tr("Run a trained model on the open scene and compare its prediction with the scene's own parameters"));
    mPredictAction->setEnabled(false);
    modelBar->addAction(tr("Train…"), this, &MainWindow::openTrainingDialog)->setToolTip(tr("Train a U-Net or diffusion model on a dataset"));
    modelBar->addSeparator();
    modelBar->addWidget(mOverlay);
    connect(mOverlay, &CarbonateOverlay::overlayChanged, mSceneView, &SceneView::setOverlay);
    connect(mComparison, &ComparisonView::pixelSelected, this, [this](QPoint pixel) { selectPixel(pixel, false); });

    mHoverLabel->setObjectName("hoverReadout");
    mCompositeLabel->setObjectName("mapLabel");
    mHoverLabel->setText(tr("Click a pixel for its spectrum; shift-click to keep several."));
    statusBar()->addWidget(mHoverLabel, 1);
    // A message hides the readout beneath it, whenever it comes (QStatusBar hides only widgets already
    // visible: a message shown while the window opened was drawn over the readout).
    connect(statusBar(), &QStatusBar::messageChanged, mHoverLabel, [this](const QString& message) { mHoverLabel->setVisible(message.isEmpty()); });
    mProgress->setRange(0, 1000);
    mProgress->setMaximumWidth(220);
    mProgress->setVisible(false);
    mCancel->setText(tr("Cancel"));
    mCancel->setVisible(false);
    // What the clean-up changed, for as long as the scene is open (the status message goes after seconds).
    mCleanupReport = new QToolButton;
    mCleanupReport->setObjectName("cleanupReport");
    mCleanupReport->setAutoRaise(true);
    mCleanupReport->setVisible(false);
    connect(mCleanupReport, &QToolButton::clicked, this,
            [this] { QMessageBox::information(this, tr("Clean-up"), mCleanupReport->toolTip()); });
    statusBar()->addPermanentWidget(mCleanupReport);
    statusBar()->addPermanentWidget(mProgress);
    statusBar()->addPermanentWidget(mCancel);
    mPredictionProgress->setObjectName("predictionProgress");
    mPredictionProgress->setRange(0, 1000);
    mPredictionProgress->setMaximumWidth(260);
    mPredictionProgress->setVisible(false);
    mPredictionCancel->setObjectName("predictionCancel");
    mPredictionCancel->setText(tr("Cancel prediction"));
    mPredictionCancel->setVisible(false);
    statusBar()->addPermanentWidget(mPredictionProgress);
    statusBar()->addPermanentWidget(mPredictionCancel);
    connect(mPredictionCancel, &QToolButton::clicked, this, &MainWindow::cancelPrediction);
    connect(mCancel, &QToolButton::clicked, this, [this] {
        if (mTask) mTask->cancel();
    });

    connect(mSceneView, &SceneView::pixelHovered, this, &MainWindow::showHover);
    connect(mSceneView, &SceneView::pixelClicked, this,
            [this](QPoint pixel, Qt::KeyboardModifiers modifiers) { selectPixel(pixel, modifiers & Qt::ShiftModifier); });
    connect(mCompositeControls, &CompositeControls::changed, this,
            [this] {
                rememberComposite(); // the scene opens with this composite next time
                renderComposite(mCompositeControls->channels(), mCompositeControls->stretch());
            });
    connect(mCompositeControls, &CompositeControls::resetRequested, this, [this] {
        if (!mCube) return;
        QSettings().remove(compositeKey(mCube->metadata().productId));
        renderComposite(defaultRgbChannels(mCube->wavelengthsNm()), Stretch{});
    });

    mParametersDock = new QDockWidget(tr("Parameters"), this);
    mParametersDock->setObjectName("parametersDock");
    mParametersDock->setWidget(mParametersPanel);
    addDockWidget(Qt::RightDockWidgetArea, mParametersDock);
    auto* roiDock = new QDockWidget(tr("ROIs"), this);
    roiDock->setObjectName("roiDock");
    roiDock->setWidget(mRoiPanel);
    addDockWidget(Qt::RightDockWidgetArea, roiDock);
    tabifyDockWidget(mParametersDock, roiDock);
    mParametersDock->raise();
    connectRoiPanel();

    mInputsDock = new QDockWidget(tr("Model inputs"), this);
    mInputsDock->setObjectName("inputsDock");
    mInputsDock->setWidget(mInputsPanel);
    addDockWidget(Qt::BottomDockWidgetArea, mInputsDock);
    connect(mParametersPanel, &ParametersPanel::layerChosen, this, &MainWindow::showLayer);

    mSceneLibraryDock = new QDockWidget(tr("Scene library"), this);
    mSceneLibraryDock->setObjectName("sceneLibraryDock");
    mSceneLibraryDock->setWidget(mSceneLibrary);
    addDockWidget(Qt::RightDockWidgetArea, mSceneLibraryDock);
    tabifyDockWidget(mParametersDock, mSceneLibraryDock); // a tab beside Parameters and ROIs: the map keeps its room
    mParametersDock->raise();
    connect(mSceneLibrary, &SceneLibrary::openRequested, this, &MainWindow::openScene);
    // Reading every scene of a folder for its thumbnail is work for when the library is looked at, not
    // for every start of the program.
    connect(mSceneLibraryDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible) fillSceneLibrary();
    });

    try {
        mLibrary = bundledSpectralLibrary();
        QStringList names, kinds;
        for (const LibrarySpectrum& l : mLibrary) {
            names << QString::fromStdString(l.name);
            kinds << QString::fromStdString(l.kind);
        }
        mSpectrumPlot->setLibraryNames(names, kinds);
    } catch (const std::exception& e) {
        spdlog::warn("no spectral library: {}", e.what());
    }
    connect(mSpectrumPlot, &SpectrumPlot::libraryToggled, this, &MainWindow::showLibrarySpectrum);
    auto* matchDock = new QDockWidget(tr("Library matches"), this);
    matchDock->setObjectName("libraryMatchDock");
    matchDock->setWidget(mMatchPanel);
    addDockWidget(Qt::RightDockWidgetArea, matchDock);
    tabifyDockWidget(mParametersDock, matchDock);
    mParametersDock->raise(); // the tab in front at first start
    connect(mMatchPanel, &LibraryMatchPanel::rangeChanged, this, &MainWindow::matchLibrary);
    connect(mMatchPanel, &LibraryMatchPanel::showRequested, this, [this](const QString& name, bool shown) {
        for (std::size_t i = 0; i < mLibrary.size(); ++i)
            if (QString::fromStdString(mLibrary[i].name) == name) mSpectrumPlot->setLibrarySpectrumShown(static_cast<int>(i), shown);
    });

    buildMenus();
    try {
        loadFilterCurves(QString::fromStdString(resourcePath("cassis/cassis_filter_response_on_crism_grid.csv")));
    } catch (const std::exception& e) {
        spdlog::warn("no CaSSIS filter curves: {}", e.what());
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open scene..."), QKeySequence::Open, this, &MainWindow::chooseAndOpen);
    mRecentMenu = file->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    file->addAction(tr("Open s&ample scene"), this, &MainWindow::openSampleScene)
        ->setToolTip(tr("A synthetic 256 × 256 scene of Jezero crater with Mg-carbonate, its true abundances beside it (made once, ~3 s)"));
    file->addSeparator();
    file->addAction(tr("Load &filter curves..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Filter response table"), {},
                                                          tr("Tables (*.csv *.txt *.tab);;All files (*)"));
        if (!path.isEmpty()) loadFilterCurves(path);
    });
    file->addSeparator();
    file->addAction(tr("Export map layer as &GeoTIFF..."), this, [this] { chooseExport(true); })->setObjectName("exportLayer");
    file->addAction(tr("Export &spectra as CSV..."), this, [this] { chooseExport(false); })->setObjectName("exportSpectra");
    file->addAction(tr("Export map &figure (PNG, SVG, PDF)..."), this, [this] { chooseFigureExport(false); })->setObjectName("exportFigure");
    file->addAction(tr("Export second map figure (PNG, SVG, PDF)..."), this, [this] { chooseFigureExport(true); })->setObjectName("exportSecondFigure");
    file->addAction(tr("Export spectrum &plot (PNG, SVG, PDF)..."), mSpectrumPlot, &SpectrumPlot::chooseFigureFile)->setObjectName("exportPlot");
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    // Clean-up before spectra and parameters: a step toggled re-reads the open scene with it.
    QMenu* sceneMenu = menuBar()->addMenu(tr("&Scene"));
    sceneMenu->setObjectName("sceneMenu");
    const auto cleanupStep = [&](const QString& text, const QString& name, const QString& tip) {
        QAction* action = sceneMenu->addAction(text);
        action->setObjectName(name);
        action->setCheckable(true);
        action->setChecked(QSettings().value("cleanup/" + name, false).toBool());
        action->setToolTip(tip);
        connect(action, &QAction::toggled, this, [this, name](bool on) {
            QSettings().setValue("cleanup/" + name, on);
            // A scene being read is read again with the new choice when it arrives (see openSceneFrom).
            if (!mSceneLoading && mCube) rereadScene();
        });
        return action;
    };
    mRemoveSpikesAction = cleanupStep(tr("Remove &spikes"), "removeSpikes",
                                      tr("Put isolated one- or two-channel spikes (detector spikes, cosmic rays) back on the line between their "
                                         "neighbouring channels, judged against the 3 × 3 neighbourhood (the scene is read again)"));
    mDestripeAction = cleanupStep(tr("&Destripe columns"), "destripe",
                                  tr("Divide out each detector column's gain per band (the column-median ratio; for TRR3 in sensor geometry; the "
                                     "scene is read again)"));
    sceneMenu->menuAction()->setToolTip(tr("Clean-up applied when a scene is read"));
    QMenu* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(mPredictAction);
    model->addAction(tr("&Train a model…"), this, &MainWindow::openTrainingDialog)->setObjectName("trainModel");

    // Every dock and toolbar can be closed; here they come back.
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName("viewMenu");
    mSideBySideAction = view->addAction(tr("&Side by side (second map)"), this, &MainWindow::setSideBySide);
    mSideBySideAction->setObjectName("sideBySide");
    mSideBySideAction->setCheckable(true);
    mSideBySideAction->setShortcut(Qt::Key_F2);
    mSideBySideAction->setToolTip(tr("A second map beside the first — any layer — with zoom, pan and cursor linked"));
    mLiveSpectrumAction = view->addAction(tr("&Live spectrum under the cursor"), this, [this](bool on) {
        QSettings().setValue("view/liveSpectrum", on);
        if (!on) mSpectrumPlot->clearLiveSpectrum();
    });
    mLiveSpectrumAction->setObjectName("liveSpectrum");
    mLiveSpectrumAction->setCheckable(true);
    mLiveSpectrumAction->setChecked(QSettings().value("view/liveSpectrum", false).toBool());
    mLiveSpectrumAction->setShortcut(Qt::Key_F3);
    mLiveSpectrumAction->setToolTip(tr("The spectrum of the pixel under the cursor, in grey, beside the clicked ones (a Z-profile)"));
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setObjectName("show_" + dock->objectName());
        view->addAction(toggle);
    }
    view->addSeparator();
    for (QToolBar* bar : findChildren<QToolBar*>()) {
        QAction* toggle = bar->toggleViewAction();
        toggle->setText(tr("%1 toolbar").arg(bar->windowTitle()));
        view->addAction(toggle);
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard and mouse"), this, [this] {
        QList<QAction*> actions;
        for (QMenu* menu : menuBar()->findChildren<QMenu*>()) actions += menu->actions();
        for (QToolBar* bar : findChildren<QToolBar*>()) actions += bar->actions();
        QList<QAction*> unique;
        for (QAction* a : actions)
            if (!unique.contains(a)) unique << a;
        showKeyboardAndMouse(this, unique);
    })->setObjectName("keyboardAndMouse");
    help->addAction(tr("&Model cards"), this, [this] { showModelCards(this); })->setObjectName("modelCards");
    help->addSeparator();
    help->addAction(tr("&About Jezero"), this, [this] {
        QMessageBox::about(this, tr("About Jezero"),
                           tr("<h3>Jezero %1</h3><p>A workstation for CRISM hyperspectral scenes: spectra, summary parameters, "
                              "CaSSIS-like model inputs, and models that predict carbonate-related CRISM products from CaSSIS-like colour.</p>"
                              "<p><b>What the shipped models can do</b> is in their model cards (shown in Predict carbonates) and in "
                              "<code>%2</code>: the carbonate-probability model has weak, context-driven skill — a map of where to look, "
                              "not a detector.</p><p>Training and prediction run on the CPU unless this build links a CUDA LibTorch "
                              "(<code>jezero-cli devices</code>); <code>tools/gpu-check</code> compares a GPU with the CPU (README).</p>")
                               .arg(QStringLiteral(JEZERO_VERSION),
                                    QString::fromStdString(resourcePath("models/MODEL_CARD.md")).toHtmlEscaped()));
    })->setObjectName("aboutJezero");
}

void MainWindow::rebuildRecentMenu() {
    mRecentMenu->clear();
    const QStringList files = RecentPaths::scenes().list();
    for (const QString& path : files)
        mRecentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { openScene(path); })->setToolTip(path);
    if (!files.isEmpty()) {
        mRecentMenu->addSeparator();
        mRecentMenu->addAction(tr("Clear list"), this, [this] {
            RecentPaths::scenes().clear();
            rebuildRecentMenu();
        });
    }
    mRecentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::rereadScene() {
    // The same scene read again, its last clicked pixel shown again (to see what a clean-up step did).
    const std::string file = mCube->metadata().sourcePath;
    const QPoint pixel = mSelected.empty() ? QPoint(-1, -1) : mSelected.back();
    openSceneFrom(QFileInfo(QString::fromStdString(file)).fileName(), [file, pixel](TaskControl&) { return std::make_pair(file, pixel); });
}

CleanupChoice MainWindow::cleanupChoice() const {
    return {mRemoveSpikesAction && mRemoveSpikesAction->isChecked(), mDestripeAction && mDestripeAction->isChecked()};
}

void MainWindow::chooseAndOpen() {
    const QString start = mCube ? QFileInfo(QString::fromStdString(mCube->metadata().sourcePath)).absolutePath() : QString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open CRISM scene"), start, tr(kSceneFilter));
    if (!path.isEmpty()) openScene(path);
}

void MainWindow::loadFilterCurves(const QString& path) {
    try {
        mFilters = readFilterSet(path.toStdString());
        mSpectrumPlot->setFilters(mFilters);
        mComparison->spectrumPlot()->setFilters(mFilters);
        mInputsPanel->setFilters(mFilters);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::openScene(const QString& path) {
    const std::string file = path.toStdString();
    openSceneFrom(QFileInfo(path).fileName(), [file](TaskControl&) { return std::make_pair(file, QPoint(-1, -1)); });
}

void MainWindow::openSampleScene() {
    const std::string dir = defaultDataFolder("sample").toStdString();
    openSceneFrom(tr("the sample scene"), [dir](TaskControl& control) {
        const io::SampleScene sample = io::ensureSampleScene(dir, &control);
        return std::make_pair(sample.path, QPoint(sample.pixelX, sample.pixelY));
    });
}

void MainWindow::openSceneFrom(const QString& what, std::function<std::pair<std::string, QPoint>(TaskControl&)> locate) {
    if (mTask) mTask->cancel();
    const CleanupChoice cleanup = cleanupChoice();
    auto task = std::make_shared<Task<LoadedScene>>("open " + what.toStdString(), [locate, cleanup](TaskControl& control) {
        LoadedScene scene;
        std::tie(scene.path, scene.pixel) = locate(control);
        auto cube = std::make_shared<SpectralCube>(io::readScene(scene.path, {}, &control));
        if (cube->metadata().filterNames.empty()) scene.cleanup = cleanScene(*cube, cleanup, &control); // a filter image has none of this
        const auto remembered = rememberedComposite(cube->metadata().productId);
        if (remembered) scene.stretch = remembered->second;
        scene.composite = jezero::renderComposite(*cube, remembered ? remembered->first : defaultRgbChannels(cube->wavelengthsNm()), scene.stretch, &control);
        scene.cube = std::move(cube);
        return scene;
    });
    const int generation = ++mCompositeGeneration;
    const int request = ++mSceneRequests;
    mSceneLoading = true;
    BackgroundTask* runner = BackgroundTask::start(task, this);
    connect(runner, &BackgroundTask::succeeded, this, [this, task, generation, request, cleanup] {
        if (request == mSceneRequests) mSceneLoading = false;
        if (generation != mCompositeGeneration) return; // a newer request superseded this one
        LoadedScene& scene = task->result();
        const QString path = QString::fromStdString(scene.path);
        mCube = scene.cube;
        mParameterMaps.reset();
        // What the maps showed belongs to the old scene: no figure of it under the new scene's name.
        mComposite = {};
        mLinkedComposite = {};
        mLinkedLabel.clear();
        if (mParameterTask) mParameterTask->cancel(); // the old scene's maps are not wanted any more
        mParameterTask = nullptr;
        // A filter image (CaSSIS) has no parameters: its maps and pixel values are no data, said as such.
        mPixelParameters = isFilterImage(mCube->metadata()) ? nullptr : std::make_shared<const SummaryParameters>(mCube->wavelengthsNm());
        mSelected.clear();
        mSceneView->clearMarkers();
        cancelRoiMeasurements();
        mRois.clear();
        mRoiSpectra.clear();
        mRatio.reset();
        matchLibrary(); // nothing selected in the new scene (no pixel, no ROI of the old one): says so
        for (auto& [index, resampled] : mLibraryShown) resampled.clear(); // resampled again for this scene
        if (QFileInfo::exists(roiSidecarPath())) {
            try {
                loadRois(roiSidecarPath()); // ROIs saved with the scene come back with it
            } catch (const std::exception& e) {
                spdlog::warn("{}", e.what());
            }
        }
        refreshRois();
        mOverlay->clearSources();
        mPredictAction->setEnabled(!isPredicting());
        mTabs->setTabEnabled(mTabs->indexOf(mComparison), false); // the comparison was of the scene before
        mComparison->clearSelectedPixel();
        mComparison->setGeolocator(nullptr); // it pointed into the scene before
        if (mTabs->currentWidget() == mComparison) mTabs->setCurrentIndex(0);
        const BadBands badBands = BadBands::forScene(mCube->metadata());
        mSpectrumPlot->setBadBands(badBands);
        mComparison->spectrumPlot()->setBadBands(badBands);
        mCubeView->setScene(mCube, scene.composite);
        mParametersPanel->clearPixel();
        mInputsPanel->setScene(mCube);
        mCompositeControls->setScene(mCube->wavelengthsNm(), scene.composite.rgb, scene.stretch);
        QStringList steps;
        if (cleanup.removeSpikes && !scene.cleanup.empty()) steps << tr("spikes removed");
        if (cleanup.destripe && !scene.cleanup.empty()) steps << tr("destriped");
        setWindowTitle(QString("Jezero — %1%2").arg(QString::fromStdString(mCube->metadata().productId), steps.isEmpty() ? QString() : " (" + steps.join(", ") + ")"));
        RecentPaths::scenes().add(path);
        rebuildRecentMenu();
        showComposite(scene.composite, false);
        if (mLayer != "composite") showLayer(mLayer);
        if (!mLinked->isHidden()) showLinkedLayer(); // the second map shows the new scene too
        QString cleaned;
        QStringList report;
        for (const std::string& line : scene.cleanup) {
            spdlog::info("{}: {}", scene.path, line);
            cleaned += "; " + QString::fromStdString(line);
            report << QString::fromStdString(line);
        }
        mCleanupReport->setText(tr("Cleaned: %1").arg(steps.join(", ")));
        mCleanupReport->setToolTip(report.join("\n"));
        mCleanupReport->setVisible(!report.isEmpty());
        statusBar()->showMessage(tr("Opened %1: %2 × %3 pixels, %4 channels, %5–%6 nm%7")
                                     .arg(QFileInfo(path).fileName())
                                     .arg(mCube->width())
                                     .arg(mCube->height())
                                     .arg(mCube->bands())
                                     .arg(mCube->wavelengthsNm().front(), 0, 'f', 1)
                                     .arg(mCube->wavelengthsNm().back(), 0, 'f', 1)
                                     .arg(cleaned),
                                 cleaned.isEmpty() ? 8000 : 20000);
        if (scene.pixel.x() >= 0 && mCube->contains(scene.pixel.x(), scene.pixel.y())) selectPixel(scene.pixel, false);
        emit sceneShown();
        if (cleanupChoice() != cleanup) rereadScene(); // a step was toggled while it was being read
    });
    connect(runner, &BackgroundTask::failed, this, [this, generation, request](const QString& error) {
        if (request == mSceneRequests) mSceneLoading = false;
        if (generation != mCompositeGeneration) return;
        showError(error);
        emit sceneFailed(error);
    });
    trackTask(runner, tr("Opening %1").arg(what));
}

void MainWindow::renderComposite(const RgbChannels& rgb, const Stretch& stretch) {
    if (!mCube) return;
    auto cube = mCube;
    auto task = std::make_shared<Task<CompositeImage>>("composite", [cube, rgb, stretch](TaskControl& control) {
        return jezero::renderComposite(*cube, rgb, stretch, &control);
    });
    const int generation = ++mCompositeGeneration;
    BackgroundTask* runner = BackgroundTask::start(task, this);
    connect(runner, &BackgroundTask::succeeded, this, [this, task, generation, stretch] {
        if (generation != mCompositeGeneration) return;
        mCompositeControls->setScene(mCube->wavelengthsNm(), task->result().rgb, stretch);
        showComposite(task->result(), true);
    });
    connect(runner, &BackgroundTask::failed, this, &MainWindow::showError);
    trackTask(runner, tr("Building composite"));
}

void MainWindow::showComposite(const CompositeImage& composite, bool keepView) {
    mLastComposite = composite;
    if (!mLinked->isHidden() && mLinked->layer() == "composite") showLinkedLayer();
    if (mLayer != "composite") return; // a parameter layer is shown; the composite waits its turn
    QStringList parts;
    for (const ChannelRange& c : composite.channels) parts << QString::number(mCube->wavelengthsNm()[c.band], 'f', 0);
    showMapImage(composite, keepView, tr("%1: %2 nm").arg(QString::fromStdString(composite.rgb.name), parts.join(" / ")));
}

QStringList MainWindow::channelNames(const QString& layerId, const CompositeImage& image) const {
    QStringList names;
    for (const ChannelRange& c : image.channels) {
        const auto band = static_cast<std::size_t>(c.band);
        if (layerId == "composite")
            names << (mCube && band < mCube->wavelengthsNm().size() ? tr("I/F %1 nm").arg(mCube->wavelengthsNm()[band], 0, 'f', 0) : QString());
        else
            names << (mParameterMaps && band < mParameterMaps->channelNames.size() ? QString::fromStdString(mParameterMaps->channelNames[band]) : QString());
    }
    return names;
}

void MainWindow::showMapImage(const CompositeImage& image, bool keepView, const QString& label) {
    mComposite = image;
    mSceneView->setImage(toQImage(image), keepView);
    mCompositeLabel->setText("  " + label + "  ");
    mFirstMapHeader->setText(tr("First map: %1").arg(label));
    // A three-channel map says what each colour shows and between which values (a parameter map has
    // its colour bar instead).
    if (mLayer.startsWith("param:")) {
        mChannelLegend->hide();
    } else {
        mChannelLegend->setChannels(channelNames(mLayer, image), image.channels);
        mChannelLegend->showBrowseStretch(mLayer.startsWith("browse:"),
                                          QSettings().value("browseStretch/" + mLayer.section(':', 1).toUpper(), ChannelLegend::CrismStandard).toInt());
        mChannelLegend->show();
    }
    emit compositeShown();
}

bool MainWindow::ensureParameterMaps() {
    if (!mCube) return false;
    if (!mParameterMaps && !mPixelParameters) { // a filter image: every parameter is no data
        auto none = std::make_shared<ImageStack>(mCube->width(), mCube->height(), summaryParameterNames());
        std::fill(none->values.begin(), none->values.end(), std::numeric_limits<float>::quiet_NaN());
        mParameterMaps = none;
    }
    if (!mParameterMaps) {
        // All 56 parameters once per scene (seconds for a full MTRDR cube), then any layer is instant.
        // While they are computed, a newer choice only changes mLayer, which is shown when they arrive.
        if (mParameterTask) return false;
        auto cube = mCube;
        auto parameters = mPixelParameters;
        auto task = std::make_shared<Task<std::shared_ptr<const ImageStack>>>("summary parameters", [cube, parameters](TaskControl& control) {
            return std::make_shared<const ImageStack>(parameters->compute(*cube, &control));
        });
        auto* runner = BackgroundTask::start(task, this);
        connect(runner, &BackgroundTask::succeeded, this, [this, task, cube] {
            if (cube != mCube) return; // another scene was opened meanwhile
            mParameterMaps = task->result();
            const int carbonate = carbonateChannel(mParameterMaps->channelNames);
            if (carbonate >= 0) {
                const std::string name = mParameterMaps->channelNames[carbonate];
                mOverlay->setSource(tr("Scene %1").arg(QString::fromStdString(name)), selectChannels(*mParameterMaps, {name}), kCarbonateThreshold);
            }
            if (!mLinked->isHidden()) showLinkedLayer();
            showLayer(mLayer); // last: its compositeShown says both maps are drawn
        });
        connect(runner, &BackgroundTask::failed, this, &MainWindow::showError);
        mParameterTask = runner;
        trackTask(runner, tr("Computing summary parameters"));
        return false;
    }
    return true;
}

void MainWindow::showLayer(const QString& id) {
    spdlog::debug("map layer {}", id.toStdString());
    mLayer = id;
    QSettings().setValue("map/layer", id); // the next session without a scene argument reopens on it
    mCompositeControls->setEnabled(mCube && id == "composite");
    if (!id.startsWith("param:")) mMapScale->hide();
    if (!mCube) return;
    if (id == "composite") {
        renderComposite(mCompositeControls->channels(), mCompositeControls->stretch());
        return;
    }
    if (!ensureParameterMaps()) return; // shown when they arrive
    const QString name = id.section(':', 1);
    // A parameter the scene's wavelengths cannot give (CAR of a VNIR-only TRR3) is all no data: say so
    // instead of showing a blank map without a word.
    const auto noValues = [this](const std::vector<std::string>& parameters) {
        QStringList missing;
        for (const auto& p : parameters) {
            const int c = mParameterMaps->channelIndex(p);
            bool any = false;
            for (std::size_t i = static_cast<std::size_t>(c); i < mParameterMaps->values.size() && !any; i += mParameterMaps->channels())
                any = std::isfinite(mParameterMaps->values[i]);
            if (!any) missing << QString::fromStdString(p);
        }
        if (missing.isEmpty()) {
            if (statusBar()->currentMessage().contains(tr("no values"))) statusBar()->clearMessage();
            return QString();
        }
        const QString message = missing.size() == 1 ? tr("%1: no values — this scene lacks the wavelengths it needs").arg(missing.front())
                                                    : tr("%1: no values — this scene lacks the wavelengths they need").arg(missing.join(", "));
        statusBar()->showMessage(message); // stays while the layer is shown
        return "  — " + message;
    };
    try {
        const MapScale scale = id.startsWith("param:") ? mMapScale->scaleFor(name, *mParameterMaps, mParameterMaps->channelIndex(name.toStdString()))
                                                      : MapScale{};
        mShownScale = scale; // what the figure's colour bar shows (not the spin boxes' rounded limits)
        const auto [image, label] = layerImage(id, scale);
        showMapImage(image, true, label + noValues(layerParameters(id)));
        if (id.startsWith("param:")) mMapScale->show();
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

std::vector<std::string> MainWindow::layerParameters(const QString& id) {
    const std::string name = id.section(':', 1).toStdString();
    if (id.startsWith("browse:")) {
        const BrowseProduct product = browseProduct(name);
        return {product.parameters.begin(), product.parameters.end()};
    }
    return {name};
}

BrowseProduct MainWindow::stretchedBrowseProduct(const QString& name) {
    const BrowseProduct product = browseProduct(name.toStdString());
    switch (QSettings().value("browseStretch/" + name.toUpper(), ChannelLegend::CrismStandard).toInt()) {
    case ChannelLegend::Percent2: return withPercentileStretch(product, 2, 98);
    case ChannelLegend::Percent01: return withPercentileStretch(product, 0.1, 99.9);
    default: return product;
    }
}

std::pair<CompositeImage, QString> MainWindow::layerImage(const QString& id, const MapScale& scale) const {
    const QString name = id.section(':', 1);
    if (id.startsWith("browse:")) {
        const BrowseProduct product = stretchedBrowseProduct(name);
        return {renderBrowse(*mParameterMaps, product),
                tr("%1 browse: %2 / %3 / %4").arg(name, QString::fromStdString(product.parameters[0]), QString::fromStdString(product.parameters[1]),
                                                  QString::fromStdString(product.parameters[2]))};
    }
    const int channel = mParameterMaps->channelIndex(name.toStdString());
    return {renderScalarMap(*mParameterMaps, channel, scale, name.toStdString()),
            tr("%1 (%2 … %3, %4)").arg(name).arg(scale.low, 0, 'g', 4).arg(scale.high, 0, 'g', 4).arg(QString::fromStdString(colourTableName(scale.table)))};
}

void MainWindow::selectPixel(QPoint pixel, bool keep) {
    if (!mCube || !mCube->contains(pixel.x(), pixel.y())) return;
    if (!keep) {
        mSelected.clear();
        mSceneView->clearMarkers();
    }
    const QColor colour = spectrumColour(mSelected.size());
    mSelected.push_back(pixel);
    mSceneView->addMarker(pixel, colour);
    refreshSpectra();
    if (mTabs->isTabEnabled(mTabs->indexOf(mComparison))) showPixelInComparison(pixel);
    mCubeView->setSelectedPixel(pixel);
    if (mPixelParameters)
        mParametersPanel->showPixel(pixel, mPixelParameters->names(), mPixelParameters->compute(mCube->spectrum(pixel.x(), pixel.y())));
    else
        mParametersPanel->showPixel(pixel, summaryParameterNames(), std::vector<float>(summaryParameterNames().size(), std::numeric_limits<float>::quiet_NaN()));
    if (mMatchPanel->subject() == 0) matchLibrary(); // an ROI chosen as the subject stays so
}

void MainWindow::showPixelInComparison(QPoint pixel) {
    if (!mCube || !mCube->contains(pixel.x(), pixel.y())) return;
    mComparison->selectPixel(pixel);
    SpectrumPlot* plot = mComparison->spectrumPlot();
    plot->clearSpectra();
    plot->addSpectrum(tr("pixel %1, %2").arg(pixel.x()).arg(pixel.y()), mCube->wavelengthsNm(), mCube->spectrum(pixel.x(), pixel.y()),
                      spectrumColour(0));
}

void MainWindow::showHover(QPoint pixel) {
    // Outside the scene: also a map still showing the scene before (a smaller one's layer is computing).
    if (!mCube || !mCube->contains(pixel.x(), pixel.y())) {
        mHoverLabel->clear();
        mSpectrumPlot->clearLiveSpectrum();
        return;
    }
    if (mLiveSpectrumAction->isChecked()) mSpectrumPlot->setLiveSpectrum(mCube->wavelengthsNm(), mCube->spectrum(pixel.x(), pixel.y()));
    QString text = tr("x %1, y %2").arg(pixel.x()).arg(pixel.y());
    if (const PixelGeolocator* geo = mCube->geolocator()) {
        if (auto ll = geo->latLon(pixel.x() + 0.5, pixel.y() + 0.5))
            text += tr("   lat %1°, lon %2°").arg(ll->latitudeDeg, 0, 'f', 4).arg(ll->longitudeDeg, 0, 'f', 4);
    }
    QStringList values;
    const bool layer = mLayer != "composite" && mParameterMaps;
    const char* names[3] = {"R", "G", "B"};
    for (int c = 0; c < 3; ++c) {
        const int band = mComposite.channels[c].band;
        const float v = layer ? mParameterMaps->at(pixel.x(), pixel.y(), band) : mCube->value(pixel.x(), pixel.y(), band);
        const QString name = layer ? QString::fromStdString(mParameterMaps->channelNames[band]) : names[c];
        const QString shown = QString("%1 %2").arg(name, std::isnan(v) ? QString("no data") : QString::number(v, 'g', 4));
        if (!values.contains(shown)) values << shown;
    }
    mHoverLabel->setText(text + (layer ? "   " : "   I/F ") + values.join("  "));
}

bool MainWindow::isComputingParameters() const { return !mParameterTask.isNull(); }
bool MainWindow::isBusy() const { return !mTask.isNull() || !mParameterTask.isNull() || mCompositeControls->hasPendingChange(); }

void MainWindow::trackTask(BackgroundTask* task, const QString& what) {
    mTask = task;
    mProgress->setValue(0);
    mProgress->setFormat(what + " %p%");
    mProgress->setVisible(true);
    mCancel->setVisible(true);
    connect(task, &BackgroundTask::progressChanged, this, [this, task](double fraction) {
        if (mTask == task) mProgress->setValue(static_cast<int>(fraction * 1000));
    });
    connect(task, &BackgroundTask::finished, this, [this, task] {
        if (mTask != task) return;
        mProgress->setVisible(false);
        mCancel->setVisible(false);
    });
    connect(task, &BackgroundTask::canceled, this, [this] { statusBar()->showMessage(tr("Canceled"), 4000); });
}

void MainWindow::showError(const QString& message) {
    spdlog::error("{}", message.toStdString());
    statusBar()->showMessage(message, 15000);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Jezero"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName("errorMessage");
    box->open(); // not exec(): the window keeps running
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            openScene(url.toLocalFile());
            event->acceptProposedAction();
            return;
        }
    }
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (mDocksSized) return;
    mDocksSized = true; // docks take their share only once the window has its size
    resizeDocks({mParametersDock}, {mParametersPanel->sizeHint().width()}, Qt::Horizontal);
    // A strip of thumbnails: a sixth of the window at most, so the maps and the comparison keep the height.
    resizeDocks({mInputsDock}, {std::min(mInputsPanel->sizeHint().height(), height() / 6)}, Qt::Vertical);
    // On a laptop screen the Model inputs strip would take a quarter of the height from the maps and the
    // comparison: it starts closed there (View › Model inputs opens it).
    if (const QScreen* shown = screen(); shown && shown->availableGeometry().height() < 900) mInputsDock->hide();
    // The last session's layout, when there was one, wins over the defaults above.
    const QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
}

void MainWindow::fillSceneLibrary() {
    if (!mSceneLibrary->folder().isEmpty()) return;
    QString folder = QSettings().value("library/folder").toString();
    if (folder.isEmpty() || !QFileInfo(folder).isDir()) {
        try {
            folder = QString::fromStdString(resourcePath("crism")); // the bundled samples
        } catch (const std::exception&) {
        }
    }
    if (!folder.isEmpty()) mSceneLibrary->setFolder(folder);
}

void MainWindow::rememberComposite() const {
    if (!mCube) return;
    const RgbChannels rgb = mCompositeControls->channels();
    const Stretch stretch = mCompositeControls->stretch();
    QSettings().setValue(compositeKey(mCube->metadata().productId),
                         QVariantList{rgb.wavelengthsNm[0], rgb.wavelengthsNm[1], rgb.wavelengthsNm[2], stretch.lowPercent, stretch.highPercent});
}



void MainWindow::cancelBackgroundWork() {
    if (mTask) mTask->cancel();
    if (mParameterTask) mParameterTask->cancel();
    cancelRoiMeasurements();
    mSceneLibrary->cancelScan();
    cancelPrediction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmQuitWhileTraining()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    cancelBackgroundWork();
    QMainWindow::closeEvent(event);
}

} // namespace jezero::ui
