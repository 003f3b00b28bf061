#include "jezero/ui/SpectrumPlot.h"

#include "jezero/core/Error.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SpectrumGaps.h"
#include "jezero/ui/FigureFile.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero::ui {
namespace {

QColor filterColour(const QString& name) {
    if (name == "BLU") return QColor(40, 90, 220);
    if (name == "PAN") return QColor(110, 110, 110);
    if (name == "RED") return QColor(220, 40, 40);
    if (name == "NIR") return QColor(140, 30, 110);
    return QColor(30, 140, 90);
}

} // namespace

namespace {
// The axes fitted to curves: 0.02 µm beyond the wavelengths, 8 % (at least 0.001) beyond the values.
QCPRange paddedKeys(const QCPRange& r) { return QCPRange(r.lower - 0.02, r.upper + 0.02); }
QCPRange paddedValues(const QCPRange& r) {
    const double pad = std::max(1e-3, (r.upper - r.lower) * 0.08);
    return QCPRange(r.lower - pad, r.upper + pad);
}

// Keys and values with a NaN point inserted at each coverage gap, so QCustomPlot breaks the line there.
void withGapBreaks(const std::vector<double>& wavelengthsNm, const std::vector<double>& values, QVector<double>& keys,
                   QVector<double>& out) {
    const auto gaps = spectralGapStarts(wavelengthsNm);
    std::size_t nextGap = 0;
    for (std::size_t i = 0; i < wavelengthsNm.size(); ++i) {
        if (nextGap < gaps.size() && gaps[nextGap] == i) {
            keys.push_back((wavelengthsNm[i - 1] + wavelengthsNm[i]) / 2000.0);
            out.push_back(std::numeric_limits<double>::quiet_NaN());
            ++nextGap;
        }
        keys.push_back(wavelengthsNm[i] / 1000.0);
        out.push_back(values[i]);
    }
}
// The range a curve's values take on the good channels, reaching past the 0.5 % most extreme at either end
// by at most a quarter of the span between them: the spectrum's own highs and lows show, while a TRR3
// detector spike or a bad channel does not squash it into a line.
QCPRange valueRange(const std::vector<double>& wavelengthsNm, const std::vector<double>& values, const BadBands& bad, bool* found) {
    std::vector<double> good;
    for (std::size_t i = 0; i < values.size() && i < wavelengthsNm.size(); ++i)
        if (std::isfinite(values[i]) && !bad.isBad(wavelengthsNm[i])) good.push_back(values[i]);
    if (good.empty())
        for (double v : values)
            if (std::isfinite(v)) good.push_back(v); // only bad channels: show them rather than nothing
    *found = !good.empty();
    if (good.empty()) return {};
    std::sort(good.begin(), good.end());
    const auto at = [&](double q) { return good[static_cast<std::size_t>(std::lround(q * static_cast<double>(good.size() - 1)))]; };
    const double low = at(0.005), high = at(0.995), reach = 0.25 * (high - low);
    return {std::max(good.front(), low - reach), std::min(good.back(), high + reach)};
}
} // namespace

