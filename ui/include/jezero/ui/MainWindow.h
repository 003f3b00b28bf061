#pragma once
// The workstation window: scene view with its composite controls, the spectrum panel, File menu
// (open, recent, drag and drop), status bar with hover readout and background-work progress.
#include "jezero/core/ColourMap.h"
#include "jezero/core/Composite.h"
#include "jezero/core/CubeCleanup.h"
#include "jezero/core/FilterResponse.h"
#include "jezero/core/ImageStack.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SpectralLibrary.h"
#include "jezero/core/SpectralCube.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/ui/MapFigure.h"

#include <QMainWindow>
#include <QPoint>
#include <QPointer>

#include <functional>
#include <string>
#include <utility>

#include <map>
#include <memory>
#include <optional>

class QAction;
class QJsonObject;
class QLabel;
class QDockWidget;
class QMenu;
class QProgressBar;
class QTabWidget;
class QToolButton;

namespace jezero {
class TaskControl;
struct BrowseProduct;
}

namespace jezero::ui {

class BackgroundTask;
class CarbonateOverlay;
class ChannelLegend;
class CliProcess;
class ComparisonView;
class CompositeControls;
class CubeView;
class SceneLibrary;
class TrainingDialog;
class InputsPanel;
class LibraryMatchPanel;
class LinkedMapView;
class MapScaleBar;
class ParametersPanel;
class RoiPanel;
class SceneView;
class SpectrumPlot;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Reads the scene off the GUI thread; sceneShown() or sceneFailed() follows.
    void openScene(const QString& path);
    // The sample scene (io::ensureSampleScene in the user's data folder, made at first use), opened
    // with its carbonate-rich pixel's spectrum shown: what a first start shows.
    void openSampleScene();
    // Shows the spectrum of pixel; keep adds it to those shown (shift-click) instead of replacing.
    void selectPixel(QPoint pixel, bool keep);

    const SpectralCube* cube() const { return mCube.get(); }
    SceneView* sceneView() const { return mSceneView; }
    SpectrumPlot* spectrumPlot() const { return mSpectrumPlot; }
    CompositeControls* compositeControls() const { return mCompositeControls; }
    ParametersPanel* parametersPanel() const { return mParametersPanel; }
    InputsPanel* inputsPanel() const { return mInputsPanel; }
    // What the map shows: "composite", "browse:FAL", "param:D2300" (see ParametersPanel).
    QString currentLayer() const { return mLayer; }
    // The image the map shows now (the composite or a parameter / browse layer), one pixel per scene pixel.
    const CompositeImage& shownMap() const { return mComposite; }
    RoiPanel* roiPanel() const { return mRoiPanel; }
    LibraryMatchPanel* libraryMatchPanel() const { return mMatchPanel; }
    MapScaleBar* mapScaleBar() const { return mMapScale; }
    ChannelLegend* channelLegend() const { return mChannelLegend; }
    const std::vector<Roi>& rois() const { return mRois; }
    // Adds an ROI (pixel coordinates) as if drawn; its name and colour are chosen here. Its statistics
    // are measured off the GUI thread and arrive a moment later (roisMeasured()).
    void addRoi(Roi::Shape shape, const std::vector<std::pair<double, double>>& vertices);
    // Whether every ROI's statistics have arrived.
    bool roisMeasured() const;
    // Plots mean(ROI numerator) ÷ mean(ROI denominator).
    void plotRatio(int numerator, int denominator);
    // Overlays library spectrum `index` (see SpectrumPlot's Library menu) resampled to the scene.
    void showLibrarySpectrum(int index, bool shown);
    // Saves / loads the scene's ROIs as GeoJSON (map coordinates when the scene has them). Throws Error.
    void saveRois(const QString& path) const;
    void loadRois(const QString& path);
    // The map layer now shown (composite: its three channels' I/F; a parameter; a browse product's three
    // parameters) as a GeoTIFF with the scene's georeference; the plot's spectra (selected pixels, ROI
    // mean and std) as CSV, one row per channel. Atomic; throw Error.
    void exportLayerGeoTiff(const QString& path) const;
    void exportSpectraCsv(const QString& path) const;
    // The map as shown, as a figure (.png, .svg or .pdf): title, the map, a parameter's colour bar or a
    // three-channel map's R/G/B key, and for a georeferenced scene a latitude/longitude grid, scale bar
    // and north arrow; secondMap: the second map of View › Side by side. Atomic; throws Error.
    MapFigureLayout exportMapFigure(const QString& path, bool secondMap = false) const;
    // Where the ROIs of the open scene are kept by default: <scene>.rois.geojson beside it.
    QString roiSidecarPath() const;
    // View › Side by side: a second map (any layer) beside the first, zoom, pan and cursor linked.
    void setSideBySide(bool on);
    bool sideBySide() const;
    // Fit (key 0): the whole scene in the map, and in the second map when it is shown.
    void fitMaps();
    LinkedMapView* linkedView() const { return mLinked; }

