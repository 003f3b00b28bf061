#include "jezero/ui/SpectrumPlot.h"

#include "jezero/core/SpectrumGaps.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

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

SpectrumPlot::SpectrumPlot(QWidget* parent) : QWidget(parent), mPlot(new QCustomPlot(this)), mFilterBar(new QHBoxLayout) {
    setObjectName("spectrumPlot");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(mPlot, 1);
    mFilterBar->addWidget(new QLabel(tr("Filter curves:")));
    mFilterBar->addStretch(1);
    layout->addLayout(mFilterBar);

    mPlot->setMinimumSize(360, 240);
    mPlot->xAxis->setLabel(QString::fromUtf8("Wavelength (µm)"));
    mPlot->yAxis->setLabel("I/F");
    mPlot->yAxis2->setLabel(tr("Filter response"));
    mPlot->xAxis->setRange(0.35, 4.0);
    mPlot->yAxis->setRange(0, 0.5);
    mPlot->legend->setVisible(true);
    mPlot->legend->setFont(QFont(font().family(), 8));
    mPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    mPlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

int SpectrumPlot::addSpectrum(const QString& label, const std::vector<double>& wavelengthsNm, const float* values, const QColor& colour) {
    QVector<double> keys, vals;
    const auto gaps = spectralGapStarts(wavelengthsNm);
    std::size_t nextGap = 0;
    int valid = 0;
    for (std::size_t i = 0; i < wavelengthsNm.size(); ++i) {
        if (nextGap < gaps.size() && gaps[nextGap] == i) {
            // A NaN point between the two channels breaks the line across the gap.
            keys.push_back((wavelengthsNm[i - 1] + wavelengthsNm[i]) / 2000.0);
            vals.push_back(std::numeric_limits<double>::quiet_NaN());
            ++nextGap;
        }
        keys.push_back(wavelengthsNm[i] / 1000.0);
        vals.push_back(values[i]);
        if (!std::isnan(values[i])) ++valid;
    }
    QCPGraph* graph = mPlot->addGraph(mPlot->xAxis, mPlot->yAxis);
    graph->setName(label);
    graph->setPen(QPen(colour, 1.6));
    graph->setData(keys, vals, true);
    mSpectra.push_back({graph, static_cast<int>(wavelengthsNm.size()), valid});
    updateRanges();
    return spectrumCount() - 1;
}

void SpectrumPlot::clearSpectra() {
    for (const Spectrum& s : mSpectra) mPlot->removeGraph(s.graph);
    mSpectra.clear();
    updateRanges();
}

int SpectrumPlot::channelCount(int i) const { return mSpectra.at(i).channels; }
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
        toggle->setStyleSheet(QString("QCheckBox { color: %1; font-weight: bold; }").arg(filterColour(name).name()));
        connect(toggle, &QCheckBox::toggled, this, [this, name](bool on) { setFilterVisible(name, on); });
        mFilterBar->insertWidget(mFilterBar->count() - 1, toggle);
        mFilters.push_back({name, graph, toggle});
    }
    updateRanges();
}

void SpectrumPlot::setFilterVisible(const QString& name, bool visible) {
    for (Filter& f : mFilters) {
        if (f.name != name) continue;
        f.graph->setVisible(visible);
        f.graph->removeFromLegend();
        if (visible) f.graph->addToLegend();
        if (f.toggle->isChecked() != visible) f.toggle->setChecked(visible);
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

void SpectrumPlot::updateRanges() {
    bool anyFilter = false;
    double filterMax = 0;
    for (const Filter& f : mFilters) {
        if (!f.graph->visible()) continue;
        anyFilter = true;
        bool found = false;
        filterMax = std::max(filterMax, f.graph->getValueRange(found).upper);
    }
    mPlot->yAxis2->setVisible(anyFilter);
    if (anyFilter) mPlot->yAxis2->setRange(0, filterMax * 1.1);

    QCPRange keys, values;
    bool first = true;
    for (const Spectrum& s : mSpectra) {
        bool found = false;
        const QCPRange k = s.graph->getKeyRange(found);
        if (!found) continue;
        const QCPRange v = s.graph->getValueRange(found);
        if (!found) continue;
        keys = first ? k : QCPRange(std::min(keys.lower, k.lower), std::max(keys.upper, k.upper));
        values = first ? v : QCPRange(std::min(values.lower, v.lower), std::max(values.upper, v.upper));
        first = false;
    }
    if (!first) {
        const double pad = std::max(1e-3, (values.upper - values.lower) * 0.08);
        mPlot->xAxis->setRange(keys.lower - 0.02, keys.upper + 0.02);
        mPlot->yAxis->setRange(values.lower - pad, values.upper + pad);
    }
    mPlot->replot();
}

} // namespace jezero::ui
