#include "jezero/ui/CubeView.h"

#include "jezero/core/MapFigure.h"

#include <QKeyEvent>
#include <QFontMetricsF>
#include <QPainter>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellPicker.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkLineSource.h>
#include <vtkNew.h>
#include <vtkOpenGLState.h>
#include <vtkOutlineSource.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSphereSource.h>
#include <vtkTexture.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace jezero::ui {
namespace {
constexpr int kMaxTexels = 512;          // per texture side: keeps big scenes fast to build and draw
constexpr double kDepthPerSide = 0.4;    // cube depth as a fraction of the longer image side
constexpr int kClickTolerancePx = 4;     // a press and release closer than this is a click, not a drag

using Rgb = std::array<std::uint8_t, 3>;
constexpr Rgb kNoDataGrey{80, 80, 80};

// Viridis at nine evenly spaced stops (matplotlib's table), linearly interpolated: perceptually
// uniform and readable by colour-blind people.
Rgb viridis(double t) {
    static constexpr std::array<Rgb, 9> kStops{{{68, 1, 84}, {72, 40, 120}, {62, 73, 137}, {49, 104, 142},
        {38, 130, 142}, {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {253, 231, 37}}};
    const double s = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
    const std::size_t i = std::min(static_cast<std::size_t>(s), kStops.size() - 2);
    const double f = s - static_cast<double>(i);
    Rgb rgb;
    for (int c = 0; c < 3; ++c) rgb[c] = static_cast<std::uint8_t>(std::lround(kStops[i][c] * (1 - f) + kStops[i + 1][c] * f));
    return rgb;
}

// The sample shown at the centre of texel i when n samples are spread over `texels` texels.
int sampleAt(int i, int n, int texels) { return std::min(n - 1, static_cast<int>((i + 0.5) * n / texels)); }

// rgb holds width × height texels, its first row at the bottom (VTK's image order).
vtkSmartPointer<vtkTexture> makeTexture(int width, int height, const std::vector<Rgb>& rgb) {
    vtkNew<vtkImageData> image;
    image->SetDimensions(width, height, 1);
    image->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
    std::memcpy(image->GetScalarPointer(), rgb.data(), rgb.size() * sizeof(Rgb));
    auto texture = vtkSmartPointer<vtkTexture>::New();
    texture->SetInputData(image);
    texture->InterpolateOff(); // crisp pixels when zoomed in, as in the 2D view
    return texture;
}

// The composite subsampled to at most kMaxTexels a side; transparent (no-data) pixels grey.
vtkSmartPointer<vtkTexture> topTexture(const CompositeImage& top, int width, int height) {
    const int tw = std::min(width, kMaxTexels), th = std::min(height, kMaxTexels);
    std::vector<Rgb> rgb(static_cast<std::size_t>(tw) * th, kNoDataGrey);
    if (top.width > 0 && top.height > 0 && top.rgba.size() >= static_cast<std::size_t>(top.width) * top.height * 4) {
        for (int j = 0; j < th; ++j) {
            const int row = sampleAt(th - 1 - j, height, th) * top.height / height; // row 0 is the top texel row
            for (int i = 0; i < tw; ++i) {
                const int col = sampleAt(i, width, tw) * top.width / width;
                const std::uint8_t* p = top.rgba.data() + (static_cast<std::size_t>(row) * top.width + col) * 4;
                if (p[3] != 0) rgb[static_cast<std::size_t>(j) * tw + i] = {p[0], p[1], p[2]};
            }
        }
    }
    return makeTexture(tw, th, rgb);
}

// A spectral slice: samples along the face × bands, band 0 in the top texel row, subsampled to at most
// kMaxTexels a side.
struct Slice {
    int width = 0, height = 0;
    std::vector<float> values;
};

template <class ValueAt>
Slice spectralSlice(int samples, int bands, ValueAt value) {
    Slice slice;
    slice.width = std::min(samples, kMaxTexels);
    slice.height = std::min(bands, kMaxTexels);
    slice.values.resize(static_cast<std::size_t>(slice.width) * slice.height);
    for (int j = 0; j < slice.height; ++j) {
        const int band = sampleAt(slice.height - 1 - j, bands, slice.height);
        for (int i = 0; i < slice.width; ++i) slice.values[static_cast<std::size_t>(j) * slice.width + i] = value(sampleAt(i, samples, slice.width), band);
    }
    return slice;
}

// The 2nd and 98th percentile of the slices' finite values together: both sides on one stretch, so
// one colour bar reads them. (0, 1) when there are none.
std::pair<double, double> sliceRange(const std::vector<const Slice*>& slices) {
    std::vector<float> finite;
    for (const Slice* slice : slices)
        for (const float v : slice->values)
            if (std::isfinite(v)) finite.push_back(v);
    if (finite.empty()) return {0.0, 1.0};
    const auto percentile = [&finite](double p) {
        const auto k = static_cast<std::ptrdiff_t>(std::lround(p / 100.0 * static_cast<double>(finite.size() - 1)));
        std::nth_element(finite.begin(), finite.begin() + k, finite.end());
        return static_cast<double>(finite[static_cast<std::size_t>(k)]);
    };
    return {percentile(2.0), percentile(98.0)};
}

// The slice in viridis between low and high; NaN grey.
vtkSmartPointer<vtkTexture> sliceTexture(const Slice& slice, double low, double high) {
    std::vector<Rgb> rgb(slice.values.size());
    for (std::size_t k = 0; k < slice.values.size(); ++k)
        rgb[k] = !std::isfinite(slice.values[k]) ? kNoDataGrey : viridis(high > low ? (slice.values[k] - low) / (high - low) : 0.5);
    return makeTexture(slice.width, slice.height, rgb);
}

// A flat, unlit face spanned from origin by the edges to p1 (texture u) and p2 (texture v).
vtkSmartPointer<vtkActor> makeFace(const std::array<double, 3>& origin, const std::array<double, 3>& p1,
                                   const std::array<double, 3>& p2, vtkTexture* texture) {
    vtkNew<vtkPlaneSource> plane;
    plane->SetOrigin(origin[0], origin[1], origin[2]);
    plane->SetPoint1(p1[0], p1[1], p1[2]);
    plane->SetPoint2(p2[0], p2[1], p2[2]);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(plane->GetOutputPort());
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->LightingOff(); // colours as in the composite, whatever the view angle
    if (texture) actor->SetTexture(texture);
    else actor->GetProperty()->SetColor(0.3, 0.3, 0.32);
    return actor;
}

unsigned long buttonEvent(Qt::MouseButton button, bool press) {
    if (button == Qt::LeftButton) return press ? vtkCommand::LeftButtonPressEvent : vtkCommand::LeftButtonReleaseEvent;
    if (button == Qt::RightButton) return press ? vtkCommand::RightButtonPressEvent : vtkCommand::RightButtonReleaseEvent;
    return press ? vtkCommand::MiddleButtonPressEvent : vtkCommand::MiddleButtonReleaseEvent;
}

vtkSmartPointer<vtkActor> makeActor(vtkAlgorithm* source) {
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(source->GetOutputPort());
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->PickableOff(); // clicks go through to the top face
    return actor;
}
} // namespace

// World coordinates: x = column (0..width), y = height - row (row 0 at the back), z up; the top face
// is at z = 0 and the bottom at z = -depth. One world unit is one scene pixel, whatever the textures.
struct CubeView::Impl {
    CubeView* view;
    vtkNew<vtkGenericOpenGLRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkGenericRenderWindowInteractor> interactor;
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    vtkNew<vtkCellPicker> picker;
    vtkNew<vtkLineSource> markerStem;
    vtkNew<vtkSphereSource> markerHead;
    vtkSmartPointer<vtkActor> markerStemActor = makeActor(markerStem);
    vtkSmartPointer<vtkActor> markerHeadActor = makeActor(markerHead);
    vtkSmartPointer<vtkActor> topFace;
    std::shared_ptr<const SpectralCube> cube;
    std::optional<std::pair<double, double>> sideRange; // the side faces' stretch
    int width = 0;
    int height = 0;
    double depth = 0.0;
    bool inPaint = false;

