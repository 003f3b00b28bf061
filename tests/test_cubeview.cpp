// The 3D cube view under Xvfb: a synthetic cube drawn with its composite on top and colour-mapped
// spectral slices on the sides, clicks on the top face mapped back to pixels, scenes replaced and
// cleared. Saves screenshots (cubeview*.png) to look at.
#include "GuiTestMain.h"
#include "jezero/ui/CubeView.h"

#include <QApplication>
#include <QSet>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>
#include <map>

using jezero::CompositeImage;
using jezero::SpectralCube;
using jezero::ui::CubeView;

namespace {

// A cube whose spectra vary in space (a smooth pattern) and along the bands (a slope and an absorption
// whose depth follows x), with one NaN corner so no-data shows up on the sides.
std::shared_ptr<SpectralCube> syntheticCube(int width, int height, int bands) {
    std::vector<double> wavelengths(bands);
    for (int b = 0; b < bands; ++b) wavelengths[b] = 400.0 + b * 2000.0 / bands;
    auto cube = std::make_shared<SpectralCube>(width, height, wavelengths);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float* s = cube->spectrum(x, y);
            for (int b = 0; b < bands; ++b) {
                const double t = double(b) / bands;
                const double absorption = 0.15 * x / width * std::exp(-std::pow((t - 0.6) / 0.08, 2));
                s[b] = float(0.2 + 0.25 * t + 0.05 * std::sin(x / 5.0) * std::cos(y / 4.0) - absorption);
            }
        }
    for (int b = 0; b < bands / 6; ++b) *(cube->spectrum(width - 1, height - 1) + b) = NAN;
    return cube;
}

// Left half pure red, right half pure blue, the first `greenRows` rows green: orientation is visible.
CompositeImage splitComposite(int width, int height, int greenRows) {
    CompositeImage image;
    image.width = width;
    image.height = height;
    image.rgba.resize(std::size_t(width) * height * 4);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            std::uint8_t* p = image.rgba.data() + (std::size_t(y) * width + x) * 4;
            const bool green = y < greenRows, red = !green && x < width / 2;
            p[0] = red ? 255 : 0;
            p[1] = green ? 255 : 0;
            p[2] = !green && !red ? 255 : 0;
            p[3] = 255;
        }
    return image;
}

bool isRed(QRgb c) { return qRed(c) > 200 && qGreen(c) < 60 && qBlue(c) < 60; }
bool isBlue(QRgb c) { return qBlue(c) > 200 && qRed(c) < 60 && qGreen(c) < 60; }
bool isGreen(QRgb c) { return qGreen(c) > 200 && qRed(c) < 60 && qBlue(c) < 60; }

int count(const QImage& image, bool (*match)(QRgb)) {
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) n += match(image.pixel(x, y));
    return n;
}

// Colours (quantised to 16 levels a channel) covering at least minPixels pixels, other than the
// background and the composite's pure colours: the colour-map colours of the side faces.
int colourMapColours(const QImage& image, QRgb background, int minPixels) {
    std::map<int, int> histogram;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QRgb c = image.pixel(x, y);
            if (c == background || isRed(c) || isBlue(c) || isGreen(c)) continue;
            ++histogram[(qRed(c) / 16) << 8 | (qGreen(c) / 16) << 4 | qBlue(c) / 16];
        }
    int n = 0;
    for (const auto& [colour, pixels] : histogram) n += pixels >= minPixels;
    return n;
}

QImage grabAndSave(CubeView& view, const QString& name) {
    const QImage image = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    image.save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/" + name);
    return image;
}

} // namespace

