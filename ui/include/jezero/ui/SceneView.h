#pragma once
// The scene image: smooth zoom (wheel, around the cursor) and pan (drag), a hover position and
// clicks in pixel coordinates, and markers for the pixels whose spectra are shown.
#include <QColor>
#include <QGraphicsView>
#include <QImage>
#include <QPoint>

class QGraphicsPixmapItem;

namespace jezero::ui {

class SceneView : public QGraphicsView {
    Q_OBJECT
public:
    explicit SceneView(QWidget* parent = nullptr);

    // Shows image (one image pixel per scene pixel); keepView keeps zoom and position.
    void setImage(const QImage& image, bool keepView = false);
    bool hasImage() const;
    void fitToWindow();

    void addMarker(QPoint pixel, const QColor& colour);
    void clearMarkers();
    int markerCount() const { return static_cast<int>(mMarkers.size()); }

    // Where pixel (column, row) is drawn, in viewport coordinates (for tests and tools).
    QPoint viewportPosition(QPoint pixel) const;

signals:
    void pixelHovered(QPoint pixel);   // (-1, -1) when the cursor leaves the image
    void pixelClicked(QPoint pixel, Qt::KeyboardModifiers modifiers);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    QPoint pixelAt(QPoint viewportPos) const;

    QGraphicsPixmapItem* mImage = nullptr;
    QSize mImageSize;
    std::vector<QGraphicsItem*> mMarkers;
    QPoint mPressPos;
};

} // namespace jezero::ui
