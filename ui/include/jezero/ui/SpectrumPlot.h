#pragma once
// Spectra of clicked pixels against wavelength (µm), each in its own colour, with coverage gaps drawn
// as gaps; the broad-band filter curves (CaSSIS by default) on a secondary axis, toggled per filter.
// The legend sits under the plot (never over a band) and can be hidden; the channels the CRISM team's
// parameter code drops are shaded; a double-click or Reset zoom brings the view back to the data;
// Save… writes the plot as a figure (PNG, SVG, PDF).
#include "jezero/core/BadBands.h"
#include "jezero/core/FilterResponse.h"

#include <QColor>
#include <QSizeF>
#include <QString>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPAxis;
class QCPGraph;
class QCPItemRect;
class QCheckBox;
class QComboBox;
class QMenu;
class QAction;
class QHBoxLayout;

namespace jezero::ui {

class SpectrumPlot : public QWidget {
    Q_OBJECT
public:
    explicit SpectrumPlot(QWidget* parent = nullptr);

    // Adds a pixel spectrum (values NaN where invalid); returns its index.
    int addSpectrum(const QString& label, const std::vector<double>& wavelengthsNm, const float* values, const QColor& colour);
    // Adds a curve with an optional ± spread drawn as a shaded band (ROI mean ± std), or a dashed
    // curve (ratio spectra); returns its index.
    int addCurve(const QString& label, const std::vector<double>& wavelengthsNm, const std::vector<double>& values,
                 const std::vector<double>& spread, const QColor& colour, Qt::PenStyle style = Qt::SolidLine);
    // A ratio spectrum (ROI ÷ ROI, near 1) on its own axis at the right, so the I/F curves (near 0.2)
    // keep theirs; returns its index.
    int addRatioCurve(const QString& label, const std::vector<double>& wavelengthsNm, const std::vector<double>& values, const QColor& colour);
    bool hasRatioAxis() const; // shown while a ratio curve is
    void clearSpectra();
    // The spectrum under the cursor (ENVI's Z-profile): one thin grey curve, replaced on every call,
    // kept out of the legend and the spectra above; the axes follow it only while nothing else is shown.
    void setLiveSpectrum(const std::vector<double>& wavelengthsNm, const float* values);
    void clearLiveSpectrum();
    bool hasLiveSpectrum() const { return mLive != nullptr; }
    std::vector<double> liveValues() const { return mLiveValues; }
    // Shows every curve divided by its convex-hull continuum (band depths become comparable).
    void setContinuumRemoved(bool removed);
    bool continuumRemoved() const { return mContinuumRemoved; }
    // The wavelengths the hull is drawn over (nm; the whole spectrum by default); curves show only there
    // while the continuum is removed.
    void setContinuumRange(double fromNm, double toNm);
    // The values curve i shows now (after continuum removal when on), gap breaks not included.
    std::vector<double> shownValues(int i) const;
    int spectrumCount() const { return static_cast<int>(mSpectra.size()); }
    // Channels of spectrum i (gap breaks not counted), and how many of them are valid.
    int channelCount(int i) const;
    int validChannelCount(int i) const;

    void setFilters(const FilterSet& filters);
    // Whether a filter's curve is wanted (its check box); it is drawn only while the plot shows I/F, not
    // a removed continuum. isFilterVisible: drawn now.
    void setFilterVisible(const QString& name, bool visible);
    bool isFilterVisible(const QString& name) const;
    QStringList filterNames() const;

    QCustomPlot* plot() const { return mPlot; }
    // Fits the axes to the curves shown (after dragging or wheel-zooming).
    void resetZoom();
    // Writes the plot as shown (curves, legend, filter curves, shading) as a figure: .png (300 dpi),
    // .svg or .pdf, atomically, at figureSize() (96 units an inch). Throws Error.
    void writeFigure(const QString& path) const;
    QSizeF figureSize() const;
    // Asks where to save the figure (its Save… button, File › Export spectrum plot) and writes it.
    void chooseFigureFile();
    void setLegendVisible(bool visible);
    // Where the legend sits: in its own row under the axes (never over a curve; the default), or
    // inside the axes at a corner the curves leave free. Kept for the session's plots.
    enum class LegendPlace { Below, TopLeft, TopRight, BottomRight };
    void setLegendPlace(LegendPlace place);
    LegendPlace legendPlace() const { return mLegendPlace; }
    bool legendVisible() const;
    // The scene's bad channels (BadBands::forScene): shaded, left out of continuum removal and of the
    // value axis's range. The CRISM joined set until a scene sets its own.
    void setBadBands(const BadBands& badBands);
    // The shaded wavelength ranges (µm), clipped to the plot's wavelengths.
    std::vector<std::pair<double, double>> badBandRangesUm() const;

    // Names offered in the "Library" menu; toggling one emits libraryToggled.
    void setLibraryNames(const QStringList& names, const QStringList& kinds);
    QStringList shownLibrarySpectra() const;
    // Ticks or clears library spectrum `index` in the menu (libraryToggled follows when it changes).
    void setLibrarySpectrumShown(int index, bool shown);

signals:
    void libraryToggled(int index, bool shown);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateRanges();
    void showFilters(); // each filter's curve drawn as its box and the continuum removal say
    // Under the axes: three legend columns, fewer when the widest entry would not fit.
    void fitLegendColumns();
    void renderCurves();
    // values as shown: continuum-removed over the chosen range without the bad channels, when asked for.
    std::vector<double> shownValues(const std::vector<double>& wavelengthsNm, const std::vector<double>& values) const;

    struct Spectrum {
        QString label;
        std::vector<double> wavelengths;
        std::vector<double> values;
        std::vector<double> spread; // empty: no band
        QColor colour;
        Qt::PenStyle style;
        int valid = 0;
        bool ratio = false; // on the ratio axis
        std::vector<QCPGraph*> graphs; // the curve, then the band's lower and upper edges
    };
    struct Filter {
        QString name;
        QCPGraph* graph;
        QCheckBox* toggle;
    };
    QCustomPlot* mPlot;
    QHBoxLayout* mFilterBar;
    QCheckBox* mContinuumToggle;
    QAction* mLegendToggle; // in the Legend button's menu
    LegendPlace mLegendPlace = LegendPlace::Below;
    QComboBox* mContinuumRange;
    double mContinuumFromNm = 0, mContinuumToNm = 1e9;
    QMenu* mLibraryMenu;
    std::vector<QAction*> mLibraryActions; // by library index
    bool mContinuumRemoved = false;
    std::vector<Spectrum> mSpectra;
    QCPGraph* mLive = nullptr;
    QCPAxis* mRatioAxis = nullptr; // made with the first ratio curve
    std::vector<double> mLiveWavelengths, mLiveValues;
    void renderLive();
    std::vector<Filter> mFilters;
    BadBands mBadBands;
    std::vector<QCPItemRect*> mBadBandShades;
};

} // namespace jezero::ui