    explicit Impl(CubeView* owner) : view(owner) {
        window->AddRenderer(renderer);
        renderer->SetBackground(40 / 255.0, 40 / 255.0, 44 / 255.0);
        renderer->SetBackgroundAlpha(1.0);
        // Not before initializeGL: there is no context to render with until then.
        window->SetReadyForRendering(false);
        // VTK renders into its own framebuffer; paintGL copies it into the widget's.
        window->SetFrameBlitModeToNoBlit();
        for (const unsigned long event : {vtkCommand::WindowMakeCurrentEvent, vtkCommand::WindowIsCurrentEvent,
                                          vtkCommand::WindowFrameEvent})
            window->AddObserver(event, this, &Impl::onWindowEvent);
        interactor->SetRenderWindow(window);
        interactor->SetInteractorStyle(style);
        interactor->EnableRenderOff(); // the camera moves on events; paintGL renders (after update())
        interactor->Enable();
        markerStemActor->GetProperty()->SetColor(1.0, 0.2, 1.0);
        markerStemActor->GetProperty()->SetLineWidth(3);
        markerStemActor->GetProperty()->LightingOff();
        markerHeadActor->GetProperty()->SetColor(1.0, 0.2, 1.0);
        markerHead->SetThetaResolution(24);
        markerHead->SetPhiResolution(16);
    }

