#pragma once
// A one-line colour scale under a map: the table from low (left) to high (right), each end labelled
// with its value. Empty (and hidden by its owner) without a scale.
#include "jezero/core/ColourMap.h"

#include <QString>
#include <QWidget>

#include <optional>

namespace jezero::ui {

class ColourScaleStrip : public QWidget {
    Q_OBJECT
public:
    explicit ColourScaleStrip(QWidget* parent = nullptr);
    // unit follows each end's value ("%": "0 %", "50 %").
    void setScale(std::optional<MapScale> scale, const QString& unit = {});
    const std::optional<MapScale>& scale() const { return mScale; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    std::optional<MapScale> mScale;
    QString mUnit;
};

} // namespace jezero::ui
