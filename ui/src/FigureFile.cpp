#include "jezero/ui/FigureFile.h"

#include "jezero/core/Error.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <cmath>

namespace jezero::ui {

void writeFigureFile(const FigureFile& figure, const std::function<void(QPaintDevice& device, double scale)>& draw) {
    const QString suffix = QFileInfo(figure.path).suffix().toLower();
    if (suffix != "png" && suffix != "svg" && suffix != "pdf")
        throw Error("a figure is written as .png, .svg or .pdf, not '" + figure.path.toStdString() + "'");
    QSaveFile file(figure.path); // a reader never sees half a figure; a failed write leaves the old one
    if (!file.open(QIODevice::WriteOnly)) throw Error("cannot write " + figure.path.toStdString() + ": " + file.errorString().toStdString());
    const double width = figure.size.width(), height = figure.size.height();
    if (suffix == "png") {
        const double scale = 300.0 / figure.unitsPerInch;
        QImage image(static_cast<int>(std::ceil(width * scale)), static_cast<int>(std::ceil(height * scale)), QImage::Format_ARGB32);
        // While drawing, the image's resolution is the figure units' (fonts in points become the
        // figure units the layout expects; the painter's scale does the rest); saved as 300 dpi.
        const int unitsPerMetre = static_cast<int>(std::lround(figure.unitsPerInch / 0.0254));
        image.setDotsPerMeterX(unitsPerMetre);
        image.setDotsPerMeterY(unitsPerMetre);
        image.fill(Qt::white);
        draw(image, scale);
        image.setDotsPerMeterX(11811); // 300 dpi
        image.setDotsPerMeterY(11811);
        if (!image.save(&file, "PNG")) throw Error("cannot write " + figure.path.toStdString());
    } else if (suffix == "svg") {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(QSize(static_cast<int>(std::ceil(width)), static_cast<int>(std::ceil(height))));
        svg.setViewBox(QRectF(0, 0, width, height));
        svg.setResolution(static_cast<int>(figure.unitsPerInch));
        svg.setTitle(figure.title);
        svg.setDescription(figure.description);
        draw(svg, 1.0);
    } else {
        QPdfWriter pdf(&file);
        pdf.setTitle(figure.title);
        pdf.setCreator("Jezero");
        pdf.setResolution(static_cast<int>(figure.unitsPerInch));
        // A page the figure's size, no margins.
        pdf.setPageSize(QPageSize(QSizeF(width / figure.unitsPerInch * 25.4, height / figure.unitsPerInch * 25.4), QPageSize::Millimeter));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        draw(pdf, 1.0);
    }
    if (!file.commit()) throw Error("cannot write " + figure.path.toStdString() + ": " + file.errorString().toStdString());
}

QString askFigurePath(QWidget* parent, const QString& title) {
    QFileDialog dialog(parent, title, {}, QObject::tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix("png"); // a name typed without one
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return {};
    return dialog.selectedFiles().first();
}

} // namespace jezero::ui