    void onWindowEvent(vtkObject*, unsigned long event, void* data) {
        QOpenGLContext* context = view->context();
        if (event == vtkCommand::WindowMakeCurrentEvent) {
            // Not QOpenGLWidget::makeCurrent(): it would rebind Qt's framebuffer while VTK's is bound.
            if (context) context->makeCurrent(context->surface());
        } else if (event == vtkCommand::WindowIsCurrentEvent) {
            *static_cast<bool*>(data) = context && QOpenGLContext::currentContext() == context;
        } else if (event == vtkCommand::WindowFrameEvent && !inPaint) {
            view->update(); // VTK rendered by itself: show it
        }
    }

    void releaseGraphics() {
        window->Finalize();
        window->SetReadyForRendering(false);
    }

    double devicePixelRatio() const { return view->devicePixelRatioF(); }

    // The scene pixel under widget position pos when that is on the top face.
    std::optional<QPoint> pixelAt(QPointF pos) const {
        if (!cube) return std::nullopt;
        const double dpr = devicePixelRatio();
        const int* size = window->GetSize();
        if (!picker->Pick(pos.x() * dpr, size[1] - 1 - pos.y() * dpr, 0, renderer) || picker->GetActor() != topFace)
            return std::nullopt;
        const double* p = picker->GetPickPosition();
        return QPoint(std::clamp(static_cast<int>(std::floor(p[0])), 0, width - 1),
                      std::clamp(static_cast<int>(std::floor(height - p[1])), 0, height - 1));
    }

    void forwardMouse(QPointF pos, Qt::KeyboardModifiers modifiers, unsigned long event) {
        const double dpr = devicePixelRatio();
        interactor->SetEventInformationFlipY(static_cast<int>(pos.x() * dpr), static_cast<int>(pos.y() * dpr),
                                             modifiers.testFlag(Qt::ControlModifier), modifiers.testFlag(Qt::ShiftModifier));
        interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier));
        interactor->InvokeEvent(event);
        view->update();
    }
};

