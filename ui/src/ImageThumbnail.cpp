#include "jezero/ui/ImageThumbnail.h"

#include <QPainter>

namespace jezero::ui {

ImageThumbnail::ImageThumbnail(QWidget* parent) : QWidget(parent) { setMinimumSize(120, 68); }

void ImageThumbnail::setImage(const QImage& image) {
    mImage = image;
    mMessage.clear();
    update();
}

void ImageThumbnail::setMessage(const QString& message) {
    mImage = QImage();
    mMessage = message;
    update();
}

void ImageThumbnail::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(40, 40, 44));
    if (mImage.isNull()) {
        painter.setPen(QColor(220, 220, 220));
        painter.drawText(rect().adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap, mMessage);
        return;
    }
    const QSize scaled = mImage.size().scaled(size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, mImage);
}

} // namespace jezero::ui
