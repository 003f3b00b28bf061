// The real window driven as a person uses it (under Xvfb): open the sample, click pixels, see spectra,
// toggle filter curves, change the composite, survive a bad file. Saves screenshots to look at.
#include "GuiTestMain.h"
#include "TestPaths.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/core/BadBands.h"
#include "jezero/core/BrowseProducts.h"
#include "jezero/core/Error.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/ui/ChannelLegend.h"
#include "jezero/ui/CompositeControls.h"
#include "jezero/ui/InputsPanel.h"
#include "jezero/ui/ParametersPanel.h"
#include "jezero/ui/RoiPanel.h"
#include "jezero/ui/RecentPaths.h"
#include "jezero/core/SpectralMatching.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/LibraryMatchPanel.h"
#include "jezero/ui/LinkedMapView.h"
#include "jezero/ui/MapScaleBar.h"
#include "jezero/ui/QtImages.h"
#include "jezero/ui/SceneView.h"
#include "jezero/ui/SpectrumPlot.h"
#include "jezero/io/SyntheticScenes.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QToolButton>
#include <QDialog>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTextBrowser>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QThreadPool>
#include <QSvgRenderer>
#include <qcustomplot.h>

using jezero::ui::MainWindow;
using jezero::ui::SceneView;

class TestGui : public QObject {
    Q_OBJECT
private:
    static void waitShown(MainWindow& w, const QString& path) {
        QSignalSpy shown(&w, &MainWindow::sceneShown);
        w.openScene(path);
        QVERIFY(shown.wait(30000));
    }
    // The cursor moving over pixel. QTest::mouseMove warps the X pointer and the event comes back
    // asynchronously under Xvfb; sending the move event itself is deterministic.
    static void hover(MainWindow& w, QPoint pixel) {
        QWidget* viewport = w.sceneView()->viewport();
        const QPointF local = w.sceneView()->viewportPosition(pixel);
        QMouseEvent move(QEvent::MouseMove, local, viewport->mapToGlobal(local), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
    }
    static void click(MainWindow& w, QPoint pixel, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
        QTest::mouseClick(w.sceneView()->viewport(), Qt::LeftButton, modifiers, w.sceneView()->viewportPosition(pixel));
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("jezero-tests");
        qputenv("JEZERO_LOG_DIR", QDir::tempPath().toUtf8() + "/jezero-test-logs");
    }

    // Each test starts from the default composites and layout (the window remembers them per scene).
    void cleanup() { QSettings().remove("composites"); }

    void clickingAPixelShowsItsSpectrum() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        waitShown(w, jezero::test::sampleVnirLabel());
        QCOMPARE(w.cube()->bands(), 531);
        QVERIFY(w.sceneView()->hasImage());

        click(w, {32, 7});
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
        QCOMPARE(w.spectrumPlot()->channelCount(0), 531);
        QVERIFY(w.spectrumPlot()->validChannelCount(0) > 400);
        QCOMPARE(w.sceneView()->markerCount(), 1);

        click(w, {10, 3}, Qt::ShiftModifier); // keeps the first
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 2);
        QCOMPARE(w.sceneView()->markerCount(), 2);
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-two-spectra.png");

        click(w, {50, 12}); // replaces both
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
        QCOMPARE(w.sceneView()->markerCount(), 1);