namespace {

// Painted by Qt over the GL picture (a child widget, so VTK's GL state is never touched by a QPainter),
// transparent to the mouse; the cube repaints it with itself.
class CubeOverlay : public QWidget {
public:
    CubeOverlay(CubeView* cube, const char* name) : QWidget(cube), mCube(cube) {
        setObjectName(name);
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
    }

protected:
    CubeView* mCube;
};

// The depth's wavelength scale; it follows the camera.
class DepthScaleOverlay : public CubeOverlay {
public:
    explicit DepthScaleOverlay(CubeView* cube) : CubeOverlay(cube, "cubeDepthScale") {}

protected:
    void paintEvent(QPaintEvent*) override {
        const auto ticks = mCube->depthTicks();
        if (ticks.empty()) return;
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(QColor(230, 230, 230), 1.2));
        // Left of the edge, over the background, not over the slices.
        const QFontMetricsF metrics(font());
        // Seen from above, the depth edge is foreshortened and the ticks crowd together: a label is drawn
        // only clear of the last one drawn (every tick keeps its mark).
        QRectF lastLabel;
        std::vector<QRectF> drawn;
        for (const auto& t : ticks) {
            painter.drawLine(t.position, t.position - QPointF(6, 0));
            const QRectF box(t.position + QPointF(-9 - metrics.horizontalAdvance(t.label), 4 - metrics.ascent()),
                             QSizeF(metrics.horizontalAdvance(t.label), metrics.height()));
            if (!lastLabel.isNull() && box.adjusted(0, -2, 0, 2).intersects(lastLabel)) continue;
            painter.drawText(t.position + QPointF(-9 - metrics.horizontalAdvance(t.label), 4), t.label);
            lastLabel = box;
            drawn.push_back(box);
        }
        // The axis title above the first tick, or — when the edge is seen end-on and the labels stack
        // up there — above the highest label, clear of them all.
        const QString title = tr("λ ↓");
        const QSizeF titleSize(metrics.horizontalAdvance(title), metrics.height());
        QPointF at = ticks.front().position + QPointF(-9 - titleSize.width(), -14);
        const auto clashes = [&](QPointF baseline) {
            const QRectF box(baseline - QPointF(0, metrics.ascent()), titleSize);
            return std::any_of(drawn.begin(), drawn.end(), [&](const QRectF& label) { return label.adjusted(0, -2, 0, 2).intersects(box); });
        };
        if (clashes(at)) {
            double top = at.y();
            for (const QRectF& label : drawn) top = std::min(top, label.top());
            at.setY(top - 4);
        }
        painter.drawText(at, title);
    }
};

// The side faces' colour bar: viridis from the sides' low (bottom) to high (top) I/F, bottom right.
class SideColourBar : public CubeOverlay {
public:
    explicit SideColourBar(CubeView* cube) : CubeOverlay(cube, "cubeSideColourBar") {}

protected:
    void paintEvent(QPaintEvent*) override {
        const auto range = mCube->sideRange();
        if (!range) return;
        QPainter painter(this);
        const QFontMetricsF metrics(font());
        const QString title = tr("sides: I/F");
        const QString high = QString::number(range->second, 'g', 3), low = QString::number(range->first, 'g', 3);
        const double labels = std::max({metrics.horizontalAdvance(high), metrics.horizontalAdvance(low), metrics.horizontalAdvance(title) - 18});
        const QRectF strip(width() - 14 - labels - 8 - 12, height() - 16 - 110, 12, 110);
        for (int y = 0; y < static_cast<int>(strip.height()); ++y) {
            const Rgb c = viridis(1.0 - y / (strip.height() - 1));
            painter.fillRect(QRectF(strip.left(), strip.top() + y, strip.width(), 1), QColor(c[0], c[1], c[2]));
        }
        painter.setPen(QColor(230, 230, 230));
        painter.drawRect(strip);
        painter.drawText(QPointF(strip.right() + 6, strip.top() + metrics.ascent() / 2), high);
        painter.drawText(QPointF(strip.right() + 6, strip.bottom() + metrics.ascent() / 2), low);
        painter.drawText(QPointF(strip.left(), strip.top() - 8), title);
    }
};

} // namespace