SpectrumPlot::SpectrumPlot(QWidget* parent)
    : QWidget(parent), mPlot(new QCustomPlot(this)), mFilterBar(new QHBoxLayout), mContinuumToggle(new QCheckBox(this)),
      mLegendToggle(new QAction(tr("Show legend"), this)), mContinuumRange(new QComboBox(this)), mLibraryMenu(new QMenu(this)) {
    setObjectName("spectrumPlot");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(mPlot, 1);
    mFilterBar->addWidget(new QLabel(tr("Filter curves:")));
    mFilterBar->addStretch(1);
    auto* tools = new QHBoxLayout;
    mContinuumToggle->setText(tr("Continuum removed"));
    mContinuumToggle->setObjectName("continuumToggle");
    mContinuumToggle->setToolTip(tr("Divide each spectrum by its upper convex hull"));
    connect(mContinuumToggle, &QCheckBox::toggled, this, &SpectrumPlot::setContinuumRemoved);
    tools->addWidget(mContinuumToggle);
    mContinuumRange->setObjectName("continuumRange");
    mContinuumRange->setToolTip(tr("Where the hull is drawn: a range keeps the thermal rise beyond 3 µm off the 2–2.6 µm bands"));
    mContinuumRange->addItem(tr("whole spectrum"), QPointF(0, 1e9));
    mContinuumRange->addItem(tr("1.0–2.6 µm"), QPointF(1000, 2600));
    mContinuumRange->addItem(tr("1.8–2.6 µm"), QPointF(1800, 2600));
    mContinuumRange->addItem(tr("0.4–1.0 µm"), QPointF(400, 1000));
    connect(mContinuumRange, &QComboBox::currentIndexChanged, this, [this] {
        const QPointF r = mContinuumRange->currentData().toPointF();
        setContinuumRange(r.x(), r.y());
    });
    tools->addWidget(mContinuumRange);
    auto* library = new QToolButton(this);
    library->setText(tr("Library"));
    library->setObjectName("libraryButton");
    library->setToolTip(tr("Overlay MICA type spectra and their lab analogues, resampled to the scene's channels"));
    library->setMenu(mLibraryMenu);
    library->setPopupMode(QToolButton::InstantPopup);
    tools->addWidget(library);
    // One "Legend" button: shown or not, and where (a row of its own made the plot's tools wider than
    // the comparison's spectrum panel).
    mLegendToggle->setObjectName("legendToggle");
    mLegendToggle->setCheckable(true);
    mLegendToggle->setChecked(true);
    connect(mLegendToggle, &QAction::toggled, this, &SpectrumPlot::setLegendVisible);
    auto* place = new QToolButton(this);
    place->setText(tr("Legend"));
    place->setObjectName("legendPlace");
    place->setToolTip(tr("Show or hide the legend, and where it sits: under the axes, or inside them at a corner"));
    place->setPopupMode(QToolButton::InstantPopup);
    auto* placeMenu = new QMenu(place);
    placeMenu->addAction(mLegendToggle);
    placeMenu->addSeparator();
    const std::pair<QString, LegendPlace> places[] = {{tr("Under the axes"), LegendPlace::Below},
                                                      {tr("Inside, top left"), LegendPlace::TopLeft},
                                                      {tr("Inside, top right"), LegendPlace::TopRight},
                                                      {tr("Inside, bottom right"), LegendPlace::BottomRight}};
    for (const auto& [text, where] : places) {
        const LegendPlace chosen = where;
        placeMenu->addAction(text, this, [this, chosen] { setLegendPlace(chosen); });
    }
    place->setMenu(placeMenu);
    tools->addWidget(place);
    auto* reset = new QToolButton(this);
    reset->setText(tr("Reset"));
    reset->setObjectName("resetZoom");
    reset->setToolTip(tr("Fit the axes to the curves (or double-click the plot). Drag pans, the wheel zooms."));
    connect(reset, &QToolButton::clicked, this, &SpectrumPlot::resetZoom);
    tools->addWidget(reset);
    auto* save = new QToolButton(this);
    save->setText(tr("Save…"));
    save->setObjectName("saveFigure");
    save->setToolTip(tr("Save the plot as it is shown (curves, legend, filter curves, shading) as a figure: PNG at 300 dpi, SVG or PDF"));
    connect(save, &QToolButton::clicked, this, &SpectrumPlot::chooseFigureFile);
    tools->addWidget(save);
    tools->addStretch(1);
    layout->addLayout(mFilterBar);
    layout->addLayout(tools); // a second row: one row of everything made the plot crowd the map out

    mPlot->setMinimumSize(300, 160);
    mPlot->xAxis->setLabel(QString::fromUtf8("Wavelength (µm)"));
    mPlot->yAxis->setLabel("I/F");
    mPlot->yAxis2->setLabel(tr("Filter response"));
    mPlot->xAxis->setRange(0.35, 4.0);
    mPlot->yAxis->setRange(0, 0.5);
    mPlot->legend->setVisible(true);
    mPlot->legend->setFont(QFont(font().family(), 8));
    // The legend in its own row under the axes, three entries a line (fewer when they are long): it never
    // covers a curve.
    mPlot->axisRect()->insetLayout()->take(mPlot->legend);
    mPlot->plotLayout()->addElement(1, 0, mPlot->legend);
    mPlot->plotLayout()->setRowStretchFactor(1, 0.001);
    mPlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    mPlot->legend->setWrap(3);
    mPlot->legend->setBorderPen(Qt::NoPen);
    mPlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(mPlot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { resetZoom(); });
    // Bad bands, shaded under the curves.
    mPlot->addLayer("badBands", mPlot->layer("grid"), QCustomPlot::limAbove);
    setBadBands(BadBands::crismPipeline());
    mPlot->setToolTip(tr("Shaded: channels CRISM users leave out (detector ends, the VNIR/IR overlap, filter boundaries); "
                         "continuum removal and the I/F axis's range leave them out too"));
}

