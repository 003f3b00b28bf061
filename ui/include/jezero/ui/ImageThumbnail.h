#pragma once
#include <QImage>
#include <QWidget>

namespace jezero::ui {

// An image scaled to fit the widget, pixels kept crisp, centred on a dark background; a message in
// place of the image when there is none.
class ImageThumbnail : public QWidget {
    Q_OBJECT
public:
    explicit ImageThumbnail(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    void setMessage(const QString& message);
    bool hasImage() const { return !mImage.isNull(); }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage mImage;
    QString mMessage;
};

} // namespace jezero::ui