CubeView::CubeView(QWidget* parent) : QOpenGLWidget(parent), mImpl(std::make_unique<Impl>(this)) {
    setObjectName("cubeView");
    setMinimumSize(320, 240);
    setFocusPolicy(Qt::StrongFocus); // R resets the view
    setCursor(Qt::CrossCursor);
    mDepthScale = new DepthScaleOverlay(this);
    mSideColourBar = new SideColourBar(this);
}

std::vector<CubeView::DepthTick> CubeView::depthTicks() const {
    const Impl& d = *mImpl;
    if (!d.cube || d.cube->bands() < 2) return {};
    const std::vector<double>& wavelengths = d.cube->wavelengthsNm();
    const double first = wavelengths.front(), last = wavelengths.back();
    const double step = niceAbove((last - first) / 7.0 / 1000.0) * 1000.0; // nm, about seven ticks
    std::vector<DepthTick> ticks;
    for (double nm = std::ceil(first / step) * step; nm <= last; nm += step) {
        // Bands run down the depth in equal steps (the side textures have one row per band).
        const int band = d.cube->nearestBand(nm);
        if (std::abs(wavelengths[band] - nm) > 50) continue; // in a coverage gap
        const double z = -d.depth * (band + 0.5) / d.cube->bands();
        d.renderer->SetWorldPoint(0, 0, z, 1); // the front-left vertical edge
        d.renderer->WorldToDisplay();
        const double* p = d.renderer->GetDisplayPoint();
        const double dpr = d.devicePixelRatio();
        const QString label = QString::number(nm / 1000.0, 'g', 3) + QString::fromUtf8(" µm");
        ticks.push_back({nm, label, QPointF(p[0] / dpr, (d.window->GetSize()[1] - 1 - p[1]) / dpr)});
    }
    return ticks;
}

CubeView::~CubeView() {
    mImpl->window->RemoveAllObservers(); // they call back into this widget
    if (!context()) return;
    disconnect(context(), nullptr, this, nullptr);
    makeCurrent();
    mImpl->releaseGraphics();
    doneCurrent();
}

void CubeView::setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
    QSurfaceFormat::setDefaultFormat(format);
}

void CubeView::setScene(std::shared_ptr<const SpectralCube> cube, const CompositeImage& top) {
    clear();
    if (!cube || cube->empty()) return;
    Impl& d = *mImpl;
    d.cube = std::move(cube);
    const SpectralCube& c = *d.cube;
    const int w = d.width = c.width(), h = d.height = c.height(), bands = c.bands();
    const double z = -(d.depth = kDepthPerSide * std::max(w, h));

    d.topFace = makeFace({0, 0, 0}, {double(w), 0, 0}, {0, double(h), 0}, topTexture(top, w, h));
    // Front face: the last row, x to the right, bands downwards.
    // The side faces show, per column (per row), the frontmost (rightmost) pixel with data: the edge of
    // a rotated footprint, not the no-data corners of its bounding box.
    const auto hasData = [&c, bands](int x, int y) {
        for (const int band : {bands / 2, bands / 4, 3 * bands / 4})
            if (std::isfinite(c.value(x, y, band))) return true;
        return false;
    };
    std::vector<int> frontRow(static_cast<std::size_t>(w), h - 1), rightColumn(static_cast<std::size_t>(h), w - 1);
    for (int x = 0; x < w; ++x)
        for (int y = h - 1; y >= 0; --y)
            if (hasData(x, y)) {
                frontRow[static_cast<std::size_t>(x)] = y;
                break;
            }
    for (int y = 0; y < h; ++y)
        for (int x = w - 1; x >= 0; --x)
            if (hasData(x, y)) {
                rightColumn[static_cast<std::size_t>(y)] = x;
                break;
            }
    // Front face: x to the right, bands downwards.
    const Slice frontSlice = spectralSlice(w, bands, [&c, &frontRow](int x, int band) { return c.value(x, frontRow[static_cast<std::size_t>(x)], band); });
    // Right face: seen from the right the front (last row) is on the left.
    const Slice rightSlice = spectralSlice(h, bands, [&c, &rightColumn, h](int s, int band) {
        const int row = h - 1 - s;
        return c.value(rightColumn[static_cast<std::size_t>(row)], row, band);
    });
    d.sideRange = sliceRange({&frontSlice, &rightSlice});
    const auto front = sliceTexture(frontSlice, d.sideRange->first, d.sideRange->second);
    const auto right = sliceTexture(rightSlice, d.sideRange->first, d.sideRange->second);
    d.renderer->AddActor(d.topFace);
    d.renderer->AddActor(makeFace({0, 0, z}, {double(w), 0, z}, {0, 0, 0}, front));
    d.renderer->AddActor(makeFace({double(w), 0, z}, {double(w), double(h), z}, {double(w), 0, 0}, right));
    // The faces not shown by default stay plain, so the cube looks solid from any side.
    d.renderer->AddActor(makeFace({0, 0, z}, {0, double(h), z}, {0, 0, 0}, nullptr));
    d.renderer->AddActor(makeFace({0, double(h), z}, {double(w), double(h), z}, {0, double(h), 0}, nullptr));
    d.renderer->AddActor(makeFace({0, 0, z}, {double(w), 0, z}, {0, double(h), z}, nullptr));

    vtkNew<vtkOutlineSource> outline;
    outline->SetBounds(0, w, 0, h, z, 0);
    const auto edges = makeActor(outline);
    edges->GetProperty()->SetColor(0.85, 0.85, 0.85);
    edges->GetProperty()->LightingOff();
    d.renderer->AddActor(edges);
    d.renderer->AddActor(d.markerStemActor);
    d.renderer->AddActor(d.markerHeadActor);
    setSelectedPixel(QPoint(-1, -1));
    resetCamera();
}

