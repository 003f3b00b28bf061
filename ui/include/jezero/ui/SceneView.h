#pragma once
// The scene image: smooth zoom (wheel, around the cursor) and pan (drag), a hover position and
// clicks in pixel coordinates, and markers for the pixels whose spectra are shown.
#include <QColor>
#include <QGraphicsView>
#include <QImage>
#include <QPoint>
#include <QPolygonF>

class QGraphicsPathItem;
class QGraphicsPixmapItem;

namespace jezero::ui {

class SceneView : public QGraphicsView {
    Q_OBJECT
public:
    explicit SceneView(QWidget* parent = nullptr);

    // Inspect: click = spectrum, drag = pan. The others draw an ROI: Rectangle by dragging, Polygon by
    // clicking vertices and double-clicking to close, Freehand by dragging a closed outline. Esc cancels.
    enum class Tool { Inspect, Rectangle, Polygon, Freehand };
    Q_ENUM(Tool)
    void setTool(Tool tool);
    Tool tool() const { return mTool; }

    // The ROI outlines shown on the image (pixel coordinates), each in its colour.
    void setRois(const std::vector<std::pair<QPolygonF, QColor>>& rois);
    int roiCount() const { return static_cast<int>(mRoiItems.size()); }

    // Shows image (one image pixel per scene pixel); keepView keeps zoom and position.
    void setImage(const QImage& image, bool keepView = false);
    bool hasImage() const;
    void fitToWindow();
    // Fitted and neither zoomed nor panned since: a resize fits it again.
    bool isFitted() const { return mFitted; }

    // An image drawn over the scene (same size; transparent where nothing is shown), e.g. the
    // carbonate mask. A null image removes it.
    void setOverlay(const QImage& overlay);
    bool hasOverlay() const { return mOverlay != nullptr; }

    // Zoom and centre, to show several views of one grid in step (the comparison panels).
    QTransform viewTransform() const { return transform(); }
    QPointF viewCentre() const;
    void setView(const QTransform& zoom, const QPointF& centre);

    void addMarker(QPoint pixel, const QColor& colour);
    // A cross on pixel: where the cursor is in a linked view; (-1, -1) hides it.
    void setCursorMarker(QPoint pixel);
    QPoint cursorMarker() const { return mCursorPixel; }
    void clearMarkers();
    int markerCount() const { return static_cast<int>(mMarkers.size()); }

    // Where pixel (column, row) is drawn, in viewport coordinates (for tests and tools).
    QPoint viewportPosition(QPoint pixel) const;

signals:
    void pixelHovered(QPoint pixel);   // (-1, -1) when the cursor leaves the image
    void pixelClicked(QPoint pixel, Qt::KeyboardModifiers modifiers);
    // The user zoomed or panned (or the view was fitted); not emitted by setView.
    void viewChanged();
    // The view's size changed (after it fitted itself again when it was fitted).
    void resized();
    // A finished ROI outline in pixel coordinates; tool says which kind it was drawn with.
    void roiDrawn(jezero::ui::SceneView::Tool tool, const QPolygonF& outline);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QPoint pixelAt(QPoint viewportPos) const;
    void updateSketch(const QPointF& cursor);
    void finishSketch();
    void cancelSketch();

    QGraphicsPixmapItem* mImage = nullptr;
    QGraphicsPixmapItem* mOverlay = nullptr;
    bool mSettingView = false;
    QSize mImageSize;
    std::vector<QGraphicsItem*> mMarkers;
    QGraphicsItem* mCursorMarker = nullptr;
    bool mFitted = false; // fitted and not zoomed or panned since: a resize fits again (legends come and go)
    bool mAdjusting = false; // scroll-bar moves of a fit or a resize, not a pan
    QPoint mCursorPixel{-1, -1};
    QPoint mPressPos;
    Tool mTool = Tool::Inspect;
    QPolygonF mSketch;                     // the outline being drawn
    bool mIgnoreNextRelease = false;       // the release that ends a closing double-click
    QGraphicsPathItem* mSketchItem = nullptr;
    std::vector<QGraphicsItem*> mRoiItems;
};

} // namespace jezero::ui