void SpectrumPlot::resetZoom() { updateRanges(); }

QSizeF SpectrumPlot::figureSize() const {
    // The plot as laid out on screen, but never smaller than a column figure (7.5 × 4.2 in at 96 units an inch).
    return QSizeF(std::max(mPlot->width(), 720), std::max(mPlot->height(), 400));
}

void SpectrumPlot::writeFigure(const QString& path) const {
    const QSizeF size = figureSize();
    // toPainter lays the plot out at the figure's size: laid out at the widget's again however it ends.
    struct Replot {
        QCustomPlot* plot;
        ~Replot() { plot->replot(); }
    } replotAfter{mPlot};
    writeFigureFile({path, size, 96, tr("Spectra"), "Jezero spectrum plot"}, [&](QPaintDevice& device, double scale) {
        QCPPainter painter(&device);
        if (!painter.isActive()) throw Error("cannot draw the plot for " + path.toStdString());
        painter.setMode(QCPPainter::pmNonCosmetic); // line widths scale with the figure
        if (device.devType() != QInternal::Image) painter.setMode(QCPPainter::pmVectorized);
        painter.scale(scale, scale);
        mPlot->toPainter(&painter, static_cast<int>(size.width()), static_cast<int>(size.height()));
    });
}

void SpectrumPlot::chooseFigureFile() {
    const QString path = askFigurePath(this, tr("Save spectrum plot"));
    if (path.isEmpty()) return;
    try {
        writeFigure(path);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Save spectrum plot"), QString::fromStdString(e.what()));
    }
}

void SpectrumPlot::setLegendVisible(bool visible) {
    if (mLegendToggle->isChecked() != visible) mLegendToggle->setChecked(visible);
    updateRanges();
}

bool SpectrumPlot::legendVisible() const { return mPlot->legend->visible(); }

void SpectrumPlot::setLegendPlace(LegendPlace place) {
    if (place == mLegendPlace) return;
    QCPLegend* legend = mPlot->legend;
    // Out of wherever it is now…
    if (mLegendPlace == LegendPlace::Below) {
        mPlot->plotLayout()->take(legend);
        mPlot->plotLayout()->simplify(); // the emptied row goes
    } else {
        mPlot->axisRect()->insetLayout()->take(legend);
    }
    mLegendPlace = place;
    // …into its new place: a row of its own, up to three entries a line; or a corner, one entry a line on
    // a light background so the curves under it still show.
    if (place == LegendPlace::Below) {
        mPlot->plotLayout()->addElement(1, 0, legend);
        legend->setWrap(3);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-flows the entries already there
        legend->setBrush(Qt::NoBrush);
        fitLegendColumns();
    } else {
        const Qt::Alignment corner = place == LegendPlace::TopLeft    ? Qt::AlignTop | Qt::AlignLeft
                                     : place == LegendPlace::TopRight ? Qt::AlignTop | Qt::AlignRight
                                                                      : Qt::AlignBottom | Qt::AlignRight;
        mPlot->axisRect()->insetLayout()->addElement(legend, corner);
        legend->setWrap(1);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
        legend->setBrush(QColor(255, 255, 255, 200));
    }
    updateRanges();
}