void CubeView::clear() {
    // Removing the actors frees their textures and buffers: in VTK's context, not whichever is current.
    const bool ownContext = context() != nullptr;
    if (ownContext) makeCurrent();
    mImpl->renderer->RemoveAllViewProps();
    if (ownContext) doneCurrent();
    mImpl->cube.reset();
    mImpl->sideRange.reset();
    mImpl->topFace = nullptr;
    mImpl->width = mImpl->height = 0;
    update();
}

bool CubeView::hasScene() const { return mImpl->cube != nullptr; }

std::optional<std::pair<double, double>> CubeView::sideRange() const { return mImpl->sideRange; }

void CubeView::setSelectedPixel(QPoint pixel) {
    Impl& d = *mImpl;
    const bool shown = d.cube && d.cube->contains(pixel.x(), pixel.y());
    d.markerStemActor->SetVisibility(shown);
    d.markerHeadActor->SetVisibility(shown);
    if (shown) {
        const double x = pixel.x() + 0.5, y = d.height - pixel.y() - 0.5, size = std::max(d.width, d.height);
        d.markerStem->SetPoint1(x, y, 0);
        d.markerStem->SetPoint2(x, y, 0.12 * size);
        d.markerHead->SetCenter(x, y, 0.12 * size);
        d.markerHead->SetRadius(0.015 * size);
    }
    update();
}

void CubeView::resetCamera() {
    Impl& d = *mImpl;
    if (!d.cube) return;
    vtkCamera* camera = d.renderer->GetActiveCamera();
    const double centre[3] = {d.width / 2.0, d.height / 2.0, -d.depth / 2.0};
    camera->SetFocalPoint(centre);
    camera->SetPosition(centre[0] + 0.9, centre[1] - 1.3, centre[2] + 1.1); // right, front, above
    camera->SetViewUp(0, 0, 1);
    double bounds[6] = {0, double(d.width), 0, double(d.height), -d.depth, 0};
    d.renderer->ResetCamera(bounds); // fits the bounding sphere: room for the perspective-enlarged near corner
    update();
}