    // Work that can still change what the window shows: a scene being read, parameters being computed,
    // or a composite change waiting out the controls' debounce.
    bool isBusy() const;
    bool isComputingParameters() const; // the parameter maps a layer needs are still being computed
    // Asks all background work (scene reading, parameters, library scan, prediction) to stop: before the
    // program ends, which then waits for the thread pool.
    void cancelBackgroundWork();

    // Predict carbonates: the dialog to choose the model and settings (opened, not exec'd), then
    // jezero-cli predict in a child process; the result opens in the comparison view.
    // model preselects a checkpoint (a training run's "Use for prediction").
    void predictCarbonates(const QString& model = {});
    // The training dialog (one, non-modal): train, watch, cancel and resume runs from the window.
    void openTrainingDialog();
    // Before the window closes while a training run goes on: asks (a QMessageBox named
    // "quitDuringTraining"); on yes the run is asked to save latest.pt and stop. False: keep the window.
    bool confirmQuitWhileTraining();
    TrainingDialog* trainingDialog() const;
    void runPrediction(const QStringList& cliArguments, const QString& modelLabel);
    bool isPredicting() const;
    void cancelPrediction();
    QTabWidget* tabs() const { return mTabs; }
    ComparisonView* comparisonView() const { return mComparison; }
    CarbonateOverlay* carbonateOverlay() const { return mOverlay; }
    CubeView* cubeView() const { return mCubeView; }
    SceneLibrary* sceneLibrary() const { return mSceneLibrary; }

signals:
    void sceneShown();
    void sceneFailed(const QString& error);
    void compositeShown(); // any map image: the composite or a parameter/browse layer
    void predictionShown();
    void predictionFailed(const QString& error);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void buildMenus();
    void rebuildRecentMenu();
    void chooseAndOpen();
    // Reads the scene locate() names (run off the GUI thread first), then selects the pixel it gives, if any.
    void openSceneFrom(const QString& what, std::function<std::pair<std::string, QPoint>(TaskControl&)> locate);
    // The clean-up steps ticked in the Scene menu, run on every scene read.
    CleanupChoice cleanupChoice() const;
    // The open scene read again (with the clean-up steps ticked now), its last clicked pixel kept.
    void rereadScene();
    void chooseExport(bool layer);
    void chooseFigureExport(bool secondMap);
    // What each colour of a three-channel layer shows ("I/F 2529 nm", "R2529").
    QStringList channelNames(const QString& layerId, const CompositeImage& image) const;
    void loadFilterCurves(const QString& path);
    void renderComposite(const RgbChannels& rgb, const Stretch& stretch);
    // The composite the user chose for a scene is kept per product id; opening it renders that one.
    void rememberComposite() const;
    // Lists the last library folder (else the bundled samples) the first time the library is shown.
    void fillSceneLibrary();
    void showComposite(const CompositeImage& composite, bool keepView);
    void showLayer(const QString& id);
    void showLinkedLayer(); // the second map's layer (MainWindowLinkedView.cpp)
    bool mapsFitted() const;  // either map fitted and not zoomed or panned since
    void refitMapsIfFitted(); // after either map's size changed
    // The summary parameters of the scene, computed once (off the GUI thread): false while they are
    // being computed (both maps are redrawn when they arrive).
    bool ensureParameterMaps();
    // A browse or parameter layer drawn from the computed maps, with its caption.
    std::pair<CompositeImage, QString> layerImage(const QString& id, const MapScale& scale) const;
    // A browse product as its stretch was last chosen (CRISM's limits, or percentiles of its own values).
    static BrowseProduct stretchedBrowseProduct(const QString& name);
    static std::vector<std::string> layerParameters(const QString& id); // the parameters a layer shows
    void showMapImage(const CompositeImage& image, bool keepView, const QString& label);
    void connectRoiPanel();
    // Measures these ROIs of the open scene on a worker thread; each result goes to the ROI with its
    // outline when it arrives (MainWindowRois.cpp).
    void measureRois(std::vector<Roi> rois);
    void settleRois(const std::vector<Roi>& rois, const std::vector<RoiSpectrum>& spectra);
    void cancelRoiMeasurements();
    void refreshRois();
    void refreshSpectra();
    // Ranks the library against the last selected pixel off the GUI thread (MainWindowMatching.cpp).
    void matchLibrary();
    void showHover(QPoint pixel);
    // The comparison's marker, pixel table and spectrum for pixel.
    void showPixelInComparison(QPoint pixel);
    void trackTask(BackgroundTask* task, const QString& what);
    void showPrediction(const QString& path, const QJsonObject& done, const QString& modelLabel);
    void showError(const QString& message);