void SpectrumPlot::setBadBands(const BadBands& badBands) {
    mBadBands = badBands;
    for (QCPItemRect* shade : mBadBandShades) mPlot->removeItem(shade);
    mBadBandShades.clear();
    for (const auto& [from, to] : badBandRangesUm()) {
        auto* band = new QCPItemRect(mPlot);
        band->setLayer("badBands");
        band->setClipToAxisRect(true);
        band->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
        band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        band->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
        band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        band->topLeft->setCoords(from, 0);
        band->bottomRight->setCoords(to, 1);
        band->setPen(Qt::NoPen);
        band->setBrush(QColor(128, 128, 128, 38));
        mBadBandShades.push_back(band);
    }
    renderCurves();
}

std::vector<std::pair<double, double>> SpectrumPlot::badBandRangesUm() const {
    // Open-ended ranges drawn to the ends of CRISM's 0.36–3.94 µm.
    std::vector<std::pair<double, double>> ranges;
    for (const BadBandRange& r : mBadBands.ranges()) ranges.emplace_back(std::max(r.fromNm, 300.0) / 1000.0, std::min(r.toNm, 4100.0) / 1000.0);
    return ranges;
}

std::vector<double> SpectrumPlot::shownValues(const std::vector<double>& wavelengthsNm, const std::vector<double>& values) const {
    if (!mContinuumRemoved) return values;
    return jezero::continuumRemoved(wavelengthsNm, mBadBands.masked(wavelengthsNm, values), mContinuumFromNm, mContinuumToNm);
}

int SpectrumPlot::addSpectrum(const QString& label, const std::vector<double>& wavelengthsNm, const float* values, const QColor& colour) {
    return addCurve(label, wavelengthsNm, std::vector<double>(values, values + wavelengthsNm.size()), {}, colour);
}

int SpectrumPlot::addCurve(const QString& label, const std::vector<double>& wavelengthsNm, const std::vector<double>& values,
                           const std::vector<double>& spread, const QColor& colour, Qt::PenStyle style) {
    Spectrum s{label, wavelengthsNm, values, spread, colour, style, 0, false, {}};
    s.valid = static_cast<int>(std::count_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); }));
    mSpectra.push_back(std::move(s));
    renderCurves();
    return spectrumCount() - 1;
}

void SpectrumPlot::setLiveSpectrum(const std::vector<double>& wavelengthsNm, const float* values) {
    mLiveWavelengths = wavelengthsNm;
    mLiveValues.assign(values, values + wavelengthsNm.size());
    renderLive();
}

void SpectrumPlot::clearLiveSpectrum() {
    if (!mLive) return;
    mPlot->removeGraph(mLive);
    mLive = nullptr;
    mLiveValues.clear();
    mPlot->replot(QCustomPlot::rpQueuedReplot);
}

void SpectrumPlot::renderLive() {
    if (mLiveValues.empty()) return;
    if (!mLive) {
        mLive = mPlot->addGraph(mPlot->xAxis, mPlot->yAxis);
        mLive->setPen(QPen(QColor(90, 90, 90, 200), 1.0));
        mLive->removeFromLegend();
    }
    const std::vector<double> values = shownValues(mLiveWavelengths, mLiveValues);
    QVector<double> keys, shown;
    withGapBreaks(mLiveWavelengths, values, keys, shown);
    mLive->setData(keys, shown, true);
    if (mSpectra.empty()) {
        bool found = false;
        const QCPRange k = mLive->getKeyRange(found), v = found ? mLive->getValueRange(found) : QCPRange();
        if (found) {
            mPlot->xAxis->setRange(paddedKeys(k));
            mPlot->yAxis->setRange(paddedValues(v));
        }
    }
    mPlot->replot(QCustomPlot::rpQueuedReplot); // the cursor moves faster than the plot needs redrawing
}

