#pragma once
// The scene as a hyperspectral "data cube" in 3D: the RGB composite on the top face, the spectral
// dimension as depth (band 0, the shortest wavelength, at the top), and a colour-mapped spectral slice
// on the front face (per column, its frontmost pixel with data) and the right face (per row, its
// rightmost pixel with data: a rotated footprint shows its edge, not no data), both on one stretch
// that a colour bar shows. Drag rotates (trackball),
// the right button or the wheel zooms, the middle button pans, R resets the view; a click on the top
// face picks that pixel. VTK draws it; its headers stay in the .cpp so nothing else depends on them.
#include "jezero/core/Composite.h"
#include "jezero/core/SpectralCube.h"

#include <QOpenGLWidget>
#include <QPoint>
#include <QPointF>
#include <QSize>
#include <QString>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace jezero::ui {

class CubeView : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit CubeView(QWidget* parent = nullptr);
    ~CubeView() override;

    // VTK needs an OpenGL 3.2 core context with a depth buffer: call before the QApplication exists.
    static void setDefaultSurfaceFormat();

    // Shows cube with `top` (normally the composite of the same scene) on its top face and resets the
    // view. Large scenes are drawn from textures of at most 512 texels a side; picking stays exact.
    void setScene(std::shared_ptr<const SpectralCube> cube, const CompositeImage& top);
    void clear();
    bool hasScene() const;

    // Marks pixel (column, row) on the top face; (-1, -1) removes the marker.
    void setSelectedPixel(QPoint pixel);

    // A 3/4 view from above the front-right corner: top, front and right faces visible.
    void resetCamera();
    // Straight down on the top face, row 0 at the top of the widget as in the 2D view.
    void viewFromTop();

    // Where the centre of pixel (column, row) on the top face is drawn, in widget coordinates.
    QPoint widgetPosition(QPoint pixel) const;
    // The wavelength scale drawn beside the cube's front-left edge (the depth): each tick's
    // wavelength, label and position in widget coordinates for the current camera.
    struct DepthTick {
        double wavelengthNm;
        QString label; // "1.5 µm"
        QPointF position;
    };
    std::vector<DepthTick> depthTicks() const;

    // The I/F range the side faces' colours span (viridis, the 2nd to 98th percentile of both sides'
    // values; the colour bar at the bottom right shows it); none without a scene.
    std::optional<std::pair<double, double>> sideRange() const;

    // The top face's texture in texels (the scene subsampled to at most 512 a side); empty without a scene.
    QSize topTextureSize() const;

signals:
    void pixelPicked(QPoint pixel); // a click (press and release without dragging) on the top face

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Impl;
    std::unique_ptr<Impl> mImpl;
    QPoint mPressPos;
    QWidget* mDepthScale; // the wavelength scale over the picture
    QWidget* mSideColourBar; // the side faces' colour bar
};

} // namespace jezero::ui
