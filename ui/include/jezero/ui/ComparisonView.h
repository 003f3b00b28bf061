#pragma once
// A prediction beside its ground truth: input | ground truth | prediction | |error| | uncertainty — for a
// CaSSIS image: input | prediction at the model's scale | fused at the image's | what fusion changed | uncertainty —
// panned and zoomed together on one stretch, each with its colour key (a grey scale's limits, or what R, G
// and B show), with the per-image metrics and, for a clicked pixel,
// its values in every panel. Export of the panels (PNG), the metrics (CSV) and the prediction
// (GeoTIFF with the scene's georeference).
#include "jezero/ui/CassisChainReport.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Evaluation.h"
#include "jezero/core/ImageStack.h"
#include "jezero/ui/MapFigure.h"

#include <QPoint>
#include <QString>
#include <QWidget>

#include <array>
#include <optional>

class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QTableWidget;

namespace jezero {
class PixelGeolocator;
}

class QSplitter;

namespace jezero::ui {

class ColourScaleStrip;
class HarmonisationDialog;
class SceneView;
class SpectrumPlot;

struct ComparisonResult {
    QString title;                   // "FRT0001458F… — shipped U-Net"
    QString predictionPath;          // the GeoTIFF jezero-cli predict wrote
    ImageStack input;                // the model input built from the scene
    std::optional<ImageStack> truth; // the target channels from the scene, when it has them
    // A CaSSIS image: the prediction at the model's scale before fusion, its pixels repeated on the
    // image's grid (shown where a CRISM scene shows its truth, with |fused − it| beside).
    std::optional<ImageStack> modelScale;
    double modelScaleFactor = 1;
    // A CaSSIS image: what its chain did and found (fusion, scale, noise, fitted lines), listed under
    // the metrics; the harmonisation's steps — the input calibrated against a CRISM scene (when it was),
    // and the input as the network was given it (jezero-cli predict's model-input sidecar: PSF,
    // resampling, training match), its pixels repeated on the image's grid. The pixel table and the
    // Harmonisation window show them beside the input as it was.
    std::vector<ChainRow> chain;
    std::optional<ImageStack> calibratedInput;
    std::optional<ImageStack> modelInput;
    PredictionLayers prediction;
    std::optional<ImageEvaluation> evaluation; // with truth
    int carbonateChannel = -1;
    double threshold = 0.01;
};

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPanels = 5;
    explicit ComparisonView(QWidget* parent = nullptr);

    void setResult(ComparisonResult result);
    // Forgets the chosen pixel (a new scene: its pixel is not the one chosen before).
    void clearSelectedPixel() { mSelected = QPoint(-1, -1); }
    const ComparisonResult& result() const { return mResult; }
    bool hasResult() const { return mHasResult; }

    SceneView* panel(int index) const { return mViews[index]; }
    QTableWidget* metricsTable() const { return mMetrics; }
    QTableWidget* pixelTable() const { return mPixelValues; }
    // The clicked pixel's spectrum (the main window fills it: the scene is its).
    SpectrumPlot* spectrumPlot() const { return mSpectrum; }
    // Shows pixel's values in the table and marks it in every panel.
    void selectPixel(QPoint pixel);
    // The whole image in the panels, all at one zoom.
    void fitPanels();
    // A CaSSIS prediction's harmonisation steps in their own window (the Harmonisation… button, shown
    // only when there are steps); null when there are none.
    HarmonisationDialog* showHarmonisation();

    // The scene's georeference, for panel figures (the panels are on the scene's grid); may be null.
    // Not owned: the window sets it with each prediction and clears it when the scene goes.
    void setGeolocator(const PixelGeolocator* geolocator) { mGeolocator = geolocator; }

    // What panel's colours mean, as its key under it and in its figure shows: a grey scale with its
    // limits (one channel, the error and the uncertainty), or what red, green and blue show and
    // between which values. Neither for an empty panel (no truth, a deterministic model).
    struct PanelKey {
        std::optional<MapFigureContent::ColourBar> bar;
        std::optional<MapFigureContent::ChannelKey> channels;
    };
    PanelKey panelKey(int panel) const;
    QString channelKeyText(int panel) const; // the R/G/B line under a three-channel panel

    // Exports; throw Error with a one-line reason. All writes are atomic.
    void savePanelsPng(const QString& path) const;
    // One panel as a map figure (.png, .svg, .pdf: its title, grid, scale bar, north arrow when the
    // scene is georeferenced); also from each panel's context menu.
    MapFigureLayout savePanelFigure(int panel, const QString& path) const;
    void saveMetricsCsv(const QString& path) const;
    void savePredictionGeoTiff(const QString& path) const;

signals:
    void pixelSelected(QPoint pixel);

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void render();
    void fillMetrics();
    void follow(int leader);
    void choosePath(const QString& title, const QString& filter, const QString& suffix, void (ComparisonView::*save)(const QString&) const);

    std::array<SceneView*, kPanels> mViews{};
    std::array<QLabel*, kPanels> mTitles{};
    std::array<ColourScaleStrip*, kPanels> mScales{};
    std::array<QLabel*, kPanels> mChannelKeys{};
    QGridLayout* mPanelGrid = nullptr;
    QLabel* mHeading;
    QDoubleSpinBox* mLow;
    QDoubleSpinBox* mHigh;
    QTableWidget* mMetrics;
    QTableWidget* mPixelValues;
    SpectrumPlot* mSpectrum;
    QSplitter* mTables;       // metrics | pixel values | spectrum
    bool mTablesMoved = false; // by the user; until then resizeEvent shares the width out
    ComparisonResult mResult;
    ComparisonImages mImages;
    QPoint mSelected{-1, -1}; // the pixel whose values the table shows, kept across predictions
    bool mHasResult = false;
    bool mFollowing = false;
    bool mFitPending = false;
    const PixelGeolocator* mGeolocator = nullptr;
    QPushButton* mHarmonisationButton;
    HarmonisationDialog* mHarmonisation = nullptr; // made when first shown
};

} // namespace jezero::ui
