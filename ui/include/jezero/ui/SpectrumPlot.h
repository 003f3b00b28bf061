#pragma once
// Spectra of clicked pixels against wavelength (µm), each in its own colour, with coverage gaps drawn
// as gaps; the broad-band filter curves (CaSSIS by default) on a secondary axis, toggled per filter.
#include "jezero/core/FilterResponse.h"

#include <QColor>
#include <QString>
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QHBoxLayout;

namespace jezero::ui {

class SpectrumPlot : public QWidget {
    Q_OBJECT
public:
    explicit SpectrumPlot(QWidget* parent = nullptr);

    // Adds a spectrum (values NaN where invalid); returns its index.
    int addSpectrum(const QString& label, const std::vector<double>& wavelengthsNm, const float* values, const QColor& colour);
    void clearSpectra();
    int spectrumCount() const { return static_cast<int>(mSpectra.size()); }
    // Channels of spectrum i (gap breaks not counted), and how many of them are valid.
    int channelCount(int i) const;
    int validChannelCount(int i) const;

    void setFilters(const FilterSet& filters);
    void setFilterVisible(const QString& name, bool visible);
    bool isFilterVisible(const QString& name) const;
    QStringList filterNames() const;

    QCustomPlot* plot() const { return mPlot; }

private:
    void updateRanges();

    struct Spectrum {
        QCPGraph* graph;
        int channels;
        int valid;
    };
    struct Filter {
        QString name;
        QCPGraph* graph;
        QCheckBox* toggle;
    };
    QCustomPlot* mPlot;
    QHBoxLayout* mFilterBar;
    std::vector<Spectrum> mSpectra;
    std::vector<Filter> mFilters;
};

} // namespace jezero::ui
