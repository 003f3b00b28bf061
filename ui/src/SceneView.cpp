#include "jezero/ui/SceneView.h"

#include <QGraphicsEllipseItem>
#include <QGraphicsPathItem>
#include <QGraphicsPolygonItem>
#include <QKeyEvent>
#include <QPainterPath>
#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPen>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>
#include <utility>

namespace jezero::ui {
namespace {
constexpr int kClickTolerancePx = 4; // a press and release closer than this is a click, not a pan
constexpr double kZoomPerWheelStep = 1.15;
} // namespace

SceneView::SceneView(QWidget* parent) : QGraphicsView(parent) {
    setScene(new QGraphicsScene(this));
    setObjectName("sceneView");
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setMouseTracking(true);
    // Drag pans and the wheel zooms; scroll bars would only eat room (fitInView leaves a sliver).
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setBackgroundBrush(QColor(40, 40, 44));
    setMinimumSize(320, 240);
    viewport()->setCursor(Qt::CrossCursor);
    // Drag-panning moves the (hidden) scroll bars: that is how a pan shows up.
    for (QScrollBar* bar : {horizontalScrollBar(), verticalScrollBar()})
        connect(bar, &QScrollBar::valueChanged, this, [this] {
            if (mSettingView) return;
            if (!mAdjusting) mFitted = false; // a pan by hand (drag, keys), not a fit or a resize
            emit viewChanged();
        });
}

void SceneView::setImage(const QImage& image, bool keepView) {
    const bool sizeChanged = image.size() != mImageSize;
    if (!mImage) {
        mImage = scene()->addPixmap(QPixmap::fromImage(image));
        mImage->setTransformationMode(Qt::FastTransformation); // pixels stay crisp when zoomed
        mImage->setZValue(0);
    } else {
        mImage->setPixmap(QPixmap::fromImage(image));
    }
    mImageSize = image.size();
    scene()->setSceneRect(QRectF(QPointF(0, 0), QSizeF(mImageSize)));
    if (!keepView || sizeChanged) fitToWindow();
}

bool SceneView::hasImage() const { return mImage != nullptr; }

void SceneView::fitToWindow() {
    if (!mImage) return;
    // The image's rectangle, not the pixmap item: its shape is the opaque pixels only, so a scene with
    // a no-data border would be fitted to its valid part and cut off.
    mAdjusting = true;
    fitInView(QRectF(QPointF(0, 0), QSizeF(mImageSize)), Qt::KeepAspectRatio);
    mAdjusting = false;
    mFitted = true;
    emit viewChanged();
}

void SceneView::setOverlay(const QImage& overlay) {
    if (overlay.isNull()) {
        delete mOverlay;
        mOverlay = nullptr;
        return;
    }
    if (!mOverlay) {
        mOverlay = scene()->addPixmap(QPixmap::fromImage(overlay));
        mOverlay->setTransformationMode(Qt::FastTransformation);
        mOverlay->setZValue(0.3); // above the image, below ROIs and markers
    } else {
        mOverlay->setPixmap(QPixmap::fromImage(overlay));
    }
}

QPointF SceneView::viewCentre() const { return mapToScene(viewport()->rect().center()); }

void SceneView::setView(const QTransform& zoom, const QPointF& centre) {
    mFitted = false; // another view leads; it refits itself and this one follows
    mSettingView = true;
    setTransform(zoom);
    centerOn(centre);
    mSettingView = false;
}

void SceneView::setTool(Tool tool) {
    cancelSketch();
    mTool = tool;
    setDragMode(tool == Tool::Inspect ? QGraphicsView::ScrollHandDrag : QGraphicsView::NoDrag);
    viewport()->setCursor(Qt::CrossCursor);
}

void SceneView::setRois(const std::vector<std::pair<QPolygonF, QColor>>& rois) {
    for (QGraphicsItem* item : mRoiItems) {
        scene()->removeItem(item);
        delete item;
    }
    mRoiItems.clear();
    for (const auto& [outline, colour] : rois) {
        QColor fill = colour;
        fill.setAlpha(50);
        QPen pen(colour, 2);
        pen.setCosmetic(true); // two screen pixels at any zoom
        auto* item = scene()->addPolygon(outline, pen, fill);
        item->setZValue(0.5);
        mRoiItems.push_back(item);
    }
}

void SceneView::updateSketch(const QPointF& cursor) {
    QPolygonF outline = mSketch;
    if (mTool == Tool::Rectangle && !mSketch.isEmpty()) outline = QPolygonF(QRectF(mSketch.front(), cursor).normalized());
    else if (mTool == Tool::Polygon) outline << cursor;
    QPainterPath path;
    path.addPolygon(outline);
    if (!mSketchItem) {
        QPen pen(Qt::yellow, 1.5, Qt::DashLine);
        pen.setCosmetic(true);
        mSketchItem = scene()->addPath(path, pen);
        mSketchItem->setZValue(2);
    } else {
        mSketchItem->setPath(path);
    }
}

void SceneView::finishSketch() {
    QPolygonF outline = mSketch;
    cancelSketch();
    if (outline.size() >= 3 && QPolygonF(outline).boundingRect().width() * outline.boundingRect().height() > 0)
        emit roiDrawn(mTool, outline);
}

void SceneView::cancelSketch() {
    mSketch.clear();
    if (mSketchItem) {
        scene()->removeItem(mSketchItem);
        delete mSketchItem;
        mSketchItem = nullptr;
    }
}

void SceneView::addMarker(QPoint pixel, const QColor& colour) {
    // A ring drawn in screen pixels around the pixel's centre, the same size at every zoom.
    auto* ring = scene()->addEllipse(-7, -7, 14, 14, QPen(colour, 2.5), Qt::NoBrush);
    ring->setFlag(QGraphicsItem::ItemIgnoresTransformations);
    ring->setPos(pixel.x() + 0.5, pixel.y() + 0.5);
    ring->setZValue(1);
    auto* dot = scene()->addEllipse(-1.5, -1.5, 3, 3, QPen(Qt::black, 0.5), QBrush(colour));
    dot->setFlag(QGraphicsItem::ItemIgnoresTransformations);
    dot->setParentItem(ring);
    mMarkers.push_back(ring);
}

void SceneView::setCursorMarker(QPoint pixel) {
    mCursorPixel = pixel;
    if (!mCursorMarker) {
        // A cross in screen pixels with a dark outline, readable on any layer.
        QPainterPath cross;
        cross.moveTo(-9, 0), cross.lineTo(-3, 0), cross.moveTo(3, 0), cross.lineTo(9, 0);
        cross.moveTo(0, -9), cross.lineTo(0, -3), cross.moveTo(0, 3), cross.lineTo(0, 9);
        auto* halo = scene()->addPath(cross, QPen(Qt::black, 3.5));
        halo->setFlag(QGraphicsItem::ItemIgnoresTransformations);
        halo->setZValue(2);
        scene()->addPath(cross, QPen(Qt::yellow, 1.5))->setParentItem(halo);
        mCursorMarker = halo;
    }
    mCursorMarker->setVisible(pixel.x() >= 0);
    mCursorMarker->setPos(pixel.x() + 0.5, pixel.y() + 0.5);
}

void SceneView::clearMarkers() {
    for (QGraphicsItem* marker : mMarkers) {
        scene()->removeItem(marker);
        delete marker;
    }
    mMarkers.clear();
}

QPoint SceneView::viewportPosition(QPoint pixel) const { return mapFromScene(QPointF(pixel.x() + 0.5, pixel.y() + 0.5)); }

QPoint SceneView::pixelAt(QPoint viewportPos) const {
    const QPointF p = mapToScene(viewportPos);
    const QPoint pixel(static_cast<int>(std::floor(p.x())), static_cast<int>(std::floor(p.y())));
    if (!mImage || pixel.x() < 0 || pixel.y() < 0 || pixel.x() >= mImageSize.width() || pixel.y() >= mImageSize.height())
        return {-1, -1};
    return pixel;
}

void SceneView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) return;
    const double factor = std::pow(kZoomPerWheelStep, steps);
    const double current = transform().m11();
    if ((current > 64 && factor > 1) || (current < 0.02 && factor < 1)) return;
    scale(factor, factor);
    mFitted = false;
    emit viewChanged();
    event->accept();
}

