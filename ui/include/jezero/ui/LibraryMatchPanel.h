#pragma once
// The library spectra that look like the selected pixel, best first (core rankLibraryMatches:
// continuum-removed correlation over a wavelength range, spectral angle beside it), with a filter box
// over the names and a Show box per row that overlays that spectrum on the plot.
#include "jezero/core/SpectralMatching.h"

#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
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

    // What is matched: the clicked pixel (0) or ROI i's mean (i + 1); the ROIs offered, by name.
    int subject() const;
    void setRoiNames(const QStringList& names);
    void setSubject(int subject);

    double fromNm() const;
    double toNm() const;
    int rowCount() const;
    int visibleRowCount() const;
    QString rowName(int row) const;
    void setFilterText(const QString& text);
    void setRowShown(int row, bool shown); // as ticking its Show box
    bool isRowShown(int row) const;

signals:
    void rangeChanged(); // the range or the subject changed: rank again
    void showRequested(const QString& name, bool shown);

private:
    void applyFilter();

    QComboBox* mAgainst;
    QLineEdit* mFilter;
    QSpinBox* mFrom;
    QSpinBox* mTo;
    QLabel* mSubject;
    QTableWidget* mTable;
    bool mFilling = false;
};

} // namespace jezero::ui
