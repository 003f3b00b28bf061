#pragma once
// The "Parameters" dock: choose what the map shows (the composite, a browse product such as FAL or
// CAR, or any single summary parameter), and read every summary parameter of the clicked pixel.
#include <QPoint>
#include <QSize>
#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;

namespace jezero::ui {

// A parameter's formula and what it maps (the bundled table), as rich-text tooltip.
QString parameterToolTip(const std::string& name);
// "D2300 (unitless)", "R770 (I/F)": the name and the unit its formula gives (core describeParameter).
QString parameterWithUnit(const QString& name);

// Fills choice with every map layer — the composite, the browse products, the summary parameters —
// each item's data its layer id ("composite", "browse:FAL", "param:D2300"). One list for every map.
void addMapLayers(QComboBox* choice);

class ParametersPanel : public QWidget {
    Q_OBJECT
public:
    explicit ParametersPanel(QWidget* parent = nullptr);

    // Layer ids: "composite", "browse:FAL", "param:D2300".
    QString currentLayer() const;
    void setCurrentLayer(const QString& id);
    QStringList layers() const;

    void showPixel(QPoint pixel, const std::vector<std::string>& names, const std::vector<float>& values);
    void clearPixel();
    // The value shown for a parameter of the clicked pixel ("" when none), for tests and tooltips.
    QString shownValue(const QString& parameter) const;
    QSize sizeHint() const override { return {290, 420}; }

signals:
    void layerChosen(const QString& id);

private:
    QComboBox* mLayer;
    QLabel* mPixelLabel;
    QTableWidget* mTable;
};

} // namespace jezero::ui
