#pragma once
// The library spectra that look like the selected pixel, best first (core rankLibraryMatches:
// continuum-removed correlation over a wavelength range, spectral angle beside it), with a filter box
// over the names and a Show box per row that overlays that spectrum on the plot.
#include "jezero/core/SpectralMatching.h"

#include <QString>
#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace jezero::ui {

class LibraryMatchPanel : public QWidget {
    Q_OBJECT
public:
    explicit LibraryMatchPanel(QWidget* parent = nullptr);

    // The ranked matches for subject ("pixel 10, 12"); rows keep the filter and which are shown.
    void setMatches(const QString& subject, const std::vector<LibraryMatch>& matches);
    // Instead of matches: why there are none (no pixel yet, too few channels in the range, …).
    void setMessage(const QString& text);
    // While a new ranking runs: says so, keeping the rows until it replaces them (no flicker).
    void setStatus(const QString& text);
    void setShown(const QString& name, bool shown); // keeps the Show boxes in step with the plot's menu

    double fromNm() const;
    double toNm() const;
    int rowCount() const;
    int visibleRowCount() const;
    QString rowName(int row) const;
    void setFilterText(const QString& text);
    void setRowShown(int row, bool shown); // as ticking its Show box
    bool isRowShown(int row) const;

signals:
    void rangeChanged();
    void showRequested(const QString& name, bool shown);

private:
    void applyFilter();

    QLineEdit* mFilter;
    QSpinBox* mFrom;
    QSpinBox* mTo;
    QLabel* mSubject;
    QTableWidget* mTable;
    bool mFilling = false;
};

} // namespace jezero::ui