int SpectrumPlot::addRatioCurve(const QString& label, const std::vector<double>& wavelengthsNm, const std::vector<double>& values, const QColor& colour) {
    if (!mRatioAxis) {
        mRatioAxis = mPlot->axisRect()->addAxis(QCPAxis::atRight);
        mRatioAxis->setLabel(tr("Ratio"));
        mRatioAxis->setVisible(false);
    }
    Spectrum s{label + tr(" (right axis)"), wavelengthsNm, values, {}, colour, Qt::DashLine, 0, true, {}};
    s.valid = static_cast<int>(std::count_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); }));
    mSpectra.push_back(std::move(s));
    renderCurves();
    return spectrumCount() - 1;
}

bool SpectrumPlot::hasRatioAxis() const { return mRatioAxis && mRatioAxis->visible(); }

std::vector<double> SpectrumPlot::shownValues(int i) const {
    const Spectrum& s = mSpectra.at(i);
    return shownValues(s.wavelengths, s.values);
}

void SpectrumPlot::setContinuumRange(double fromNm, double toNm) {
    mContinuumFromNm = fromNm;
    mContinuumToNm = toNm;
    for (int i = 0; i < mContinuumRange->count(); ++i)
        if (mContinuumRange->itemData(i).toPointF() == QPointF(fromNm, toNm) && mContinuumRange->currentIndex() != i) mContinuumRange->setCurrentIndex(i);
    if (mContinuumRemoved) renderCurves();
}

void SpectrumPlot::setContinuumRemoved(bool removed) {
    mContinuumRemoved = removed;
    if (mContinuumToggle->isChecked() != removed) mContinuumToggle->setChecked(removed);
    mPlot->yAxis->setLabel(removed ? tr("Continuum-removed I/F") : QString("I/F"));
    renderCurves();
    showFilters();
}

// (Re)draws every curve from its stored values, so toggling continuum removal changes them all.
void SpectrumPlot::renderCurves() {
    for (Spectrum& s : mSpectra) {
        for (QCPGraph* g : s.graphs) mPlot->removeGraph(g);
        s.graphs.clear();
        const std::vector<double> values = shownValues(s.wavelengths, s.values);
        std::vector<double> spread = s.spread;
        if (mContinuumRemoved)
            for (std::size_t i = 0; i < spread.size(); ++i) spread[i] *= values[i] / s.values[i]; // same scaling
        QVector<double> keys, shown;
        withGapBreaks(s.wavelengths, values, keys, shown);
        QCPGraph* curve = mPlot->addGraph(mPlot->xAxis, s.ratio ? mRatioAxis : mPlot->yAxis);
        curve->setName(s.label);
        curve->setPen(QPen(s.colour, 1.6, s.style));
        curve->setData(keys, shown, true);
        s.graphs.push_back(curve);
        if (spread.empty()) continue;
        std::vector<double> low(values.size()), high(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            low[i] = values[i] - spread[i];
            high[i] = values[i] + spread[i];
        }
        QVector<double> k1, lowShown, k2, highShown;
        withGapBreaks(s.wavelengths, low, k1, lowShown);
        withGapBreaks(s.wavelengths, high, k2, highShown);
        QCPGraph* lower = mPlot->addGraph(mPlot->xAxis, mPlot->yAxis);
        QCPGraph* upper = mPlot->addGraph(mPlot->xAxis, mPlot->yAxis);
        QColor edge = s.colour;
        edge.setAlpha(90);
        QColor fill = s.colour;
        fill.setAlpha(45);
        for (QCPGraph* g : {lower, upper}) {
            g->setPen(QPen(edge, 0.8));
            g->removeFromLegend();
        }
        lower->setData(k1, lowShown, true);
        upper->setData(k2, highShown, true);
        upper->setBrush(fill);
        upper->setChannelFillGraph(lower);
        s.graphs.push_back(lower);
        s.graphs.push_back(upper);
    }
    renderLive(); // with or without the continuum, as the others
    updateRanges();
}

