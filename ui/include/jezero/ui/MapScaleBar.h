#pragma once
// Under the map while it shows one parameter: the colour bar with its limits, the colour table, and
// how the limits are set — percentiles of the scene, or fixed numbers that stay with the parameter
// (the same stretch on every scene, as CRISM's browse products do). Remembered per parameter.
#include "jezero/core/ColourMap.h"

#include <QString>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace jezero::ui {

class ColourStrip;

class MapScaleBar : public QWidget {
    Q_OBJECT
public:
    explicit MapScaleBar(QWidget* parent = nullptr);

    // The scale for parameter `channel` of image: the parameter's remembered table and limits mode
    // (percentiles computed on image, or its fixed limits); the bar then shows it.
    MapScale scaleFor(const QString& parameter, const ImageStack& image, int channel);
    // The same scale without showing it (a second map of the parameter).
    static MapScale rememberedScale(const QString& parameter, const ImageStack& image, int channel);

    QString parameter() const { return mParameter; }
    bool fixedLimits() const;
    // As a person sets them: fixed limits (switches the mode to Fixed), the colour table.
    void setFixedLimits(double low, double high);
    void setColourTable(ColourTable table);
    ColourTable colourTable() const;
    double low() const;
    double high() const;
    // The stretch histogram shown above the colour strip (shares of the values between the limits).
    const ValueHistogram& histogram() const;

signals:
    // The table or the limits changed: the map should be drawn again with scaleFor().
    void changed();

private:
    void remember() const;

    QString mParameter;
    QLabel* mName;
    ColourStrip* mStrip;
    QDoubleSpinBox* mLow;
    QDoubleSpinBox* mHigh;
    QComboBox* mMode;
    QComboBox* mTable;
    bool mUpdating = false;
};

} // namespace jezero::ui