class TestCubeView : public QObject {
    Q_OBJECT
private slots:
    void drawsCompositeOnTopAndSlicesOnTheSides() {
        CubeView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(!view.hasScene());
        view.setScene(syntheticCube(64, 48, 60), splitComposite(64, 48, 0));
        QVERIFY(view.hasScene());
        const QImage image = grabAndSave(view, "cubeview.png");
        QCOMPARE(image.size(), QSize(640, 480));

        const QRgb background = image.pixel(2, 2);
        QVERIFY2(qRed(background) + qGreen(background) + qBlue(background) > 30, "the widget is black");
        const int red = count(image, isRed), blue = count(image, isBlue);
        QVERIFY2(red > 5000 && blue > 5000, qPrintable(QString("red %1, blue %2 pixels").arg(red).arg(blue)));
        const int mapColours = colourMapColours(image, background, 40);
        QVERIFY2(mapColours >= 8, qPrintable(QString("%1 colour-map colours").arg(mapColours)));
        // The top face seen from the front right: red (left half) is left of blue.
        QVERIFY(view.widgetPosition(QPoint(10, 24)).x() < view.widgetPosition(QPoint(54, 24)).x());
        QVERIFY(isRed(image.pixel(view.widgetPosition(QPoint(10, 24)))));
        QVERIFY(isBlue(image.pixel(view.widgetPosition(QPoint(54, 24)))));

        // The depth has a wavelength scale: 400–2367 nm gives ticks every 0.5 µm, running down the
        // front-left edge below the top face's front-left corner, shortest wavelength highest.
        const auto ticks = view.depthTicks();
        QCOMPARE(int(ticks.size()), 4);
        const QPoint corner = view.widgetPosition(QPoint(0, 47));
        for (std::size_t i = 0; i < ticks.size(); ++i) {
            QCOMPARE(ticks[i].wavelengthNm, 500.0 * (i + 1));
            QVERIFY(ticks[i].position.y() > corner.y());
            QVERIFY(std::abs(ticks[i].position.x() - corner.x()) < 40);
            if (i > 0) QVERIFY(ticks[i].position.y() > ticks[i - 1].position.y());
        }
        QCOMPARE(ticks[2].label, QString::fromUtf8("1.5 µm"));
        QVERIFY(view.findChild<QWidget*>("cubeDepthScale")->isVisible());
        view.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/cubeview-scale.png");

        // Both sides on one stretch, which the colour bar shows: the 2nd and 98th percentile (nearest
        // rank) of the front row's and the right column's values, every band, counted here on their own.
        const auto cube = syntheticCube(64, 48, 60);
        std::vector<float> sides;
        for (int b = 0; b < 60; ++b) {
            for (int x = 0; x < 64; ++x) sides.push_back(cube->spectrum(x, 47)[b]);
            for (int y = 0; y < 48; ++y) sides.push_back(cube->spectrum(63, y)[b]);
        }
        sides.erase(std::remove_if(sides.begin(), sides.end(), [](float v) { return !std::isfinite(v); }), sides.end());
        std::sort(sides.begin(), sides.end());
        const auto rank = [&sides](double p) { return double(sides[std::size_t(std::lround(p / 100 * double(sides.size() - 1)))]); };
        const auto range = view.sideRange();
        QVERIFY(range);
        QCOMPARE(range->first, rank(2));
        QCOMPARE(range->second, rank(98));
        auto* bar = view.findChild<QWidget*>("cubeSideColourBar");
        QVERIFY(bar && bar->isVisible());
        // Bottom right: yellow (high) above purple (low).
        const QImage withBar = view.grab().toImage();
        int yellow = -1, purple = -1;
        for (int y = 300; y < 480; ++y)
            for (int x = 520; x < 640; ++x) {
                const QRgb c = withBar.pixel(x, y);
                if (yellow < 0 && qRed(c) > 230 && qGreen(c) > 210 && qBlue(c) < 60) yellow = y;
                if (qRed(c) < 80 && qGreen(c) < 20 && qBlue(c) > 70) purple = y;
            }
        QVERIFY2(yellow > 0 && purple > yellow, qPrintable(QString("yellow at %1, purple at %2").arg(yellow).arg(purple)));
    }