void SceneView::resizeEvent(QResizeEvent* event) {
    mAdjusting = true; // the scroll bars the resize moves are no pan
    QGraphicsView::resizeEvent(event);
    mAdjusting = false;
    if (mFitted && mImage) fitToWindow(); // a colour bar or legend appeared under the map: still the whole scene
    emit resized();
}

void SceneView::mousePressEvent(QMouseEvent* event) {
    mPressPos = event->position().toPoint();
    mIgnoreNextRelease = false; // a new click: the double-click's release did not come
    if (mTool != Tool::Inspect && mImage && event->button() == Qt::LeftButton) {
        const QPointF at = mapToScene(mPressPos);
        if (mTool == Tool::Rectangle || mTool == Tool::Freehand) mSketch = QPolygonF{at};
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void SceneView::mouseReleaseEvent(QMouseEvent* event) {
    if (std::exchange(mIgnoreNextRelease, false)) return;
    if (mTool != Tool::Inspect && mImage && event->button() == Qt::LeftButton) {
        const QPointF at = mapToScene(event->position().toPoint());
        if (mTool == Tool::Rectangle && !mSketch.isEmpty()) {
            mSketch = QPolygonF(QRectF(mSketch.front(), at).normalized());
            mSketch.removeLast(); // QPolygonF(QRectF) closes the ring; ROIs keep it open
            finishSketch();
        } else if (mTool == Tool::Freehand && !mSketch.isEmpty()) {
            mSketch << at;
            finishSketch();
        } else if (mTool == Tool::Polygon) {
            mSketch << at;
            updateSketch(at);
        }
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
    viewport()->setCursor(Qt::CrossCursor);
    if (event->button() != Qt::LeftButton) return;
    if ((event->position().toPoint() - mPressPos).manhattanLength() > kClickTolerancePx) return;
    const QPoint pixel = pixelAt(event->position().toPoint());
    if (pixel.x() >= 0) emit pixelClicked(pixel, event->modifiers());
}

void SceneView::mouseMoveEvent(QMouseEvent* event) {
    if (mTool != Tool::Inspect && !mSketch.isEmpty()) {
        const QPointF at = mapToScene(event->position().toPoint());
        if (mTool == Tool::Freehand && (event->buttons() & Qt::LeftButton)) mSketch << at;
        updateSketch(at);
    }
    QGraphicsView::mouseMoveEvent(event);
    emit pixelHovered(pixelAt(event->position().toPoint()));
}

void SceneView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (mTool == Tool::Polygon) {
        // A physical double-click arrives as press, release (which added this vertex), double-click,
        // release; some sources skip the first release. Add the vertex unless it is there, then close,
        // and let the trailing release (if any) start nothing.
        const QPointF at = mapToScene(event->position().toPoint());
        if (mSketch.isEmpty() || QLineF(mSketch.back(), at).length() > 1e-6) mSketch << at;
        finishSketch();
        mIgnoreNextRelease = true;
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void SceneView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape && !mSketch.isEmpty()) {
        cancelSketch();
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && mTool == Tool::Polygon) {
        finishSketch();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void SceneView::leaveEvent(QEvent* event) {
    QGraphicsView::leaveEvent(event);
    emit pixelHovered({-1, -1});
}

} // namespace jezero::ui