        // Hover readout names the pixel and the shown channels' I/F.
        hover(w, {32, 7});
        const QString hover = w.findChild<QLabel*>("hoverReadout")->text();
        QVERIFY2(hover.contains("x 32, y 7") && hover.contains("I/F"), qPrintable(hover));
    }

    void theSpectrumLegendSitsUnderThePlotAndZoomResets() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        waitShown(w, jezero::test::sampleMtrdrTiff());
        click(w, {10, 10});
        QCustomPlot* plot = w.spectrumPlot()->plot();
        plot->replot();
        // Under the axes, never over a curve.
        QVERIFY(plot->legend->visible());
        QVERIFY2(plot->legend->outerRect().top() >= plot->axisRect()->outerRect().bottom(),
                 qPrintable(QString("legend %1, axes %2").arg(plot->legend->outerRect().top()).arg(plot->axisRect()->outerRect().bottom())));
        w.spectrumPlot()->findChild<QAction*>("legendToggle")->trigger();
        QVERIFY(!w.spectrumPlot()->legendVisible());
        w.spectrumPlot()->findChild<QAction*>("legendToggle")->trigger();
        QVERIFY(w.spectrumPlot()->legendVisible());
        // Moved inside the axes to a corner, and back under them.
        w.spectrumPlot()->setLegendPlace(jezero::ui::SpectrumPlot::LegendPlace::TopRight);
        plot->replot();
        QVERIFY(plot->legend->visible());
        QVERIFY(plot->axisRect()->rect().contains(plot->legend->outerRect()));
        QVERIFY(plot->legend->outerRect().right() >= plot->axisRect()->rect().right() - 20); // at the right
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-legend-inside.png");
        w.spectrumPlot()->setLegendPlace(jezero::ui::SpectrumPlot::LegendPlace::Below);
        plot->replot();
        QVERIFY(plot->legend->outerRect().top() >= plot->axisRect()->outerRect().bottom());
        // A drag or wheel zoom is undone by Reset zoom and by a double-click.
        const QCPRange fitted = plot->xAxis->range();
        plot->xAxis->setRange(2.0, 2.6);
        w.spectrumPlot()->findChild<QToolButton*>("resetZoom")->click();
        QCOMPARE(plot->xAxis->range(), fitted);
        plot->xAxis->setRange(2.0, 2.6);
        QTest::mouseDClick(plot, Qt::LeftButton, {}, plot->axisRect()->rect().center());
        QCOMPARE(plot->xAxis->range(), fitted);
        // Continuum removal over 1.0–2.6 µm: the curve shows only there, divided by the hull of that range.
        w.spectrumPlot()->findChild<QCheckBox*>("continuumToggle")->click();
        auto* range = w.spectrumPlot()->findChild<QComboBox*>("continuumRange");
        range->setCurrentIndex(range->findText(QString::fromUtf8("1.0–2.6 µm")));
        const auto shown = w.spectrumPlot()->shownValues(0);
        const float* raw = w.cube()->spectrum(10, 10);
        const auto expected = jezero::continuumRemoved(w.cube()->wavelengthsNm(), std::vector<double>(raw, raw + w.cube()->bands()), 1000, 2600);
        int inside = 0;
        for (int b = 0; b < w.cube()->bands(); ++b) {
            const double nm = w.cube()->wavelengthsNm()[b];
            if (nm > 2600 || nm < 1000) QVERIFY(std::isnan(shown[b]));
            else if (std::isfinite(expected[b])) {
                QCOMPARE(shown[b], expected[b]);
                ++inside;
            }
        }
        QVERIFY(inside > 200);
        // Band depths, not I/F: the filter curves and their axis step aside, their boxes kept.
        QVERIFY(!w.spectrumPlot()->isFilterVisible("NIR") && !plot->yAxis2->visible());
        QVERIFY(!w.spectrumPlot()->findChild<QCheckBox*>("filterToggle_NIR")->isEnabled());
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-continuum-range.png");
        w.spectrumPlot()->findChild<QCheckBox*>("continuumToggle")->click();
        QVERIFY(w.spectrumPlot()->isFilterVisible("NIR") && plot->yAxis2->visible());
        QVERIFY(w.spectrumPlot()->findChild<QCheckBox*>("filterToggle_NIR")->isChecked());
        // The channels CRISM users leave out are shaded: for this MTRDR (joined) scene five ranges.
        QCOMPARE(w.spectrumPlot()->badBandRangesUm().size(), std::size_t(5));
        QCOMPARE(plot->itemCount(), 5);
        // Nothing plotted and every filter curve off: no empty legend box.
        w.spectrumPlot()->clearSpectra();
        for (const QString& f : w.spectrumPlot()->filterNames()) w.spectrumPlot()->setFilterVisible(f, false);
        QVERIFY(!w.spectrumPlot()->legendVisible());
    }

    void filterCurvesToggleOneByOne() {
        MainWindow w;
        w.show();
        QCOMPARE(w.spectrumPlot()->filterNames(), (QStringList{"BLU", "PAN", "RED", "NIR"}));
        auto* pan = w.spectrumPlot()->findChild<QCheckBox*>("filterToggle_PAN");
        QVERIFY(pan && pan->isChecked());
        pan->click();
        QVERIFY(!w.spectrumPlot()->isFilterVisible("PAN"));
        QVERIFY(w.spectrumPlot()->isFilterVisible("NIR"));
        pan->click();
        QVERIFY(w.spectrumPlot()->isFilterVisible("PAN"));
    }

    void compositeFollowsTheWavelengthControls() {
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleVnirLabel());
        QSignalSpy composite(&w, &MainWindow::compositeShown);
        auto* red = w.findChild<QDoubleSpinBox*>("compositeNmR");
        QVERIFY(red);
        QCOMPARE(red->value(), 600.0);
        red->setValue(2529);
        QVERIFY(composite.wait(10000));
        QVERIFY(std::abs(w.compositeControls()->channels().wavelengthsNm[0] - 2529) < 1e-9);
        QCOMPARE(w.compositeControls()->channels().name, std::string("custom"));

        // The scene opens again with the composite chosen for it, drawn once.
        MainWindow again;
        again.show();
        QSignalSpy drawn(&again, &MainWindow::compositeShown);
        waitShown(again, jezero::test::sampleVnirLabel());
        QTRY_VERIFY_WITH_TIMEOUT(!again.isBusy(), 10000); // nothing left that could draw again
        QCoreApplication::processEvents();
        QCOMPARE(drawn.size(), 1);
        QVERIFY(std::abs(again.compositeControls()->channels().wavelengthsNm[0] - 2529) < 1e-9);
        QVERIFY(std::abs(again.findChild<QDoubleSpinBox*>("compositeNmR")->value() - 2529) < 1.0);
    }

    void aProductTheScenesWavelengthsCannotGiveIsSaidNotBlank() {
        // The VNIR detector alone (no IR partner beside it): CAR needs 2.3–2.5 µm.
        QTemporaryDir dir;
        for (const char* ext : {".lbl", ".img", ".hdr"})
            QVERIFY(QFile::copy(jezero::test::resource(QString("crism/trr3/frt0001458f_01_if156s_trr3") + ext), dir.path() + "/frt0001458f_01_if156s_trr3" + ext));
        MainWindow w;
        w.show();
        waitShown(w, dir.path() + "/frt0001458f_01_if156s_trr3.lbl");
        QCOMPARE(w.cube()->bands(), 107);
        auto* choice = w.findChild<QComboBox*>("layerChoice");
        QSignalSpy shown(&w, &MainWindow::compositeShown);
        choice->setCurrentIndex(choice->findData("browse:CAR"));
        QVERIFY(shown.wait(30000));
        const QString label = w.findChild<QLabel*>("mapLabel")->text();
        QVERIFY2(label.contains("no values") && label.contains("D2300"), qPrintable(label));
        // A product it can give says nothing of the kind.
        choice->setCurrentIndex(choice->findData("param:R600")); // drawn at once: the parameters are computed
        QTRY_COMPARE(shown.count(), 2);
        QVERIFY(!w.findChild<QLabel*>("mapLabel")->text().contains("no values"));
    }

    void aClosedDockComesBackFromTheViewMenu() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* dock = w.findChild<QDockWidget*>("parametersDock");
        QVERIFY(dock && dock->isVisible());
        dock->close(); // as its title bar's close button does
        QVERIFY(!dock->isVisible());
        auto* view = w.findChild<QMenu*>("viewMenu");
        QVERIFY(view);
        QAction* show = w.findChild<QAction*>("show_parametersDock");
        QVERIFY(show && view->actions().contains(show) && !show->isChecked());
        show->trigger();
        QVERIFY(dock->isVisible());
        for (const char* name : {"show_roiDock", "show_inputsDock", "show_sceneLibraryDock"}) QVERIFY2(w.findChild<QAction*>(name), name);
        QVERIFY(w.findChild<QAction*>("aboutJezero"));
        // Help › Keyboard and mouse lists the menus' shortcuts and the views' mouse and keys.
        w.findChild<QAction*>("keyboardAndMouse")->trigger();
        auto* keys = w.findChild<QDialog*>("keyboardAndMouse");
        QVERIFY(keys && keys->isVisible());
        auto* table = keys->findChild<QTableWidget*>("shortcutTable");
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r) rows << table->item(r, 0)->text() + " = " + table->item(r, 1)->text();
        QVERIFY2(rows.contains("F2 = Side by side (second map)") && rows.filter(QRegularExpression("^Ctrl\\+O = Open scene")).size() == 1 &&
                     rows.filter("Shift+click (map)").size() == 1,
                 qPrintable(rows.join(" | ")));
        keys->grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-help-keys.png");
        keys->close();
        // Help › Model cards: what the shipped models can and cannot do, in the window.
        w.findChild<QAction*>("modelCards")->trigger();
        auto* cards = w.findChild<QDialog*>("modelCards");
        QVERIFY(cards && cards->isVisible());
        const QString text = cards->findChild<QTextBrowser*>("modelCardsText")->toPlainText();
        QVERIFY2(text.contains("carbonate-probability U-Net") && text.contains("weak, context-driven skill"), qPrintable(text.left(300)));
        cards->grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-help-model-cards.png");
        cards->close();
    }

    void aBadFileIsReportedAndTheWindowCarriesOn() {
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleVnirLabel());
        QTemporaryDir dir;
        QFile(dir.path() + "/broken.lbl").open(QIODevice::WriteOnly);
        QSignalSpy failed(&w, &MainWindow::sceneFailed);
        w.openScene(dir.path() + "/broken.lbl");
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.first().first().toString().contains("empty"));
        QCOMPARE(w.cube()->bands(), 531); // the open scene stays
        click(w, {5, 5});
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
    }

    void cleanupStepsReReadTheSceneAndSayWhatTheyChanged() {
        QSettings().remove("cleanup");
        MainWindow w;
        w.show();
        {
            // A step ticked while the scene is still being read: it arrives, then is read again with the step.
            auto* destripe = w.menuBar()->findChild<QMenu*>("sceneMenu")->findChild<QAction*>("destripe");
            QSignalSpy shown(&w, &MainWindow::sceneShown);
            w.openScene(jezero::test::sampleIrLabel());
            destripe->trigger();
            QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 60000);
            QVERIFY2(w.windowTitle().contains("destriped"), qPrintable(w.windowTitle()));
            destripe->trigger();
            QVERIFY(shown.wait(30000));
            QVERIFY(!w.windowTitle().contains("destriped"));
        }
        // A TRR3 pair, joined like MTRDR: the joined detectors' bad ranges are shaded (the overlap among them).
        const auto shaded = w.spectrumPlot()->badBandRangesUm();
        QCOMPARE(shaded.size(), std::size_t(5));
        QVERIFY(std::any_of(shaded.begin(), shaded.end(), [](const auto& r) { return r.first == 1.015 && r.second == 1.044; }));
        click(w, {30, 7});
        const float before = w.cube()->spectrum(30, 7)[w.cube()->bands() / 2];
        auto* sceneMenu = w.menuBar()->findChild<QMenu*>("sceneMenu");
        QVERIFY(sceneMenu);
        auto* spikes = sceneMenu->findChild<QAction*>("removeSpikes");
        auto* destripe = sceneMenu->findChild<QAction*>("destripe");
        QVERIFY(spikes && destripe && !spikes->isChecked() && !destripe->isChecked());
        QSignalSpy shown(&w, &MainWindow::sceneShown);
        destripe->trigger(); // re-reads the scene, destriped
        QVERIFY(shown.wait(30000));
        QVERIFY2(w.windowTitle().contains("destriped"), qPrintable(w.windowTitle()));
        const QString message = w.statusBar()->currentMessage();
        QVERIFY2(message.contains("column destriping corrected") && message.contains("mean column correction"), qPrintable(message));
        QVERIFY(w.cube()->spectrum(30, 7)[w.cube()->bands() / 2] != before);
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1); // the pixel clicked before, shown again
        spikes->trigger();
        QVERIFY(shown.wait(30000));
        QVERIFY2(w.windowTitle().contains("spikes removed, destriped"), qPrintable(w.windowTitle()));
        QVERIFY2(w.statusBar()->currentMessage().contains("spike removal replaced"), qPrintable(w.statusBar()->currentMessage()));
        // The report stays in the status bar while the scene is open (the message goes after seconds).
        auto* report = w.statusBar()->findChild<QToolButton*>("cleanupReport");
        QVERIFY(report && report->isVisible() && report->text() == "Cleaned: spikes removed, destriped");
        QVERIFY2(report->toolTip().contains("spike removal replaced") && report->toolTip().contains("column destriping corrected"),
                 qPrintable(report->toolTip()));
        // A message hides the pixel readout beneath it (the two were drawn over each other); it returns after.
        auto* readout = w.statusBar()->findChild<QLabel*>("hoverReadout");
        QVERIFY(readout && !readout->isVisible());
        w.statusBar()->clearMessage();
        QVERIFY(readout->isVisible());
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-cleanup.png");
        // Remembered for the next scenes, and off again.
        QVERIFY(QSettings().value("cleanup/destripe").toBool());
        spikes->trigger();
        QVERIFY(shown.wait(30000));
        destripe->trigger();
        QVERIFY(shown.wait(30000));
        QVERIFY(!w.windowTitle().contains("("));
        QVERIFY(!report->isVisible());
        QCOMPARE(w.cube()->spectrum(30, 7)[w.cube()->bands() / 2], before);
        QSettings().remove("cleanup");
    }

    void mtrdrSceneOpensWithMarsCoordinates() {
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleMtrdrTiff());
        hover(w, {10, 10});
        const QString hover = w.findChild<QLabel*>("hoverReadout")->text();
        QVERIFY2(hover.contains("lat -33.2") && hover.contains("lon -37.0"), qPrintable(hover));
        w.selectPixel({10, 10}, false);
        QCOMPARE(w.spectrumPlot()->channelCount(0), 489);
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-mtrdr.png");
    }

    void aParameterMapHasAColourBarWithLimitsThatCanBeFixed() {
        QSettings().remove("mapScale");
        {
            MainWindow w;
            w.resize(1400, 900);
            w.show();
            waitShown(w, jezero::test::sampleMtrdrTiff());
            auto* choice = w.findChild<QComboBox*>("layerChoice");
            QSignalSpy shown(&w, &MainWindow::compositeShown);
            jezero::ui::MapScaleBar* bar = w.mapScaleBar();
            QVERIFY(!bar->isVisible()); // the composite has no single scale…
            // …but says what R, G and B show and between which values: its own channels' limits.
            jezero::ui::ChannelLegend* legend = w.channelLegend();
            QVERIFY(legend->isVisible());
            const auto& rgb = w.shownMap().channels;
            QCOMPARE(legend->text(0), QString("R  I/F %1 nm  %2 … %3").arg(w.cube()->wavelengthsNm()[rgb[0].band], 0, 'f', 0)
                                          .arg(rgb[0].low, 0, 'g', 4).arg(rgb[0].high, 0, 'g', 4));
            choice->setCurrentIndex(choice->findData("browse:CAR"));
            QTRY_VERIFY_WITH_TIMEOUT(legend->text(1).startsWith("G  BD2500_2  "), 30000); // CAR: D2300, BD2500_2, BD1900_2
            QVERIFY(legend->isVisible() && !bar->isVisible());
            // Each parameter says what it is.
            const QString tip = choice->itemData(choice->findData("param:BD2500_2"), Qt::ToolTipRole).toString();
            QVERIFY2(tip.contains("BD2500_2") && tip.contains("carbonate"), qPrintable(tip));
            choice->setCurrentIndex(choice->findData("param:BD2500_2"));
            QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), 30000);
            QCOMPARE(bar->parameter(), QString("BD2500_2"));
            QVERIFY(!bar->fixedLimits());
            // The default limits are the 2nd and 98th percentiles of this scene's values.
            const auto maps = jezero::SummaryParameters(w.cube()->wavelengthsNm(), {"BD2500_2"}).compute(*w.cube());
            const jezero::MapScale expected = jezero::percentileScale(maps, 0, 2, 98, jezero::ColourTable::Grey);
            QVERIFY(std::abs(bar->low() - expected.low) < 1e-4 && std::abs(bar->high() - expected.high) < 1e-4);
            QVERIFY(!legend->isVisible()); // a single parameter has the colour bar instead
            // The histogram above the bar: the scene's values between the limits, and what is clipped —
            // 2–98 % limits clip about 2 % at each end (20 × 20 pixels: whole pixels, so within 1.5 %).
            const jezero::ValueHistogram& histogram = bar->histogram();
            QCOMPARE(int(histogram.shares.size()), 48);
            double inside = 0;
            for (double share : histogram.shares) inside += share;
            QVERIFY(std::abs(inside + histogram.below + histogram.above - 1) < 1e-9);
            QVERIFY2(std::abs(histogram.below - 0.02) < 0.015 && std::abs(histogram.above - 0.02) < 0.015,
                     qPrintable(QString("%1 %2").arg(histogram.below).arg(histogram.above)));
            // Fixed limits and a colour table, as a person sets them: the map is drawn again with them.
            shown.clear();
            bar->setColourTable(jezero::ColourTable::Viridis);
            QTRY_VERIFY(!shown.isEmpty()); // drawn at once: the parameters are there
            bar->setFixedLimits(-0.005, 0.02);
            QTRY_VERIFY(w.findChild<QLabel*>("mapLabel")->text().contains("-0.005 … 0.02, viridis"));
            w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-parameter-colourbar.png");
            // The CRISM browse stretch: BD2500_2's limits in CAR (the first product showing it), from
            // the bundled table, resolved on this scene's values.
            auto* mode = bar->findChild<QComboBox*>("mapScaleMode");
            mode->setCurrentIndex(mode->findText("CRISM browse stretch"));
            const auto car = jezero::browseStretchOf("BD2500_2");
            QVERIFY(car && car->product == "CAR");
            std::vector<float> values(maps.pixelCount());
            for (std::size_t p = 0; p < values.size(); ++p) values[p] = maps.values[p];
            QTRY_VERIFY(std::abs(bar->low() - car->low.resolve(values)) < 1e-4 && std::abs(bar->high() - car->high.resolve(values)) < 1e-4);
            QVERIFY(!bar->fixedLimits());
            bar->setFixedLimits(-0.005, 0.02); // back to the limits the next window should find
            choice->setCurrentIndex(choice->findData("composite"));
            QTRY_VERIFY(!bar->isVisible());
        }
        // The fixed limits stay with the parameter: the next window (or scene) uses them.
        MainWindow again;
        again.show();
        waitShown(again, jezero::test::sampleMtrdrTiff());
        again.findChild<QComboBox*>("layerChoice")->setCurrentIndex(again.findChild<QComboBox*>("layerChoice")->findData("param:BD2500_2"));
        QTRY_VERIFY_WITH_TIMEOUT(again.mapScaleBar()->isVisible(), 30000);
        QVERIFY(again.mapScaleBar()->fixedLimits());
        QCOMPARE(again.mapScaleBar()->low(), -0.005);
        QCOMPARE(again.mapScaleBar()->colourTable(), jezero::ColourTable::Viridis);
        QSettings().remove("mapScale");
    }

    void parameterLayersAndPixelValues() {
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleVnirLabel());
        // Pick the FAL browse product in the panel, as a person would in its list.
        auto* choice = w.findChild<QComboBox*>("layerChoice");
        QVERIFY(choice);
        QSignalSpy shown(&w, &MainWindow::compositeShown);
        choice->setCurrentIndex(choice->findData("browse:FAL"));
        QVERIFY(shown.wait(30000));
        QCOMPARE(w.currentLayer(), QString("browse:FAL"));
        QVERIFY(!w.compositeControls()->isEnabled()); // R/G/B controls apply to the composite only
        hover(w, {32, 7});
        const QString hover = w.findChild<QLabel*>("hoverReadout")->text();
        QVERIFY2(hover.contains("R2529") && hover.contains("R1506") && hover.contains("R1080"), qPrintable(hover));

        // The clicked pixel's parameters equal the engine's for that spectrum.
        click(w, {32, 7});
        const jezero::SummaryParameters engine(w.cube()->wavelengthsNm(), {"R600", "D2300", "BD1900_2"});
        const auto expected = engine.compute(w.cube()->spectrum(32, 7));
        QCOMPARE(w.parametersPanel()->shownValue("R600"), QString::number(expected[0], 'g', 5));
        QCOMPARE(w.parametersPanel()->shownValue("D2300"), QString::number(expected[1], 'g', 5));
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-fal-layer.png");

        // The browse product's stretch: CRISM's limits by default, or percentiles of each channel's own
        // values — remembered for the product, and shown in its R/G/B key.
        auto* stretch = w.findChild<QComboBox*>("browseStretch");
        QVERIFY(stretch && stretch->isVisible());
        QCOMPARE(stretch->currentData().toInt(), 0);
        const auto standard = w.shownMap().channels;
        const int before = shown.count();
        stretch->setCurrentIndex(stretch->findData(1));
        emit stretch->activated(stretch->currentIndex());
        QCOMPARE(shown.count(), before + 1);
        const auto own = w.shownMap().channels;
        for (int c = 0; c < 3; ++c) QVERIFY(own[c].low != standard[c].low || own[c].high != standard[c].high);
        QVERIFY(own[0].low < own[0].high);
        QVERIFY2(w.findChild<jezero::ui::ChannelLegend*>()->text(0).contains(QString::number(own[0].low, 'g', 4)),
                 qPrintable(w.findChild<jezero::ui::ChannelLegend*>()->text(0)));
        QCOMPARE(QSettings().value("browseStretch/FAL").toInt(), 1);
        stretch->setCurrentIndex(stretch->findData(0));
        emit stretch->activated(stretch->currentIndex());
        QCOMPARE(w.shownMap().channels[1].low, standard[1].low);

        // Back to the composite.
        choice->setCurrentIndex(choice->findData("composite"));
        QVERIFY(shown.wait(10000));
        QVERIFY(w.compositeControls()->isEnabled());
        QVERIFY(!stretch->isVisible()); // the composite has its own stretch controls
    }

    void aLayerChosenWhileParametersComputeIsTheOneShown() {
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleVnirLabel());
        auto* choice = w.findChild<QComboBox*>("layerChoice");
        QSignalSpy shown(&w, &MainWindow::compositeShown);
        choice->setCurrentIndex(choice->findData("browse:FAL"));
        choice->setCurrentIndex(choice->findData("param:D2300")); // before the parameters arrive
        QVERIFY(shown.wait(30000));
        QCOMPARE(w.currentLayer(), QString("param:D2300"));
        QCOMPARE(shown.count(), 1); // one computation, one picture: the latest choice
        QTRY_VERIFY_WITH_TIMEOUT(!w.isBusy(), 10000); // the computation is over: no later picture can come
        QCoreApplication::processEvents();
        QCOMPARE(shown.count(), 1);
    }

    void inputPreviewsFollowTheRanges() {
        MainWindow w;
        w.show();
        QSignalSpy updated(w.inputsPanel(), &jezero::ui::InputsPanel::previewsUpdated);
        waitShown(w, jezero::test::sampleVnirLabel());
        QVERIFY(updated.wait(30000) || updated.count() > 0);
        for (int i = 0; i < 4; ++i) QVERIFY2(w.inputsPanel()->hasImage(i), qPrintable(w.inputsPanel()->caption(i)));
        QVERIFY(w.inputsPanel()->caption(2).contains("explained variance"));
        auto* ranges = w.findChild<QLineEdit*>("rectRanges");
        ranges->setText("2000-2100");
        updated.clear();
        QMetaObject::invokeMethod(ranges, "editingFinished");
        QVERIFY(updated.wait(30000));
        QVERIFY(w.inputsPanel()->caption(3).contains("2000-2100nm"));
        // A range the scene does not cover: that preview says so, the others stay.
        ranges->setText("100-200");
        updated.clear();
        QMetaObject::invokeMethod(ranges, "editingFinished");
        QVERIFY(updated.wait(30000));
        QVERIFY(!w.inputsPanel()->hasImage(3));
        QVERIFY(w.inputsPanel()->hasImage(0));
        // Text that is no range list is refused on the spot.
        ranges->setText("abc");
        QMetaObject::invokeMethod(ranges, "editingFinished");
        QVERIFY(!ranges->toolTip().isEmpty());
    }

    void roisAreDrawnPlottedRatioedAndSavedWithTheScene() {
        // Work on a copy of the sample pair, so the ROI sidecar lands in a temporary folder.
        QTemporaryDir dir;
        for (const char* stem : {"frt0001458f_01_if156s_trr3", "frt0001458f_01_if156l_trr3"})
            for (const char* ext : {".img", ".lbl"})
                QFile::copy(jezero::test::resource(QString("crism/trr3/") + stem + ext), dir.path() + "/" + stem + ext);
        const QString scene = dir.path() + "/frt0001458f_01_if156s_trr3.lbl";
        MainWindow w;
        w.show();
        waitShown(w, scene);
        jezero::ui::SceneView* view = w.sceneView();

        // Rectangle: press on one pixel, drag, release on another.
        w.findChild<QToolButton*>("roiToolRectangle")->click();
        QCOMPARE(view->tool(), jezero::ui::SceneView::Tool::Rectangle);
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, view->viewportPosition({10, 3}));
        QTest::mouseMove(view->viewport(), view->viewportPosition({15, 6}));
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, view->viewportPosition({20, 8}));
        QCOMPARE(w.rois().size(), std::size_t(1));
        QVERIFY(w.rois()[0].shape == jezero::Roi::Shape::Rectangle);
        const auto pixels = jezero::roiPixels(w.rois()[0], 64, 15);
        QVERIFY2(pixels.size() >= 40 && pixels.size() <= 66, qPrintable(QString::number(pixels.size()))); // ~10 × 5
        QTRY_VERIFY(w.roisMeasured()); // measured off the GUI thread
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 2); // the ROI's mean ± std and its median

        // Polygon: three clicks and a closing double-click.
        w.findChild<QToolButton*>("roiToolPolygon")->click();
        for (QPoint p : {QPoint(40, 2), QPoint(55, 3), QPoint(58, 12)}) QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->viewportPosition(p));
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->viewportPosition({42, 13}));
        QCOMPARE(w.rois().size(), std::size_t(2));
        QCOMPARE(w.rois()[1].vertices.size(), std::size_t(4));
        QCOMPARE(view->roiCount(), 2);
        QCOMPARE(w.roiPanel()->count(), 2);
        QTRY_VERIFY(w.roisMeasured());

        // Ratio of the two ROIs, then everything continuum-removed.
        QCustomPlot* plot = w.spectrumPlot()->plot();
        const QCPRange iofRange = plot->yAxis->range();
        QVERIFY(!w.spectrumPlot()->hasRatioAxis());
        w.plotRatio(1, 0);
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 5); // 2 × (mean, median) + the ratio
        // The ratio has its own axis; the I/F axis keeps the I/F curves' range.
        QVERIFY(w.spectrumPlot()->hasRatioAxis());
        QCOMPARE(plot->yAxis->range(), iofRange);
        QCPGraph* ratioCurve = plot->graph(plot->graphCount() - 1);
        QVERIFY(ratioCurve->name().endsWith("(right axis)"));
        QVERIFY(ratioCurve->valueAxis() != plot->yAxis && ratioCurve->valueAxis()->visible());
        // Its axis shows the ratio on the good channels (bad channels and the odd extreme value may fall outside).
        const jezero::BadBands bad = jezero::BadBands::forScene(w.cube()->metadata());
        int good = 0, inside = 0;
        for (auto point = ratioCurve->data()->constBegin(); point != ratioCurve->data()->constEnd(); ++point)
            if (std::isfinite(point->value) && !bad.isBad(point->key * 1000)) {
                ++good;
                inside += ratioCurve->valueAxis()->range().contains(point->value);
            }
        QVERIFY2(good > 300 && inside >= 0.99 * good, qPrintable(QString("%1 of %2").arg(inside).arg(good)));
        // Long legend entries ("ROI 1 mean ± std (66 pixels)") get fewer columns, never cut off.
        plot->replot();
        QVERIFY(plot->legend->itemCount() >= 5);
        for (int i = 0; i < plot->legend->itemCount(); ++i) {
            QCPAbstractLegendItem* item = plot->legend->item(i);
            if (!item) continue; // an empty cell of the grid
            QVERIFY2(item->outerRect().width() >= item->minimumOuterSizeHint().width() && item->outerRect().right() <= plot->width(),
                     qPrintable(QString("legend entry %1: %2 of %3 px").arg(i).arg(item->outerRect().width()).arg(item->minimumOuterSizeHint().width())));
        }
        // Clear spectra clears clicked pixels, not the ROIs' curves or their ratio.
        w.selectPixel({30, 7}, false);
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 6);
        w.findChild<QAction*>("clearSpectra")->trigger();
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 5);
        QVERIFY(w.spectrumPlot()->hasRatioAxis());
        w.spectrumPlot()->findChild<QCheckBox*>("continuumToggle")->click();
        QVERIFY(w.spectrumPlot()->continuumRemoved());
        for (double v : w.spectrumPlot()->shownValues(0)) QVERIFY(!std::isfinite(v) || v <= 1 + 1e-9);
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-rois.png");

        // Saved with the scene, they come back when it is opened again.
        w.saveRois(w.roiSidecarPath());
        QVERIFY(QFile::exists(dir.path() + "/frt0001458f_01_if156s_trr3.rois.geojson"));
        MainWindow again;
        again.show();
        waitShown(again, scene);
        QCOMPARE(again.rois().size(), std::size_t(2));
        QCOMPARE(again.rois()[1].vertices, w.rois()[1].vertices);

        // Rename in the list, then delete the first, whether or not their statistics (measured off the
        // GUI thread) have arrived: the other keeps its name, and its own curves.
        auto* list = again.findChild<QListWidget*>("roiList");
        list->item(1)->setText("olivine unit");
        QCOMPARE(again.rois()[1].name, std::string("olivine unit"));
        list->setCurrentRow(0);
        again.findChild<QPushButton*>("roiDelete")->click();
        QCOMPARE(again.rois().size(), std::size_t(1));
        QCOMPARE(again.rois()[0].name, std::string("olivine unit"));
        QTRY_VERIFY(again.roisMeasured());
        QCOMPARE(again.spectrumPlot()->spectrumCount(), 2); // its mean ± std and median
        const QString meanCurve = QString("olivine unit mean ± std (%1 px)").arg(jezero::roiSpectrum(*again.cube(), again.rois()[0]).pixelCount);
        QCustomPlot* shown = again.spectrumPlot()->plot();
        bool plotted = false;
        for (int g = 0; g < shown->graphCount(); ++g) plotted = plotted || shown->graph(g)->name() == meanCurve;
        QVERIFY2(plotted, qPrintable(meanCurve));
    }

    void libraryOverlaysAreResampledToTheScene() {
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleMtrdrTiff());
        w.selectPixel({10, 10}, false);
        auto* button = w.spectrumPlot()->findChild<QToolButton*>("libraryButton");
        QVERIFY(button && button->menu());
        QAction* magnesite = nullptr;
        for (QAction* a : button->menu()->actions())
            if (a->text() == "MICA Mg carbonate") magnesite = a;
        QVERIFY(magnesite);
        magnesite->trigger();
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 2);
        QCOMPARE(w.spectrumPlot()->channelCount(1), 489); // on the scene's channels
        QCOMPARE(w.spectrumPlot()->shownLibrarySpectra(), QStringList{"MICA Mg carbonate"});
        w.spectrumPlot()->findChild<QCheckBox*>("continuumToggle")->click();
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-library.png");
        magnesite->trigger();
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
    }

    void theLibraryIsRankedAgainstTheClickedPixelAndFiltered() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        waitShown(w, jezero::test::sampleMtrdrTiff());
        jezero::ui::LibraryMatchPanel* panel = w.libraryMatchPanel();
        QCOMPARE(panel->rowCount(), 0); // nothing clicked yet
        w.findChild<QDockWidget*>("libraryMatchDock")->raise();
        click(w, {10, 10});
        QTRY_VERIFY2_WITH_TIMEOUT(panel->rowCount() == 76, qPrintable(panel->findChild<QLabel*>("matchSubject")->text()), 10000);
        // The panel's order is core's ranking of that pixel.
        const float* values = w.cube()->spectrum(10, 10);
        const auto expected = jezero::rankLibraryMatches(w.cube()->wavelengthsNm(), std::vector<double>(values, values + w.cube()->bands()),
                                                         jezero::bundledSpectralLibrary(), 1000, 2600);
        for (int r = 0; r < panel->rowCount(); ++r) QCOMPARE(panel->rowName(r), QString::fromStdString(expected[r].name));
        QVERIFY(panel->findChild<QLabel*>("matchSubject")->text().contains("pixel 10, 10"));
        // The filter box narrows the list by name or kind.
        panel->setFilterText("carbonate");
        QVERIFY(panel->visibleRowCount() >= 4 && panel->visibleRowCount() < 20);
        panel->setFilterText("");
        QCOMPARE(panel->visibleRowCount(), 76);
        // Show overlays the spectrum on the plot (and ticks it in the plot's Library menu); the menu
        // ticks the panel back.
        panel->setRowShown(0, true);
        QCOMPARE(w.spectrumPlot()->shownLibrarySpectra(), QStringList{panel->rowName(0)});
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 2);
        w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-library-matches.png");
        const auto library = jezero::bundledSpectralLibrary();
        const auto first = std::find_if(library.begin(), library.end(), [&](const auto& l) { return QString::fromStdString(l.name) == panel->rowName(0); });
        w.spectrumPlot()->setLibrarySpectrumShown(static_cast<int>(first - library.begin()), false);
        QVERIFY(!panel->isRowShown(0));
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
        // A narrower range ranks again; another pixel too.
        panel->findChild<QSpinBox*>("matchFrom")->setValue(1800);
        QTRY_VERIFY_WITH_TIMEOUT(panel->findChild<QLabel*>("matchSubject")->text().contains("1800–2600 nm"), 10000);
        click(w, {3, 4});
        QTRY_VERIFY_WITH_TIMEOUT(panel->findChild<QLabel*>("matchSubject")->text().contains("ranked against pixel 3, 4"), 10000);
        QCOMPARE(panel->rowCount(), 76);
        // An ROI's mean spectrum can be the subject instead.
        w.addRoi(jezero::Roi::Shape::Rectangle, {{5, 5}, {12, 5}, {12, 12}, {5, 12}});
        QCOMPARE(panel->findChild<QComboBox*>("matchAgainst")->count(), 2);
        panel->setSubject(1);
        QTRY_VERIFY_WITH_TIMEOUT(panel->findChild<QLabel*>("matchSubject")->text().contains("ranked against ROI"), 10000);
        const auto roiMean = jezero::roiSpectrum(*w.cube(), w.rois().front()).mean;
        const auto roiExpected = jezero::rankLibraryMatches(w.cube()->wavelengthsNm(), roiMean, jezero::bundledSpectralLibrary(), 1800, 2600);
        for (int r = 0; r < panel->rowCount(); ++r) QCOMPARE(panel->rowName(r), QString::fromStdString(roiExpected[r].name));
    }

    void closingTheWindowStopsAReadWithinTwoSeconds() {
        // A 3 GB scene (a sparse file: no disk used) takes seconds to read; closing the window while it
        // is read cancels the read at its next chunk, so the app can quit at once.
        QTemporaryDir dir;
        const QString img = dir.path() + "/big_if_mtr3.img";
        QFile data(img);
        QVERIFY(data.open(QIODevice::WriteOnly) && data.resize(qint64(1200) * 1300 * 489 * 4));
        data.close();
        QFile header(dir.path() + "/big_if_mtr3.hdr");
        QVERIFY(header.open(QIODevice::WriteOnly));
        header.write("ENVI\nsamples = 1200\nlines = 1300\nbands = 489\nheader offset = 0\nfile type = ENVI Standard\n"
                     "data type = 4\ninterleave = bil\nbyte order = 0\n"); // 489 bands: the bundled MTRDR wavelengths
        header.close();
        auto* w = new MainWindow;
        w->show();
        QSignalSpy failed(w, &MainWindow::sceneFailed);
        w->openScene(img);
        QTRY_VERIFY(QThreadPool::globalInstance()->activeThreadCount() > 0 || !failed.isEmpty());
        if (!failed.isEmpty()) QSKIP(qPrintable("this machine cannot hold the test scene: " + failed.first().first().toString()));
        QTest::qWait(150); // into the read
        QElapsedTimer quitting;
        quitting.start();
        w->close();
        delete w;
        QVERIFY(jezero::ui::BackgroundTask::waitForAll(2000));
        qDebug() << "quit in" << quitting.elapsed() << "ms";
        QVERIFY2(quitting.elapsed() < 2000, qPrintable(QString::number(quitting.elapsed())));
    }

    void backgroundTaskReportsProgressOnTheGuiThreadAndCancels() {
        // Work that runs until canceled: progress arrives on the GUI thread, cancel ends it cleanly.
        auto task = std::make_shared<jezero::Task<int>>("spin", [](jezero::TaskControl& control) {
            for (int i = 0;; ++i) {
                control.setProgress((i % 100) / 100.0, "spinning");
                control.throwIfCanceled();
                QThread::msleep(5);
            }
            return 0;
        });
        auto* runner = jezero::ui::BackgroundTask::start(task);
        QSignalSpy progress(runner, &jezero::ui::BackgroundTask::progressChanged);
        QSignalSpy canceled(runner, &jezero::ui::BackgroundTask::canceled);
        QSignalSpy succeeded(runner, &jezero::ui::BackgroundTask::succeeded);
        bool onGuiThread = true;
        connect(runner, &jezero::ui::BackgroundTask::progressChanged, this,
                [&] { onGuiThread = onGuiThread && QThread::currentThread() == qApp->thread(); });
        QVERIFY(progress.wait(5000));
        runner->cancel();
        QVERIFY(canceled.wait(5000));
        QVERIFY(onGuiThread);
        QCOMPARE(succeeded.count(), 0);
        QCOMPARE(task->status(), jezero::TaskStatus::Canceled);
    }

    void openedScenesAreRememberedAndDropsOpen() {
        jezero::ui::RecentPaths::scenes().clear();
        MainWindow w;
        w.show();
        waitShown(w, jezero::test::sampleMtrdrTiff());
        QCOMPARE(jezero::ui::RecentPaths::scenes().list().first(), QFileInfo(jezero::test::sampleMtrdrTiff()).absoluteFilePath());
        // Drop the VNIR label on the window, as from a file manager.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(jezero::test::sampleVnirLabel())});
        QSignalSpy shown(&w, &MainWindow::sceneShown);
        QDragEnterEvent enter(QPoint(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(100, 100), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QVERIFY(shown.wait(30000));
        QCOMPARE(w.cube()->bands(), 531);
        QCOMPARE(jezero::ui::RecentPaths::scenes().list().size(), 2);
    }

    void screenshotOptionWritesTheWindow() {
        QTemporaryDir dir;
        const QString shot = dir.path() + "/window.png";
        QProcess p;
        p.start(QStringLiteral(JEZERO_GUI_PATH), {jezero::test::sampleVnirLabel(), "--pixel", "32,7", "--screenshot", shot});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QImage image(shot);
        QVERIFY(image.width() > 800 && image.height() > 500);
        QFile::remove(QStringLiteral(JEZERO_TEST_OUTPUT) + "/jezero-screenshot.png");
        QFile::copy(shot, QStringLiteral(JEZERO_TEST_OUTPUT) + "/jezero-screenshot.png");

        p.start(QStringLiteral(JEZERO_GUI_PATH), {dir.path() + "/missing.img", "--screenshot", shot});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("no such file"));
    }

    // --version and --help need no display (a QApplication without one aborts).
    void versionAndHelpAnswerWithoutADisplay() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(name);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(JEZERO_GUI_PATH), {"--version"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().startsWith("jezero "));
        p.start(QStringLiteral(JEZERO_GUI_PATH), {"--help"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("--second-map"));
    }

    void startedWithoutASceneTheWindowReopensTheLastOneOnItsLayer() {
        QTemporaryDir config; // a user's settings of their own
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CONFIG_HOME", config.path());
        const QString shot = config.path() + "/window.png";
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(JEZERO_GUI_PATH), {jezero::test::sampleMtrdrTiff(), "--layer", "browse:CAR", "--screenshot", shot});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        p.start(QStringLiteral(JEZERO_GUI_PATH), {"--screenshot", shot, "--verbose"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray log = p.readAllStandardError();
        QVERIFY2(log.contains("frt0000932c_07_if164j_mtr3_subsampled.tif (20x20"), log.constData()); // not the bundled TRR3 sample
        // …on its layer: the last layer the window showed is the one of the first session.
        const int last = log.lastIndexOf("map layer ");
        QVERIFY2(last >= 0, log.constData());
        QCOMPARE(log.mid(last, log.indexOf('\n', last) - last).trimmed(), QByteArray("map layer browse:CAR"));
        QFile::remove(QStringLiteral(JEZERO_TEST_OUTPUT) + "/jezero-reopened.png");
        QFile::copy(shot, QStringLiteral(JEZERO_TEST_OUTPUT) + "/jezero-reopened.png");
    }

    // View › Side by side: a second map on any layer; zoom and pan of either move both, the cursor in
    // one is a cross in the other, a click in the second selects like one in the first; Fit shows the
    // whole scene in both.
    void aSecondMapFollowsTheFirst() {
        MainWindow w;
        w.resize(1500, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        waitShown(w, jezero::test::sampleMtrdrTiff());
        QAction* toggle = w.findChild<QAction*>("sideBySide");
        QVERIFY(toggle && toggle->isCheckable());
        toggle->trigger();
        QVERIFY(w.sideBySide());
        jezero::ui::LinkedMapView* second = w.linkedView();
        QVERIFY(second->isVisible());
        QCOMPARE(second->layer(), QString("browse:CAR")); // beside the composite: the carbonate product
        QTRY_VERIFY_WITH_TIMEOUT(second->caption().startsWith("CAR browse"), 30000); // once the parameters are computed
        QVERIFY2(second->caption().contains("R D2300 ") && second->caption().contains("G BD2500_2 "), qPrintable(second->caption())); // with each channel's limits
        QVERIFY(second->view()->hasImage());
        QVERIFY(!second->colourScale() && !second->findChild<QWidget*>("linkedMapColourBar")->isVisible()); // a browse product has its R/G/B caption
        second->setLayer("param:D2300");
        QTRY_VERIFY(second->caption().startsWith("D2300 ("));
        // A parameter gets its colour bar under the map: the limits the caption names.
        QVERIFY(second->colourScale() && second->colourScale()->low < second->colourScale()->high);
        QVERIFY(second->findChild<QWidget*>("linkedMapColourBar")->isVisible());
        QVERIFY2(second->caption().contains(QString::number(second->colourScale()->low, 'g', 4)), qPrintable(second->caption()));
        QCOMPARE(w.currentLayer(), QString("composite")); // the first map keeps its layer
        {
            // File › Export second map figure: its own layer with its colour bar; the first map's is the
            // composite with its R/G/B key.
            QTemporaryDir dir;
            const jezero::ui::MapFigureLayout secondFigure = w.exportMapFigure(dir.path() + "/second.svg", true);
            QVERIFY(secondFigure.colourBarDrawn && secondFigure.scaleBarDrawn);
            QFile svg(dir.path() + "/second.svg");
            QVERIFY(svg.open(QIODevice::ReadOnly));
            const QByteArray text = svg.readAll();
            QVERIFY(text.contains("D2300"));
            const jezero::ui::MapFigureLayout firstFigure = w.exportMapFigure(dir.path() + "/first.svg");
            QVERIFY(firstFigure.colourBarDrawn); // the channel key
            QFile first(dir.path() + "/first.svg");
            QVERIFY(first.open(QIODevice::ReadOnly));
            QVERIFY(first.readAll().contains("I/F "));
        }
        // …and says which, above it, as the second says its own.
        auto* firstHeader = w.findChild<QLabel*>("firstMapHeader");
        QVERIFY(firstHeader && firstHeader->isVisible());
        QVERIFY2(firstHeader->text().startsWith("First map") && firstHeader->text().contains("true colour"), qPrintable(firstHeader->text()));

        // Fit: the whole scene in both, at one scale (once the window's layout has settled: the new
        // caption re-lays the second map out).
        const auto bothWhole = [&] {
            w.fitMaps();
            for (SceneView* v : {w.sceneView(), second->view()})
                if (!v->mapToScene(v->viewport()->rect()).boundingRect().contains(QRectF(0, 0, 20, 20))) return false;
            return true;
        };
        QTRY_VERIFY(bothWhole());
        QCOMPARE(second->view()->viewTransform().m11(), w.sceneView()->viewTransform().m11());
        // A wheel zoom in either view zooms both to the same place.
        for (SceneView* v : {w.sceneView(), second->view()}) {
            QWheelEvent wheel(QPointF(60, 60), v->viewport()->mapToGlobal(QPointF(60, 60)), {}, QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                              Qt::NoScrollPhase, false);
            const double before = v->viewTransform().m11();
            QApplication::sendEvent(v->viewport(), &wheel);
            QVERIFY(v->viewTransform().m11() > before);
            QCOMPARE(second->view()->viewTransform().m11(), w.sceneView()->viewTransform().m11());
            QVERIFY((second->view()->viewCentre() - w.sceneView()->viewCentre()).manhattanLength() < 0.5);
        }
        w.fitMaps();
        // The cursor over one map is a cross in the other, gone when it leaves.
        hover(w, {5, 7});
        QCOMPARE(second->view()->cursorMarker(), QPoint(5, 7));
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(w.sceneView(), &leave);
        QCOMPARE(second->view()->cursorMarker(), QPoint(-1, -1));
        // A click in the second map shows that pixel's spectrum.
        QTest::mouseClick(second->view()->viewport(), Qt::LeftButton, {}, second->view()->viewportPosition({12, 3}));
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
        QCOMPARE(w.sceneView()->markerCount(), 1);
        QVERIFY(w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-side-by-side.png"));

        toggle->trigger();
        QVERIFY(!w.sideBySide() && !second->isVisible() && !firstHeader->isVisible());

        // View › Live spectrum: the pixel under the cursor in grey beside the clicked one, gone when
        // the cursor leaves or the view is switched off.
        QAction* live = w.findChild<QAction*>("liveSpectrum");
        QVERIFY(live && live->isCheckable());
        if (!live->isChecked()) live->trigger();
        hover(w, {4, 9});
        QVERIFY(w.spectrumPlot()->hasLiveSpectrum());
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1); // the clicked one stays; the live curve is apart
        const std::vector<double> liveCurve = w.spectrumPlot()->liveValues();
        const float* underCursor = w.cube()->spectrum(4, 9);
        for (int b = 0; b < w.cube()->bands(); ++b)
            if (std::isfinite(underCursor[b])) QCOMPARE(liveCurve[b], double(underCursor[b]));
        hover(w, {6, 9});
        QCOMPARE(w.spectrumPlot()->liveValues()[100], double(w.cube()->spectrum(6, 9)[100]));
        w.spectrumPlot()->plot()->replot();
        QVERIFY(w.grab().save(QStringLiteral(JEZERO_TEST_OUTPUT) + "/gui-live-spectrum.png"));
        QApplication::sendEvent(w.sceneView(), &leave);
        QVERIFY(!w.spectrumPlot()->hasLiveSpectrum());
        live->trigger();
        hover(w, {4, 9});
        QVERIFY(!w.spectrumPlot()->hasLiveSpectrum());
    }

    // A fitted map stays fitted when its room changes (a legend or colour bar comes under it, the
    // window is resized); once zoomed by hand it keeps the user's zoom.
    void aFittedMapStaysFittedWhenItsRoomChanges() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        waitShown(w, jezero::test::sampleMtrdrTiff());
        SceneView* v = w.sceneView();
        const auto whole = [v] { return v->mapToScene(v->viewport()->rect()).boundingRect().contains(QRectF(0, 0, 20, 20)); };
        QTRY_VERIFY(whole()); // the R/G/B key under the composite came after the first fit
        w.resize(1100, 700);
        QTRY_VERIFY(whole());
        QWheelEvent wheel(QPointF(60, 60), v->viewport()->mapToGlobal(QPointF(60, 60)), {}, QPoint(0, 480), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(v->viewport(), &wheel);
        const double zoomed = v->viewTransform().m11();
        const QSize before = v->viewport()->size();
        w.resize(1300, 800);
        QTRY_VERIFY(v->viewport()->size() != before); // the resize has arrived…
        QCOMPARE(v->viewTransform().m11(), zoomed);    // …and the user's zoom stayed
        // Side by side, fitted: both maps stay whole when the window changes size.
        w.fitMaps();
        w.setSideBySide(true);
        const auto bothWhole = [&w] {
            for (SceneView* s : {w.sceneView(), w.linkedView()->view()})
                if (!s->mapToScene(s->viewport()->rect()).boundingRect().contains(QRectF(0, 0, 20, 20))) return false;
            return true;
        };
        QTRY_VERIFY(bothWhole());
        w.resize(1200, 760);
        QTRY_VERIFY(bothWhole());
        w.setSideBySide(false);
        QVERIFY_THROWS_EXCEPTION(jezero::Error, w.exportMapFigure(QDir::tempPath() + "/jezero-no-second-map.png", true));
    }

    // File › Export map figure: the map as shown, its pixels sharp at an integer zoom, with a colour
    // bar for a parameter and — the scene being georeferenced — grid, scale bar and north arrow; the
    // same figure as PNG, SVG and PDF; a scene without a georeference gets none of them.
    void theMapExportsAsAFigureForAPaper() {
        QTemporaryDir dir;
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        waitShown(w, jezero::test::sampleMtrdrTiff()); // 20 × 20, map-projected on the Mars sphere
        QSignalSpy drawn(&w, &MainWindow::compositeShown);
        w.parametersPanel()->setCurrentLayer("param:OLINDEX3");
        QVERIFY(drawn.wait(30000));
        const jezero::ui::MapFigureLayout png = w.exportMapFigure(dir.path() + "/figure.png");
        QVERIFY(png.colourBarDrawn && png.scaleBarDrawn && png.northArrowDrawn);
        QVERIFY(png.gridLines >= 2);
        QVERIFY2(std::abs(png.northBearingDeg) < 1, qPrintable(QString::number(png.northBearingDeg))); // an equirectangular product is north-up
        QCOMPARE(png.zoom, 60.0); // 20 px → at least 1200
        QImage figure(dir.path() + "/figure.png");
        QCOMPARE(figure.size(), QSize(int(std::ceil(png.width)), int(std::ceil(png.height))));
        // Inside the map, away from the grid lines, every scene pixel is a block of its own colour.
        const QImage shown = jezero::ui::toQImage(w.shownMap());
        int compared = 0, valid = 0;
        for (int y = 0; y < 20; y += 3)
            for (int x = 0; x < 20; x += 3) {
                const QPoint at(int(png.map.left() + (x + 0.3) * png.zoom), int(png.map.top() + (y + 0.7) * png.zoom));
                if (qAlpha(shown.pixel(x, y)) < 255) continue;
                ++valid;
                if (figure.pixel(at) == shown.pixel(x, y)) ++compared; // else a grid line or the north arrow crosses it
            }
        QVERIFY2(compared >= valid / 2 && valid > 30, qPrintable(QString("%1 of %2").arg(compared).arg(valid)));

        const jezero::ui::MapFigureLayout svg = w.exportMapFigure(dir.path() + "/figure.svg");
        QSvgRenderer renderer(dir.path() + "/figure.svg");
        QVERIFY(renderer.isValid());
        QCOMPARE(renderer.viewBoxF().size(), QSizeF(svg.width, svg.height));
        QFile svgFile(dir.path() + "/figure.svg");
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        QVERIFY(svgFile.readAll().contains(png.scaleBarLabel.toUtf8())); // text stays text
        w.exportMapFigure(dir.path() + "/figure.pdf");
        QFile pdf(dir.path() + "/figure.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), (QStringList{"figure.pdf", "figure.png", "figure.svg"})); // nothing half-written left
        QVERIFY_THROWS_EXCEPTION(jezero::Error, w.exportMapFigure(dir.path() + "/figure.jpg"));

        // No georeference (the TRR3 strip): the map, its title and its R/G/B key, nothing that would need one.
        waitShown(w, jezero::test::sampleVnirLabel());
        w.parametersPanel()->setCurrentLayer("composite");
        QTRY_VERIFY_WITH_TIMEOUT(w.shownMap().width == w.cube()->width() && !w.shownMap().rgba.empty(), 30000);
        const jezero::ui::MapFigureLayout plain = w.exportMapFigure(dir.path() + "/plain.png");
        QVERIFY(!plain.scaleBarDrawn && !plain.northArrowDrawn);
        QVERIFY(plain.colourBarDrawn); // the three channels' key
        QCOMPARE(plain.gridLines, 0);
        QFile::remove(QStringLiteral(JEZERO_TEST_OUTPUT) + "/map-figure.png");
        QFile::copy(dir.path() + "/figure.png", QStringLiteral(JEZERO_TEST_OUTPUT) + "/map-figure.png");
    }

    // The spectrum plot's Save… (and File › Export spectrum plot): the plot as shown — curves, legend,
    // filter curves — as a 300-dpi PNG, an SVG whose text stays text, and a PDF.
    void theSpectrumPlotSavesAsAFigure() {
        QTemporaryDir dir;
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        waitShown(w, jezero::test::sampleMtrdrTiff());
        w.selectPixel({10, 10}, false);
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
        QVERIFY(w.spectrumPlot()->findChild<QToolButton*>("saveFigure"));
        QVERIFY(w.findChild<QAction*>("exportPlot"));
        jezero::ui::SpectrumPlot* plot = w.spectrumPlot();
        plot->writeFigure(dir.path() + "/plot.png");
        const QImage png(dir.path() + "/plot.png");
        const QSizeF size = plot->figureSize();
        QVERIFY(size.width() >= 720 && size.height() >= 400);
        QCOMPARE(png.size(), QSize(int(std::ceil(size.width() * 300 / 96)), int(std::ceil(size.height() * 300 / 96))));
        QCOMPARE(png.dotsPerMeterX(), 11811);
        // The spectrum's colour is in it, and the figure is not mostly blank.
        const QColor curve = plot->plot()->graph(0)->pen().color();
        int curvePixels = 0, inked = 0;
        for (int y = 0; y < png.height(); y += 2)
            for (int x = 0; x < png.width(); x += 2) {
                const QColor c = png.pixelColor(x, y);
                if (c != Qt::white) ++inked;
                if (std::abs(c.red() - curve.red()) + std::abs(c.green() - curve.green()) + std::abs(c.blue() - curve.blue()) < 30) ++curvePixels;
            }
        QVERIFY2(curvePixels > 200, qPrintable(QString::number(curvePixels)));
        QVERIFY(inked > 2000);
        plot->writeFigure(dir.path() + "/plot.svg");
        QSvgRenderer svg(dir.path() + "/plot.svg");
        QVERIFY(svg.isValid());
        QFile svgFile(dir.path() + "/plot.svg");
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray text = svgFile.readAll();
        QVERIFY(text.contains("Wavelength") && text.contains("I/F")); // the axis labels, as text
        plot->writeFigure(dir.path() + "/plot.pdf");
        QFile pdf(dir.path() + "/plot.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY_THROWS_EXCEPTION(jezero::Error, plot->writeFigure(dir.path() + "/plot.bmp"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), (QStringList{"plot.pdf", "plot.png", "plot.svg"}));
        // The widget is drawn at its own size again afterwards.
        QCOMPARE(plot->plot()->viewport().size(), plot->plot()->size());
        QFile::remove(QStringLiteral(JEZERO_TEST_OUTPUT) + "/spectrum-figure.png");
        QFile::copy(dir.path() + "/plot.png", QStringLiteral(JEZERO_TEST_OUTPUT) + "/spectrum-figure.png");
    }

    // A first start (no settings, no data) shows the sample scene with a carbonate-rich pixel's
    // spectrum; the sample is made once in the user's data folder and reused.
    void aFirstStartShowsTheSampleSceneWithACarbonateSpectrum() {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CONFIG_HOME", home.path() + "/config");
        env.insert("XDG_DATA_HOME", home.path() + "/data");
        const QString shot = home.path() + "/window.png";
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(JEZERO_GUI_PATH), {"--screenshot", shot, "--verbose"});
        QVERIFY(p.waitForFinished(60000));
        const QByteArray log = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(log.contains("syn0001_jezero_if_mtr3.img (256x256"), log.constData());
        QVERIFY(QFileInfo::exists(home.path() + "/data/jezero/sample/sample.json"));
        QFile::remove(QStringLiteral(JEZERO_TEST_OUTPUT) + "/jezero-first-start.png");
        QFile::copy(shot, QStringLiteral(JEZERO_TEST_OUTPUT) + "/jezero-first-start.png");

        // In the window: File › Open sample scene shows it with one spectrum, that of the pixel the sample offers.
        qputenv("XDG_DATA_HOME", (home.path() + "/data").toUtf8());
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy shown(&w, &MainWindow::sceneShown);
        QAction* open = nullptr;
        for (QAction* a : w.menuBar()->actions().first()->menu()->actions())
            if (a->text().remove('&') == "Open sample scene") open = a;
        QVERIFY(open);
        open->trigger();
        QVERIFY(shown.wait(30000));
        qunsetenv("XDG_DATA_HOME");
        const jezero::io::SampleScene sample = jezero::io::ensureSampleScene((home.path() + "/data/jezero-tests/sample").toStdString());
        QCOMPARE(QString::fromStdString(w.cube()->metadata().sourcePath), QString::fromStdString(sample.path));
        QCOMPARE(w.spectrumPlot()->spectrumCount(), 1);
        QCOMPARE(w.sceneView()->markerCount(), 1);
        // …and the curve is that pixel's spectrum.
        const std::vector<double> curve = w.spectrumPlot()->shownValues(0);
        const float* expected = w.cube()->spectrum(sample.pixelX, sample.pixelY);
        QCOMPARE(static_cast<int>(curve.size()), w.cube()->bands());
        int compared = 0;
        for (int b = 0; b < w.cube()->bands(); ++b)
            if (std::isfinite(expected[b])) {
                QCOMPARE(curve[b], double(expected[b]));
                ++compared;
            }
        QVERIFY(compared > 400);
    }
};

JEZERO_GUI_TEST_MAIN(TestGui)
#include "test_gui.moc"