    // A footprint that ends before its bounding box (a map-projected, rotated product): the sides show
    // its edge pixels, not a wall of no data.
    void theSidesShowTheFootprintsEdgeNotNoData() {
        auto cube = syntheticCube(64, 48, 60);
        // A diamond touching the four sides of the box, as a footprint turned by 45° does: every row
        // and column has data, the box's last row and column almost none.
        for (int y = 0; y < 48; ++y)
            for (int x = 0; x < 64; ++x)
                if (std::abs(x + 0.5 - 32) / 32 + std::abs(y + 0.5 - 24) / 24 > 1.0)
                    for (int b = 0; b < 60; ++b) *(cube->spectrum(x, y) + b) = NAN;
        CubeView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setScene(cube, splitComposite(64, 48, 0));
        const QImage image = grabAndSave(view, "cubeview-footprint.png");
        int noData = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QRgb c = image.pixel(x, y);
                noData += std::abs(qRed(c) - 80) <= 2 && std::abs(qGreen(c) - 80) <= 2 && std::abs(qBlue(c) - 80) <= 2;
            }
        // The sides cover ~60 000 pixels; showing the bounding box's last row and column they would be
        // all no-data grey.
        QVERIFY2(noData < 2000, qPrintable(QString::number(noData)));
        QVERIFY(colourMapColours(image, image.pixel(2, 2), 40) >= 8);
    }

    void clickOnTheTopFacePicksThePixel() {
        CubeView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setScene(syntheticCube(64, 48, 60), splitComposite(64, 48, 8));
        QSignalSpy picked(&view, &CubeView::pixelPicked);

        // In the 3/4 view: where the view says the pixel is, a click picks it.
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.widgetPosition(QPoint(12, 40)));
        QCOMPARE(picked.count(), 1);
        QPoint p = picked.takeFirst().at(0).toPoint();
        QVERIFY2(std::abs(p.x() - 12) <= 1 && std::abs(p.y() - 40) <= 1, qPrintable(QString("%1,%2").arg(p.x()).arg(p.y())));

        // Straight down: the widget's centre is the scene's centre, row 0 (green) at the top, red left.
        view.viewFromTop();
        view.setSelectedPixel(QPoint(40, 30));
        const QImage top = grabAndSave(view, "cubeview-top.png");
        const QPoint backCentre = view.widgetPosition(QPoint(32, 3)), frontLeft = view.widgetPosition(QPoint(10, 40));
        const QPoint frontRight = view.widgetPosition(QPoint(54, 40));
        QVERIFY(backCentre.y() < 200 && frontLeft.y() > 280 && frontLeft.x() < 250 && frontRight.x() > 390);
        QVERIFY(isGreen(top.pixel(backCentre)));
        QVERIFY(isRed(top.pixel(frontLeft)));
        QVERIFY(isBlue(top.pixel(frontRight)));
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(320, 240));
        QCOMPARE(picked.count(), 1);
        p = picked.takeFirst().at(0).toPoint();
        QVERIFY2(std::abs(p.x() - 32) <= 1 && std::abs(p.y() - 24) <= 1, qPrintable(QString("%1,%2").arg(p.x()).arg(p.y())));

        // A drag rotates instead of picking; a click beside the cube picks nothing.
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(320, 240));
        QMouseEvent move(QEvent::MouseMove, QPointF(400, 260), view.mapToGlobal(QPointF(400, 260)), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&view, &move);
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(400, 260));
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(3, 3));
        QCOMPARE(picked.count(), 0);
        const QImage rotated = grabAndSave(view, "cubeview-rotated.png");
        QVERIFY(rotated != top);
    }

    void aNewSceneReplacesTheOldAndLargeScenesAreSubsampledButPickedAtFullResolution() {
        CubeView view;
        view.resize(640, 480);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setScene(syntheticCube(64, 48, 60), splitComposite(64, 48, 0));
        view.grab();

        // 1200 × 300 pixels: textures are subsampled, picking still maps to full-resolution pixels (to
        // within 2 pixels of the clicked one: a click lands on a screen pixel, which spans about two of
        // the scene's at this zoom).
        const auto large = syntheticCube(1200, 300, 40);
        CompositeImage green = splitComposite(1200, 300, 300);
        QCOMPARE(view.topTextureSize(), QSize(64, 48)); // a small scene: one texel per pixel
        view.setScene(large, green);
        QCOMPARE(view.topTextureSize(), QSize(512, 300)); // what keeps big scenes quick to build and draw
        const QImage image = grabAndSave(view, "cubeview-replaced.png");
        QCOMPARE(count(image, isRed), 0);
        QVERIFY(count(image, isGreen) > 5000);

        QSignalSpy picked(&view, &CubeView::pixelPicked);
        view.viewFromTop();
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.widgetPosition(QPoint(900, 100)));
        QCOMPARE(picked.count(), 1);
        const QPoint p = picked.takeFirst().at(0).toPoint();
        QVERIFY2(std::abs(p.x() - 900) <= 2 && std::abs(p.y() - 100) <= 2, qPrintable(QString("%1,%2").arg(p.x()).arg(p.y())));
    }

    void emptyAndClearedViewsAreSafe() {
        {
            CubeView neverShown; // no OpenGL context was ever made for it
            neverShown.setScene(syntheticCube(16, 12, 8), splitComposite(16, 12, 0));
        }
        CubeView view;
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy picked(&view, &CubeView::pixelPicked);
        view.resetCamera();
        view.viewFromTop();
        view.setSelectedPixel(QPoint(1, 1));
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(200, 150));
        const QImage empty = view.grab().toImage();
        QVERIFY(!empty.isNull());

        view.setScene(syntheticCube(16, 12, 8), splitComposite(16, 12, 0));
        view.setSelectedPixel(QPoint(100, 100)); // outside: no marker, no crash
        view.clear();
        QVERIFY(!view.hasScene() && !view.sideRange());
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(200, 150));
        QCOMPARE(picked.count(), 0);
        const QImage cleared = grabAndSave(view, "cubeview-cleared.png");
        QCOMPARE(count(cleared, isRed) + count(cleared, isBlue), 0);
        view.setScene(nullptr, CompositeImage{});
        QVERIFY(!view.hasScene());
    }
};

JEZERO_GUI_TEST_MAIN(TestCubeView)

#include "test_cubeview.moc"
