#include "jezero/ui/ColourScaleStrip.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>

namespace jezero::ui {

ColourScaleStrip::ColourScaleStrip(QWidget* parent) : QWidget(parent) {
    setFixedHeight(QFontMetrics(font()).height() + 16);
    setMinimumWidth(60);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed); // never widens the column it sits in
}

void ColourScaleStrip::setScale(std::optional<MapScale> scale, const QString& unit) {
    mScale = scale;
    mUnit = unit;
    update();
}

void ColourScaleStrip::paintEvent(QPaintEvent*) {
    if (!mScale) return;
    const MapScale& s = *mScale;
    QPainter painter(this);
    const QString suffix = mUnit.isEmpty() ? QString() : " " + mUnit;
    const QString low = QString::number(s.low, 'g', 4) + suffix, high = QString::number(s.high, 'g', 4) + suffix;
    const QFontMetrics metrics(font());
    const int left = metrics.horizontalAdvance(low) + 10, right = width() - metrics.horizontalAdvance(high) - 10;
    const QRect strip(left, 4, std::max(10, right - left), height() - 8);
    QLinearGradient gradient(strip.topLeft(), strip.topRight());
    for (int i = 0; i <= 16; ++i) {
        const auto c = colourAt(s.table, i / 16.0);
        gradient.setColorAt(i / 16.0, QColor(c[0], c[1], c[2]));
    }
    painter.fillRect(strip, gradient);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawRect(strip.adjusted(0, 0, -1, -1));
    painter.drawText(QRect(0, 0, left - 4, height()), Qt::AlignRight | Qt::AlignVCenter, low);
    painter.drawText(QRect(strip.right() + 5, 0, width() - strip.right() - 5, height()), Qt::AlignLeft | Qt::AlignVCenter, high);
}

} // namespace jezero::ui