void SpectrumPlot::clearSpectra() {
    for (const Spectrum& s : mSpectra)
        for (QCPGraph* g : s.graphs) mPlot->removeGraph(g);
    mSpectra.clear();
    updateRanges();
}

void SpectrumPlot::setLibraryNames(const QStringList& names, const QStringList& kinds) {
    mLibraryMenu->clear();
    mLibraryActions.clear();
    QString lastKind;
    for (int i = 0; i < names.size(); ++i) {
        if (kinds.value(i) != lastKind) {
            mLibraryMenu->addSection(kinds.value(i) == "MICA" ? tr("CRISM type spectra (MICA, ratioed I/F)")
                                     : kinds.value(i) == "lab" ? tr("Laboratory spectra (RELAB, MICA analogues)")
                                                               : tr("USGS spectral library (splib07a)"));
            lastKind = kinds.value(i);
        }
        QAction* action = mLibraryMenu->addAction(names[i]);
        action->setCheckable(true);
        mLibraryActions.push_back(action);
        connect(action, &QAction::toggled, this, [this, i](bool on) { emit libraryToggled(i, on); });
    }
}

void SpectrumPlot::setLibrarySpectrumShown(int index, bool shown) {
    if (index >= 0 && index < static_cast<int>(mLibraryActions.size())) mLibraryActions[index]->setChecked(shown);
}

QStringList SpectrumPlot::shownLibrarySpectra() const {
    QStringList shown;
    for (QAction* a : mLibraryMenu->actions())
        if (a->isChecked()) shown << a->text();
    return shown;
}

int SpectrumPlot::channelCount(int i) const { return static_cast<int>(mSpectra.at(i).wavelengths.size()); }
int SpectrumPlot::validChannelCount(int i) const { return mSpectra.at(i).valid; }

void SpectrumPlot::setFilters(const FilterSet& filters) {
    for (Filter& f : mFilters) {
        mPlot->removeGraph(f.graph);
        delete f.toggle;
    }
    mFilters.clear();
    for (const FilterCurve& curve : filters.filters) {
        const QString name = QString::fromStdString(curve.name);
        QVector<double> keys, vals;
        for (std::size_t i = 0; i < filters.wavelengthsNm.size(); ++i) {
            keys.push_back(filters.wavelengthsNm[i] / 1000.0);
            vals.push_back(curve.response[i]);
        }
        QCPGraph* graph = mPlot->addGraph(mPlot->xAxis, mPlot->yAxis2);
        graph->setName(name + tr(" filter"));
        QColor colour = filterColour(name);
        graph->setPen(QPen(colour, 1.2, Qt::DashLine));
        colour.setAlpha(30);
        graph->setBrush(colour);
        graph->setData(keys, vals, true);
        auto* toggle = new QCheckBox(name, this);
        toggle->setObjectName("filterToggle_" + name);
        toggle->setChecked(true);
        toggle->setStyleSheet(QString("QCheckBox { color: %1; font-weight: bold; } QCheckBox:disabled { color: palette(mid); }").arg(filterColour(name).name()));
        connect(toggle, &QCheckBox::toggled, this, [this, name](bool on) { setFilterVisible(name, on); });
        mFilterBar->insertWidget(1 + static_cast<int>(mFilters.size()), toggle); // after the label and earlier filters
        mFilters.push_back({name, graph, toggle});
    }
    showFilters();
}

void SpectrumPlot::setFilterVisible(const QString& name, bool visible) {
    for (Filter& f : mFilters)
        if (f.name == name && f.toggle->isChecked() != visible) f.toggle->setChecked(visible);
    showFilters();
}