void CubeView::viewFromTop() {
    Impl& d = *mImpl;
    if (!d.cube) return;
    vtkCamera* camera = d.renderer->GetActiveCamera();
    camera->SetFocalPoint(d.width / 2.0, d.height / 2.0, 0);
    camera->SetPosition(d.width / 2.0, d.height / 2.0, 1);
    camera->SetViewUp(0, 1, 0);
    double bounds[6] = {0, double(d.width), 0, double(d.height), 0, 0};
    d.renderer->ResetCamera(bounds);
    update();
}

QSize CubeView::topTextureSize() const {
    if (!mImpl->topFace || !mImpl->topFace->GetTexture()) return {};
    int dimensions[3] = {0, 0, 0};
    vtkImageData::SafeDownCast(mImpl->topFace->GetTexture()->GetInput())->GetDimensions(dimensions);
    return {dimensions[0], dimensions[1]};
}

QPoint CubeView::widgetPosition(QPoint pixel) const {
    Impl& d = *mImpl;
    d.renderer->SetWorldPoint(pixel.x() + 0.5, d.height - pixel.y() - 0.5, 0, 1);
    d.renderer->WorldToDisplay();
    const double* p = d.renderer->GetDisplayPoint();
    const double dpr = d.devicePixelRatio();
    return QPoint(static_cast<int>(std::lround(p[0] / dpr)),
                  static_cast<int>(std::lround((d.window->GetSize()[1] - 1 - p[1]) / dpr)));
}

void CubeView::initializeGL() {
    vtkGenericOpenGLRenderWindow* window = mImpl->window;
    window->SetOwnContext(false);
    window->OpenGLInitContext();
    window->SetReadyForRendering(true);
    // A new context comes with reparenting; VTK's resources die with the old one.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] { mImpl->releaseGraphics(); });
}

void CubeView::resizeGL(int w, int h) {
    mDepthScale->setGeometry(0, 0, w, h);
    mSideColourBar->setGeometry(0, 0, w, h);
    const double dpr = devicePixelRatioF();
    mImpl->interactor->UpdateSize(static_cast<int>(std::lround(w * dpr)), static_cast<int>(std::lround(h * dpr)));
}

void CubeView::paintGL() {
    Impl& d = *mImpl;
    vtkGenericOpenGLRenderWindow* window = d.window;
    if (!window->GetReadyForRendering()) return;
    d.inPaint = true;
    d.renderer->ResetCameraClippingRange();
    window->Render();
    // Copy VTK's frame into the framebuffer Qt composes the widget from.
    window->GetState()->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    const int* size = window->GetSize();
    window->BlitDisplayFramebuffer(0, 0, 0, size[0], size[1], 0, 0, size[0], size[1], GL_COLOR_BUFFER_BIT, GL_NEAREST);
    d.inPaint = false;
    mDepthScale->setVisible(d.cube != nullptr);
    mDepthScale->update(); // the scale follows the camera
    mSideColourBar->setVisible(d.sideRange.has_value());
    mSideColourBar->update();
}

void CubeView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) mPressPos = event->position().toPoint();
    mImpl->forwardMouse(event->position(), event->modifiers(), buttonEvent(event->button(), true));
}

void CubeView::mouseMoveEvent(QMouseEvent* event) {
    mImpl->forwardMouse(event->position(), event->modifiers(), vtkCommand::MouseMoveEvent);
}

void CubeView::mouseReleaseEvent(QMouseEvent* event) {
    mImpl->forwardMouse(event->position(), event->modifiers(), buttonEvent(event->button(), false));
    if (event->button() != Qt::LeftButton || (event->position().toPoint() - mPressPos).manhattanLength() >= kClickTolerancePx)
        return;
    if (const auto pixel = mImpl->pixelAt(event->position())) emit pixelPicked(*pixel);
}

void CubeView::wheelEvent(QWheelEvent* event) {
    if (event->angleDelta().y() == 0) return;
    mImpl->forwardMouse(event->position(), event->modifiers(),
                        event->angleDelta().y() > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent);
}

void CubeView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_R) resetCamera();
    else QOpenGLWidget::keyPressEvent(event);
}

} // namespace jezero::ui
