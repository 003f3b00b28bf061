#pragma once
// One way to write a figure for a paper: PNG (at 300 dpi), SVG or PDF (vectors), chosen by the file's
// suffix and written atomically. The figure is drawn in its own units — unitsPerInch of them to an
// inch (300: a unit is a 300-dpi pixel, as map figures use; 96: a screen pixel, as on-screen plots use).
#include <QSizeF>
#include <QString>

#include <functional>

class QPaintDevice;
class QWidget;

namespace jezero::ui {

struct FigureFile {
    QString path;         // .png, .svg or .pdf
    QSizeF size;          // in figure units
    double unitsPerInch = 300;
    QString title;        // the SVG's and PDF's title
    QString description;  // the SVG's description
};

// Calls draw with the device to paint on and the scale from figure units to the device's (a painter
// made on the device must apply it); the PNG starts white. Throws Error for another suffix or a file
// that cannot be written (the old file, if any, stays).
void writeFigureFile(const FigureFile& figure, const std::function<void(QPaintDevice& device, double scale)>& draw);
// Asks where to save a figure (PNG, SVG or PDF; .png when no suffix is typed); empty when canceled.
QString askFigurePath(QWidget* parent, const QString& title);

} // namespace jezero::ui