    SceneView* mSceneView;
    MapScaleBar* mMapScale; // under the map while it shows one parameter
    ChannelLegend* mChannelLegend; // under it while it shows three channels (composite, browse)
    SpectrumPlot* mSpectrumPlot;
    CompositeControls* mCompositeControls;
    QLabel* mHoverLabel;
    QLabel* mCompositeLabel;
    QLabel* mFirstMapHeader; // side by side: what the first map shows
    QToolButton* mCleanupReport; // the open scene's clean-up, in the status bar (its lines: the tooltip, and a click)
    QProgressBar* mProgress;
    QToolButton* mCancel;
    QMenu* mRecentMenu = nullptr;
    ParametersPanel* mParametersPanel;
    InputsPanel* mInputsPanel;
    RoiPanel* mRoiPanel;
    QDockWidget* mParametersDock;
    QDockWidget* mInputsDock;
    bool mDocksSized = false;

    std::shared_ptr<const SpectralCube> mCube;
    FilterSet mFilters;
    CompositeImage mComposite;        // what the map shows now
    CompositeImage mLastComposite;    // the scene's composite as last drawn (the second map may show it)
    CompositeImage mLinkedComposite;  // what the second map shows now, and its layer's label
    QString mLinkedLabel;
    MapScale mShownScale;             // the scale the map's parameter layer was drawn with
    QString mLayer = "composite";
    std::shared_ptr<const ImageStack> mParameterMaps;             // all 56, computed on first need
    QPointer<BackgroundTask> mParameterTask;                      // that computation while it runs
    std::shared_ptr<const SummaryParameters> mPixelParameters;    // bound to the scene's grid
    std::vector<QPoint> mSelected;
    std::vector<Roi> mRois;
    std::vector<RoiSpectrum> mRoiSpectra;      // one per ROI, same order; empty until measured (measureRois)
    std::vector<QPointer<BackgroundTask>> mRoiTasks; // ROI measurements running
    std::optional<std::pair<int, int>> mRatio; // numerator, denominator ROI
    std::vector<LibrarySpectrum> mLibrary;
    std::map<int, std::vector<double>> mLibraryShown; // index → resampled onto the open scene
    QPointer<BackgroundTask> mTask;
    int mCompositeGeneration = 0;
    int mSceneRequests = 0;     // scene reads asked for; the latest one's completion clears mSceneLoading
    bool mSceneLoading = false;
    int mMatchGeneration = 0; // a ranking of an older selection is dropped

    QTabWidget* mTabs;
    ComparisonView* mComparison;
    CubeView* mCubeView;
    LinkedMapView* mLinked;
    QAction* mSideBySideAction = nullptr;
    bool mRefitPending = false;
    QAction* mLiveSpectrumAction = nullptr; // View › Live spectrum under the cursor
    QAction* mRemoveSpikesAction = nullptr; // Scene › Remove spikes
    QAction* mDestripeAction = nullptr;     // Scene › Destripe columns
    SceneLibrary* mSceneLibrary;
    QDockWidget* mSceneLibraryDock;
    LibraryMatchPanel* mMatchPanel;
    CarbonateOverlay* mOverlay;
    CliProcess* mPrediction;
    QProgressBar* mPredictionProgress; // its own bar and Cancel: scene work may run beside a prediction
    QToolButton* mPredictionCancel;
    QAction* mPredictAction = nullptr;
    QPointer<TrainingDialog> mTrainingDialog;
};

} // namespace jezero::ui