void SpectrumPlot::showFilters() {
    // Filter responses go with I/F; a continuum-removed plot shows band depths (often over 1–2.6 µm,
    // where no CaSSIS filter reaches), so the curves and their axis step aside until it is I/F again.
    for (Filter& f : mFilters) {
        const bool shown = f.toggle->isChecked() && !mContinuumRemoved;
        f.graph->setVisible(shown);
        f.graph->removeFromLegend();
        if (shown) f.graph->addToLegend();
        f.toggle->setEnabled(!mContinuumRemoved);
        f.toggle->setToolTip(mContinuumRemoved ? tr("Filter curves are hidden while the continuum is removed") : QString());
    }
    updateRanges();
}

bool SpectrumPlot::isFilterVisible(const QString& name) const {
    for (const Filter& f : mFilters)
        if (f.name == name) return f.graph->visible();
    return false;
}

QStringList SpectrumPlot::filterNames() const {
    QStringList names;
    for (const Filter& f : mFilters) names << f.name;
    return names;
}

void SpectrumPlot::fitLegendColumns() {
    if (mLegendPlace != LegendPlace::Below) return;
    // As many columns (at most three) as the widest entry allows, so no entry is cut off.
    QCPLegend* legend = mPlot->legend;
    int widest = 0;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (const QCPAbstractLegendItem* item = legend->item(i)) widest = std::max(widest, item->minimumOuterSizeHint().width()); // cells can be empty
    const int room = mPlot->width() - legend->margins().left() - legend->margins().right();
    const int columns = widest > 0 ? std::clamp((room + legend->columnSpacing()) / (widest + legend->columnSpacing()), 1, 3) : 3;
    if (columns == legend->wrap()) return;
    legend->setWrap(columns);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-flows the entries already there
}

void SpectrumPlot::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitLegendColumns();
}

void SpectrumPlot::updateRanges() {
    fitLegendColumns();
    bool anyFilter = false;
    double filterMax = 0;
    for (const Filter& f : mFilters) {
        if (!f.graph->visible()) continue;
        anyFilter = true;
        bool found = false;
        filterMax = std::max(filterMax, f.graph->getValueRange(found).upper);
    }
    mPlot->yAxis2->setVisible(anyFilter);
    // No empty legend box when nothing is plotted.
    const bool legend = mLegendToggle->isChecked() && mPlot->legend->itemCount() > 0;
    mPlot->legend->setVisible(legend);
    if (mLegendPlace == LegendPlace::Below) mPlot->plotLayout()->setRowStretchFactor(1, legend ? 0.001 : 0.0);
    if (anyFilter) mPlot->yAxis2->setRange(0, filterMax * 1.1);

    // Wavelengths over every curve; values per axis (I/F, ratio).
    QCPRange keys, values, ratios;
    bool anyKeys = false, anyValues = false, anyRatios = false;
    for (const Spectrum& s : mSpectra) {
        bool found = false;
        const QCPRange k = s.graphs.front()->getKeyRange(found);
        if (!found) continue;
        const QCPRange v = valueRange(s.wavelengths, shownValues(s.wavelengths, s.values), mBadBands, &found);
        if (!found) continue;
        keys = anyKeys ? QCPRange(std::min(keys.lower, k.lower), std::max(keys.upper, k.upper)) : k;
        anyKeys = true;
        QCPRange& range = s.ratio ? ratios : values;
        bool& any = s.ratio ? anyRatios : anyValues;
        range = any ? QCPRange(std::min(range.lower, v.lower), std::max(range.upper, v.upper)) : v;
        any = true;
    }
    if (anyKeys) mPlot->xAxis->setRange(paddedKeys(keys));
    if (anyValues) mPlot->yAxis->setRange(paddedValues(values));
    if (mRatioAxis) {
        mRatioAxis->setVisible(anyRatios);
        if (anyRatios) mRatioAxis->setRange(paddedValues(ratios));
    }
    mPlot->replot();
}

} // namespace jezero::ui
