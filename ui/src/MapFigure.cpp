#include "jezero/ui/MapFigure.h"
#include "jezero/ui/FigureFile.h"

#include "jezero/core/Error.h"
#include "jezero/core/MapFigure.h"

#include <QFont>
#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace jezero::ui {
namespace {

// Figure units: the map is drawn at an integer zoom so that its longer side is at least ~1200 units
// (PNG pixels); text and margins scale with it so a PDF looks the same as the PNG.
constexpr double kTargetMapSide = 1200;

// Sizes in figure units (pixels), not points: a PNG, an SVG and a PDF then lay out alike whatever
// resolution their device reports.
QFont fontOf(double size) {
    QFont font("DejaVu Sans");
    font.setPixelSize(std::max(1, static_cast<int>(std::lround(size))));
    return font;
}

struct Metrics {
    double unit;   // one "point" of text and lines
    double margin, titleHeight, labelSpace, colourBarWidth, bottomSpace;
};

Metrics metricsFor(const MapFigureContent& content, double mapWidth, double mapHeight) {
    Metrics m;
    m.unit = std::max(mapWidth, mapHeight) / 600.0;
    m.margin = 12 * m.unit;
    m.titleHeight = 28 * m.unit;
    m.labelSpace = content.geolocator && content.grid ? 56 * m.unit : 0;
    m.colourBarWidth = content.colourBar ? 110 * m.unit : content.channelKey ? 210 * m.unit : 0;
    // Room for the colour bar's title ("MIN2295_2480 (unitless)"), drawn over the bar's column.
    if (content.colourBar)
        m.colourBarWidth = std::max(m.colourBarWidth, QFontMetricsF(fontOf(9 * m.unit)).horizontalAdvance(content.colourBar->name) + 8 * m.unit);
    m.bottomSpace = (content.geolocator && content.grid ? 22 * m.unit : 0) + (content.geolocator && content.scaleBar ? 34 * m.unit : 0);
    return m;
}


// Text drawn so it reads on any map colour: a light halo, then dark text.
void haloText(QPainter& painter, QPointF at, const QString& text, const QFont& font, double unit) {
    QPainterPath path;
    path.addText(at, font, text);
    painter.setPen(QPen(QColor(255, 255, 255, 220), 3 * unit, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::black);
    painter.drawPath(path);
}

QString formatValue(double v) { return QString::number(v, 'g', 4); }

} // namespace

MapFigureLayout layoutMapFigure(const MapFigureContent& content) {
    if (content.map.isNull()) throw Error("no map to make a figure of");
    MapFigureLayout layout;
    const int side = std::max(content.map.width(), content.map.height());
    layout.zoom = std::max(1.0, std::ceil(kTargetMapSide / side));
    const double w = content.map.width() * layout.zoom, h = content.map.height() * layout.zoom;
    const Metrics m = metricsFor(content, w, h);
    layout.map = QRectF(m.margin + m.labelSpace, m.margin + m.titleHeight, w, h);
    layout.width = layout.map.right() + m.margin + m.colourBarWidth;
    layout.height = layout.map.bottom() + m.bottomSpace + m.margin;
    return layout;
}

MapFigureLayout paintMapFigure(QPainter& painter, const MapFigureContent& content) {
    MapFigureLayout layout = layoutMapFigure(content);
    const QRectF map = layout.map;
    const Metrics m = metricsFor(content, map.width(), map.height());
    const double u = m.unit;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.fillRect(QRectF(0, 0, layout.width, layout.height), Qt::white);

    painter.setPen(Qt::black);
    painter.setFont(fontOf(13 * u));
    painter.drawText(QRectF(m.margin, m.margin, layout.width - 2 * m.margin, m.titleHeight), Qt::AlignLeft | Qt::AlignVCenter, content.title);

    // The map, its pixels kept square and sharp: scaled here, without smoothing, so an SVG or PDF
    // viewer (which smooths an embedded image it scales) shows blocks too.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(map.topLeft(), content.map.scaled(static_cast<int>(std::lround(map.width())), static_cast<int>(std::lround(map.height())),
                                                        Qt::IgnoreAspectRatio, Qt::FastTransformation));
    painter.setPen(QPen(Qt::black, 0.8 * u));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(map);
    const auto toFigure = [&](double x, double y) { return QPointF(map.left() + x * layout.zoom, map.top() + y * layout.zoom); };
    const int mapW = content.map.width(), mapH = content.map.height();

    if (content.geolocator && content.grid) {
        const auto lines = graticule(*content.geolocator, mapW, mapH);
        painter.save();
        painter.setClipRect(map);
        painter.setPen(QPen(QColor(255, 255, 255, 170), 0.9 * u, Qt::DashLine));
        for (const GraticuleLine& line : lines)
            for (const auto& s : line.segments) painter.drawLine(toFigure(s[0], s[1]), toFigure(s[2], s[3]));
        painter.restore();
        // Labels outside the frame where a line meets its edge; inside, with a halo, where it does not.
        const QFont font = fontOf(8.5 * u);
        const QFontMetricsF fm(font);
        painter.setFont(font);
        painter.setPen(Qt::black);
        for (const GraticuleLine& line : lines) {
            const QString text = QString::fromStdString(line.label);
            const QPointF at = toFigure(line.labelX, line.labelY);
            if (line.latitude && line.labelX < 0.5) {
                painter.drawText(QRectF(map.left() - m.labelSpace, at.y() - fm.height() / 2, m.labelSpace - 4 * u, fm.height()),
                                 Qt::AlignRight | Qt::AlignVCenter, text);
            } else if (!line.latitude && line.labelY > mapH - 0.5) {
                painter.drawText(QRectF(at.x() - 60 * u, map.bottom() + 3 * u, 120 * u, fm.height()), Qt::AlignHCenter | Qt::AlignTop, text);
            } else {
                haloText(painter, at + QPointF(3 * u, -3 * u), text, font, u);
                painter.setPen(Qt::black);
            }
        }
        layout.gridLines = static_cast<int>(lines.size());
    }

    if (content.geolocator && content.scaleBar) {
        if (const auto bar = chooseScaleBar(*content.geolocator, mapW, mapH)) {
            const double length = bar->lengthPx * layout.zoom;
            const double y = layout.height - m.margin - 12 * u;
            const double x = map.left();
            // Alternating black and white halves, as on a topographic map.
            painter.setPen(QPen(Qt::black, 0.8 * u));
            painter.setBrush(Qt::black);
            painter.drawRect(QRectF(x, y - 5 * u, length / 2, 5 * u));
            painter.setBrush(Qt::white);
            painter.drawRect(QRectF(x + length / 2, y - 5 * u, length / 2, 5 * u));
            painter.setFont(fontOf(9 * u));
            painter.setPen(Qt::black);
            painter.drawText(QRectF(x + length + 6 * u, y - 14 * u, 200 * u, 18 * u), Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(bar->label));
            painter.drawText(QRectF(x - 20 * u, y - 22 * u, 40 * u, 14 * u), Qt::AlignHCenter | Qt::AlignBottom, "0");
            layout.scaleBarDrawn = true;
            layout.scaleBarLabel = QString::fromStdString(bar->label);
        }
    }

    if (content.geolocator && content.northArrow) {
        if (const auto bearing = northBearingDeg(*content.geolocator, mapW / 2.0, mapH / 2.0)) {
            const QPointF centre(map.right() - 30 * u, map.top() + 34 * u);
            painter.save();
            painter.translate(centre);
            painter.setPen(QPen(Qt::black, 0.8 * u));
            painter.setBrush(QColor(255, 255, 255, 210));
            painter.drawEllipse(QPointF(0, 0), 22 * u, 22 * u);
            painter.rotate(*bearing);
            QPainterPath arrow;
            arrow.moveTo(0, -16 * u);
            arrow.lineTo(7 * u, 10 * u);
            arrow.lineTo(0, 5 * u);
            arrow.lineTo(-7 * u, 10 * u);
            arrow.closeSubpath();
            painter.setBrush(Qt::black);
            painter.drawPath(arrow);
            painter.restore();
            // "N" beyond the arrow's tip, upright.
            const double r = 22 * u + 8 * u, a = *bearing * M_PI / 180;
            painter.setFont(fontOf(9 * u));
            haloText(painter, centre + QPointF(r * std::sin(a) - 4 * u, -r * std::cos(a) + 4 * u), "N", fontOf(9 * u), u);
            layout.northArrowDrawn = true;
            layout.northBearingDeg = *bearing;
        }
    }

    if (content.colourBar) {
        const auto& bar = *content.colourBar;
        const QRectF strip(map.right() + m.margin + 8 * u, map.top() + 20 * u, 18 * u, map.height() - 40 * u);
        QLinearGradient gradient(strip.bottomLeft(), strip.topLeft());
        for (int i = 0; i <= 32; ++i) {
            const auto c = colourAt(bar.scale.table, i / 32.0);
            gradient.setColorAt(i / 32.0, QColor(c[0], c[1], c[2]));
        }
        painter.setPen(QPen(Qt::black, 0.8 * u));
        painter.setBrush(gradient);
        painter.drawRect(strip);
        painter.setFont(fontOf(8.5 * u));
        // Round values, as a printed colour bar has them (the stretch's own limits are in the title's text).
        const std::vector<double> ticks = niceTicks(bar.scale.low, bar.scale.high, 5);
        const int decimals = tickDecimals(ticks);
        for (const double value : ticks) {
            const double t = (value - bar.scale.low) / (bar.scale.high - bar.scale.low), y = strip.bottom() - t * strip.height();
            painter.drawLine(QPointF(strip.right(), y), QPointF(strip.right() + 4 * u, y));
            painter.drawText(QRectF(strip.right() + 6 * u, y - 8 * u, 80 * u, 16 * u), Qt::AlignLeft | Qt::AlignVCenter, QString::number(value, 'f', decimals));
        }
        painter.setFont(fontOf(9 * u));
        painter.drawText(QRectF(strip.left(), map.top() - 2 * u, m.colourBarWidth, 18 * u), Qt::AlignLeft | Qt::AlignVCenter, bar.name);
        layout.colourBarDrawn = true;
    }
    if (content.channelKey && !content.colourBar) {
        // Three vertical ramps, black to full R, G and B, with what each shows and its limits.
        const auto& key = *content.channelKey;
        const QColor colours[3] = {Qt::red, Qt::green, Qt::blue};
        const char* letters[3] = {"R", "G", "B"};
        const double columnWidth = (m.colourBarWidth - 8 * u) / 3;
        for (int c = 0; c < 3; ++c) {
            const double left = map.right() + m.margin + 4 * u + c * columnWidth;
            const QRectF strip(left, map.top() + 36 * u, 14 * u, map.height() - 56 * u);
            QLinearGradient gradient(strip.bottomLeft(), strip.topLeft());
            gradient.setColorAt(0, Qt::black);
            gradient.setColorAt(1, colours[c]);
            painter.setPen(QPen(Qt::black, 0.8 * u));
            painter.setBrush(gradient);
            painter.drawRect(strip);
            painter.setFont(fontOf(8 * u));
            painter.drawText(QRectF(left, map.top() - 2 * u, columnWidth, 18 * u), Qt::AlignLeft | Qt::AlignVCenter, letters[c]);
            painter.drawText(QRectF(left, map.top() + 14 * u, columnWidth, 18 * u), Qt::AlignLeft | Qt::AlignVCenter, key.names.value(c));
            const double textLeft = strip.right() + 3 * u, textWidth = left + columnWidth - textLeft;
            painter.drawText(QRectF(textLeft, strip.top() - 2 * u, textWidth, 14 * u), Qt::AlignLeft | Qt::AlignTop, formatValue(key.channels[c].high));
            painter.drawText(QRectF(textLeft, strip.bottom() - 12 * u, textWidth, 14 * u), Qt::AlignLeft | Qt::AlignBottom, formatValue(key.channels[c].low));
        }
        layout.colourBarDrawn = true;
    }
    painter.restore();
    return layout;
}

MapFigureLayout writeMapFigure(const QString& path, const MapFigureContent& content) {
    const MapFigureLayout layout = layoutMapFigure(content);
    MapFigureLayout drawn;
    writeFigureFile({path, QSizeF(layout.width, layout.height), 300, content.title, "Jezero map figure"}, [&](QPaintDevice& device, double scale) {
        QPainter painter(&device);
        if (!painter.isActive()) throw Error("cannot draw the figure for " + path.toStdString());
        painter.scale(scale, scale);
        drawn = paintMapFigure(painter, content);
    });
    return drawn;
}

} // namespace jezero::ui
