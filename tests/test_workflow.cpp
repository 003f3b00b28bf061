// The geologist's model workflow in the real window (under Xvfb), as a person does it: Predict
// carbonates with the shipped U-Net through the dialog, read the comparison and its metrics, click
// pixels, zoom the panels together, draw the carbonate overlay, export; cancel a long prediction.
// jezero-cli runs as a child process, as in the product. Saves screenshots to look at.
#include "GuiTestMain.h"
#include "TestPaths.h"
#include "jezero/core/Error.h"
#include "jezero/core/Roi.h"
#include "jezero/core/SummaryParameters.h"
#include "jezero/core/SyntheticPairs.h"
#include "jezero/io/ImageWriter.h"
#include "jezero/io/ImageReader.h"
#include "jezero/io/SceneReader.h"
#include "jezero/ui/CarbonateOverlay.h"
#include "jezero/ui/CassisChainReport.h"
#include "jezero/ui/ComparisonView.h"
#include "jezero/ui/CubeView.h"
#include "jezero/ui/HarmonisationDialog.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/PredictDialog.h"
#include "jezero/ui/SceneLibrary.h"
#include "jezero/ui/SceneView.h"
#include "jezero/ui/SpectrumPlot.h"
#include "jezero/ui/TrainingDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QToolButton>
#include <QTableWidget>
#include <QLabel>
#include <QLineEdit>
#include <QJsonDocument>
#include <QtTest>

#include <algorithm>
#include <cmath>

using jezero::ui::MainWindow;

class TestWorkflow : public QObject {
    Q_OBJECT
private:
    QString mOut = QStringLiteral(JEZERO_TEST_OUTPUT) + "/workflow";

    static void openAndWait(MainWindow& w, const QString& path) {
        QSignalSpy shown(&w, &MainWindow::sceneShown);
        w.openScene(path);
        QVERIFY(shown.wait(30000));
    }
    // Clicks Predict carbonates, waits until the dialog knows the model, sets the output, presses Predict.
    static void predictThroughDialog(MainWindow& w, const QString& model, const QString& out, int samples = 2, int steps = 4) {
        QAction* action = w.findChild<QAction*>("predictCarbonates");
        QVERIFY(action && action->isEnabled());
        action->trigger();
        auto* dialog = w.findChild<jezero::ui::PredictDialog*>();
        QVERIFY(dialog && dialog->isVisible());
        QSignalSpy info(dialog, &jezero::ui::PredictDialog::modelInfoChanged);
        dialog->setModel(model);
        QVERIFY(info.wait(60000));
        dialog->setOutputPath(out);
        dialog->setSamples(samples);
        dialog->setSteps(steps);
        QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("jezero-tests");
        qputenv("JEZERO_CLI", JEZERO_CLI_PATH);
        QDir(mOut).removeRecursively();
        QVERIFY(QDir().mkpath(mOut));
    }

    void predictWithTheShippedUNetOpensTheComparison() {
        MainWindow w;
        w.resize(1500, 950);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        openAndWait(w, jezero::test::sampleMtrdrTiff());
        w.selectPixel({4, 15}, false); // clicked before predicting: the comparison opens on it
        const QString out = mOut + "/unet_prediction.tif";
        QSignalSpy shown(&w, &MainWindow::predictionShown), failed(&w, &MainWindow::predictionFailed);
        predictThroughDialog(w, "unet", out);
        QVERIFY(w.isPredicting());
        QVERIFY(!w.findChild<QAction*>("predictCarbonates")->isEnabled()); // one prediction at a time
        // The window stays responsive while the child process runs: the event loop turns.
        QVERIFY2(shown.wait(180000), failed.isEmpty() ? "timeout" : qPrintable(failed.first().first().toString()));
        QVERIFY(QFile::exists(out));

        auto* view = w.comparisonView();
        QCOMPARE(w.tabs()->currentWidget(), view);
        QVERIFY(view->result().truth.has_value()); // the MTRDR sample has the CAR wavelengths
        QCOMPARE(view->result().prediction.mean.channelNames, (std::vector<std::string>{"D2300", "BD2500_2", "BD1900_2"}));
        QCOMPARE(view->result().input.channelNames, (std::vector<std::string>{"PAN", "NIR", "RED"}));
        // The metrics table holds numbers that agree with the result's evaluation.
        QTableWidget* metrics = view->metricsTable();
        QVERIFY(metrics->rowCount() >= 10);
        QCOMPARE(metrics->item(0, 0)->text(), QString("RMSE"));
        const double rmse = metrics->item(0, 1)->text().toDouble();
        QVERIFY(rmse > 0 && std::abs(rmse - view->result().evaluation->physical.rmse) < 1e-3 * rmse + 1e-9);
        bool hasF1 = false;
        for (int r = 0; r < metrics->rowCount(); ++r) hasF1 |= metrics->item(r, 0)->text().startsWith("Carbonate F1");
        QVERIFY(hasF1);
        for (int i = 0; i < jezero::ui::ComparisonView::kPanels; ++i) QVERIFY(view->panel(i)->hasImage());
        QVERIFY(view->pixelTable()->horizontalHeaderItem(0));
        QCOMPARE(view->pixelTable()->horizontalHeaderItem(0)->text(), QString("x 4, y 15"));
        // Each panel says what its colours mean: the input's and the prediction's R/G/B channels with
        // their limits, the error as a grey scale; the same key goes into the panel's figure.
        const auto inputKey = view->panelKey(0), predictionKey = view->panelKey(2), errorKey = view->panelKey(3);
        QVERIFY(inputKey.channels && !inputKey.bar);
        QCOMPARE(inputKey.channels->names, (QStringList{"PAN", "NIR", "RED"}));
        QVERIFY(predictionKey.channels && predictionKey.channels->names == (QStringList{"D2300", "BD2500_2", "BD1900_2"}));
        QVERIFY(predictionKey.channels->channels[0].low < predictionKey.channels->channels[0].high);
        QVERIFY(errorKey.bar && errorKey.bar->scale.high == 50 && errorKey.bar->name.startsWith("|error|"));
        QVERIFY(!view->panelKey(4).bar && !view->panelKey(4).channels); // a deterministic model: no uncertainty panel
        QVERIFY2(view->channelKeyText(2).contains("BD2500_2"), qPrintable(view->channelKeyText(2)));
        QVERIFY(view->findChild<QLabel*>("comparisonChannels2")->isVisible() && view->findChild<QWidget*>("comparisonScale3")->isVisible());
        // Any panel as a figure: the map-projected sample gets its grid, scale bar and north arrow.
        const auto panelFigure = view->savePanelFigure(2, mOut + "/prediction-panel.pdf");
        QVERIFY(panelFigure.scaleBarDrawn && panelFigure.northArrowDrawn && panelFigure.gridLines >= 2);
        QVERIFY(panelFigure.colourBarDrawn); // the R/G/B key
        QVERIFY(view->savePanelFigure(3, mOut + "/error-panel.png").colourBarDrawn);
        QFile pdf(mOut + "/prediction-panel.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
        QCOMPARE(view->pixelTable()->rowCount(), 5);
        QCOMPARE(view->spectrumPlot()->spectrumCount(), 1);

        // Clicking a pixel in the prediction panel shows that pixel in every row of the table and its
        // spectrum in the scene's plot.
        const QPoint pixel(12, 9);
        QCoreApplication::processEvents(); // the panels' fit, deferred from the view's first show
        auto* predictionPanel = view->panel(2);
        QTest::mouseClick(predictionPanel->viewport(), Qt::LeftButton, {}, predictionPanel->viewportPosition(pixel));
        QTableWidget* values = view->pixelTable();
        QCOMPARE(values->rowCount(), 5); // input, truth, prediction, |error|, P(carbonate > threshold)
        QVERIFY(values->item(4, 0)->text().startsWith("P(BD2500_2 > 0.01)"));
        const auto shownNear = [](const QTableWidgetItem* item, float value) { // four significant digits
            return std::abs(item->text().toDouble() - value) <= 5e-4 * std::abs(value) + 1e-12;
        };
        QVERIFY(shownNear(values->item(2, 1), view->result().prediction.mean.at(pixel.x(), pixel.y(), 0)));
        QVERIFY(shownNear(values->item(1, 2), view->result().truth->at(pixel.x(), pixel.y(), 1)));
        for (int i = 0; i < jezero::ui::ComparisonView::kPanels; ++i) QCOMPARE(view->panel(i)->markerCount(), 1);
        QCOMPARE(w.sceneView()->markerCount(), 1);
        // A new prediction keeps the chosen pixel: its values fill the table again (it was left empty).
        view->setResult(jezero::ui::ComparisonResult(view->result()));
        QCOMPARE(values->rowCount(), 5);
        QVERIFY(shownNear(values->item(2, 1), view->result().prediction.mean.at(pixel.x(), pixel.y(), 0)));
        QCOMPARE(view->spectrumPlot()->spectrumCount(), 1); // its spectrum, beside the tables
        QCOMPARE(view->spectrumPlot()->validChannelCount(0), w.spectrumPlot()->validChannelCount(0));

        // Zooming one panel zooms all of them to the same place.
        auto* first = view->panel(0);
        QWheelEvent wheel(QPointF(80, 80), first->viewport()->mapToGlobal(QPointF(80, 80)), {}, QPoint(0, 360), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(first->viewport(), &wheel);
        for (int i = 1; i < jezero::ui::ComparisonView::kPanels; ++i) {
            QCOMPARE(view->panel(i)->viewTransform().m11(), first->viewTransform().m11());
            QVERIFY((view->panel(i)->viewCentre() - first->viewCentre()).manhattanLength() < 1.0);
        }
        view->fitPanels();
        QVERIFY(!view->panel(4)->isVisible()); // a deterministic model: no uncertainty panel
        for (int i = 1; i < jezero::ui::ComparisonView::kPanels - 1; ++i) {
            QVERIFY2(std::abs(view->panel(i)->width() - first->width()) <= 1, qPrintable(QString("panel %1: %2 vs %3 px").arg(i).arg(view->panel(i)->width()).arg(first->width()))); // equal panels show the same part of the scene
            QCOMPARE(view->panel(i)->viewTransform().m11(), first->viewTransform().m11());
        }
        QVERIFY(w.grab().save(mOut + "/comparison.png"));

        // Exports: the prediction GeoTIFF keeps the scene's CRS and geotransform; panels and metrics.
        view->savePredictionGeoTiff(mOut + "/exported.tif");
        const auto [bands, georef] = jezero::io::readImageStack((mOut + "/exported.tif").toStdString());
        const jezero::SpectralCube scene = jezero::io::readScene(jezero::test::sampleMtrdrTiff().toStdString());
        QVERIFY(georef.geoTransform && scene.metadata().geoTransform);
        for (int k = 0; k < 6; ++k) QCOMPARE((*georef.geoTransform)[k], (*scene.metadata().geoTransform)[k]);
        QCOMPARE(georef.crsWkt, scene.metadata().crsWkt);
        QCOMPARE(bands.channelNames, (std::vector<std::string>{"D2300", "BD2500_2", "BD1900_2", "P(BD2500_2 > 0.01)"}));
        view->savePanelsPng(mOut + "/panels.png");
        QImage panels(mOut + "/panels.png");
        QCOMPARE(panels.height(), scene.height());
        QCOMPARE(panels.width(), 5 * scene.width() + 4 * 4);
        view->saveMetricsCsv(mOut + "/metrics.csv");
        QFile csv(mOut + "/metrics.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QString("metric,value"));
        QCOMPARE(lines.size(), metrics->rowCount() + 1);
        QVERIFY(lines[1].startsWith("RMSE,"));

        // The carbonate overlay over the scene: the predicted carbonate parameter above a threshold
        // low enough to catch pixels; a minimum blob size larger than the scene leaves nothing.
        w.tabs()->setCurrentIndex(0);
        auto* overlay = w.carbonateOverlay();
        QVERIFY(overlay->isEnabled());
        QCOMPARE(overlay->currentSource(), QString("Predicted BD2500_2"));
        overlay->setEnabledOverlay(true);
        const auto& carbonate = view->result().prediction.mean;
        std::vector<float> values2;
        for (std::size_t p = 0; p < carbonate.pixelCount(); ++p)
            if (std::isfinite(carbonate.values[p * 3 + 1])) values2.push_back(carbonate.values[p * 3 + 1]);
        std::nth_element(values2.begin(), values2.begin() + values2.size() / 2, values2.end());
        overlay->setMinimumBlob(1);
        overlay->setThreshold(values2[values2.size() / 2]); // about half the pixels are above the median
        const auto above = std::count_if(values2.begin(), values2.end(), [&](float v) { return v > overlay->threshold(); });
        QVERIFY(above > static_cast<long>(values2.size()) / 3 && above < static_cast<long>(values2.size()) * 2 / 3);
        QCOMPARE(overlay->pixelCount(), static_cast<std::size_t>(above)); // every pixel above, at minimum blob 1
        QVERIFY(overlay->blobCount() > 0);
        QVERIFY(w.sceneView()->hasOverlay());
        QVERIFY(w.grab().save(mOut + "/overlay.png"));
        overlay->setMinimumBlob(100000);
        QCOMPARE(overlay->blobCount(), 0);
        overlay->setEnabledOverlay(false);
        QVERIFY(!w.sceneView()->hasOverlay());
    }

    void aCassisImageShowsThePredictionAtBothScales() {
        // A CaSSIS view of a synthetic ground at 4.6 m (core/SyntheticPairs), written as a four-filter GeoTIFF:
        // predicted at the model's 18 m and fused back, the comparison shows both and what fusion added.
        jezero::SynthesisOptions options;
        options.size = 192;
        options.seed = 8;
        options.carbonateFraction = 1.0;
        const jezero::SyntheticPair pair = jezero::synthesizePair(jezero::defaultSynthesisInputs({}), options, 0);
        jezero::ImageStack bands(pair.cassis.width(), pair.cassis.height(), pair.cassis.metadata().filterNames);
        std::copy(pair.cassis.data(), pair.cassis.data() + bands.values.size(), bands.values.begin());
        const QString image = mOut + "/cassis_view.tif";
        jezero::io::writeGeoTiff(image.toStdString(), bands, pair.cassis.metadata(), {{"JEZERO_PRODUCT", "CaSSIS view of a synthetic ground"}});
        MainWindow w;
        w.resize(1500, 950);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        openAndWait(w, image);
        QVERIFY(jezero::isFilterImage(w.cube()->metadata()));
        const QString out = mOut + "/cassis_prediction.tif";
        QSignalSpy shown(&w, &MainWindow::predictionShown), failed(&w, &MainWindow::predictionFailed);
        {
            // The dialog offers the CaSSIS chain's choices: fusion and radiometry (the CRISM scene only when calibrating).
            w.findChild<QAction*>("predictCarbonates")->trigger();
            auto* dialog = w.findChild<jezero::ui::PredictDialog*>();
            QVERIFY(dialog && dialog->isVisible());
            QSignalSpy info(dialog, &jezero::ui::PredictDialog::modelInfoChanged);
            dialog->setModel("carbonate");
            QVERIFY(info.wait(60000));
            dialog->setOutputPath(out);
            auto* fusion = dialog->findChild<QComboBox*>("predictFusion");
            auto* radiometry = dialog->findChild<QComboBox*>("predictRadiometry");
            auto* calibration = dialog->findChild<QLineEdit*>("predictCalibration");
            QVERIFY(fusion && radiometry && calibration);
            QCOMPARE(fusion->currentData().toString(), QString("gs")); // the default
            QVERIFY(fusion->findData("sr") >= 0);                       // the shipped learned fusion
            QVERIFY(!calibration->isEnabled());
            radiometry->setCurrentIndex(radiometry->findData("calibrate"));
            QVERIFY(calibration->isEnabled());
            // The scale step is switchable: off, the image is predicted on its own pixels and nothing is fused.
            auto* rescale = dialog->findChild<QCheckBox*>("predictRescale");
            QVERIFY(rescale && rescale->isChecked() && fusion->isEnabled());
            rescale->setChecked(false);
            QVERIFY(!fusion->isEnabled());
            QVERIFY2(dialog->arguments().contains("--no-rescale") && !dialog->arguments().contains("--fuse"), qPrintable(dialog->arguments().join(' ')));
            rescale->setChecked(true);
            radiometry->setCurrentIndex(radiometry->findData("match"));
            fusion->setCurrentIndex(fusion->findData("hpf"));
            const QStringList args = dialog->arguments();
            QVERIFY2(args.join(' ').contains("--fuse hpf --match-training") && !args.contains("--calibrate-with"), qPrintable(args.join(' ')));
            dialog->grab().save(mOut + "/predict-dialog-cassis.png");
            QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        }
        QVERIFY2(shown.wait(180000), failed.isEmpty() ? "timeout" : qPrintable(failed.first().first().toString()));
        QVERIFY(QFile::exists(mOut + "/cassis_prediction.model-scale.tif"));
        auto* view = w.comparisonView();
        const auto& r = view->result();
        QVERIFY(!r.truth && r.modelScale);
        QVERIFY(std::abs(r.modelScaleFactor - 18.0 / 4.6) < 1e-6);
        // The carbonate model's card sets the overlay's threshold (its calibrated probabilities stay below 0.5).
        QCOMPARE(w.carbonateOverlay()->currentSource(), QString("Predicted CARBONATE"));
        QCOMPARE(w.carbonateOverlay()->threshold(), 0.1);
        QCOMPARE(r.modelScale->width, 192);
        // Each pixel shows the model's pixel it lies in (inside the footprint: finite values).
        const auto coarse = jezero::io::readImageStack((mOut + "/cassis_prediction.model-scale.tif").toStdString()).first;
        for (const QPoint p : {QPoint(100, 100), QPoint(97, 60), QPoint(98, 60), QPoint(60, 150)}) {
            const int cx = static_cast<int>((p.x() + 0.5) / r.modelScaleFactor), cy = static_cast<int>((p.y() + 0.5) / r.modelScaleFactor);
            QVERIFY(std::isfinite(r.modelScale->at(p.x(), p.y(), 0)));
            QCOMPARE(r.modelScale->at(p.x(), p.y(), 0), coarse.at(cx, cy, 0));
        }
        QStringList titles;
        for (QLabel* label : view->findChildren<QLabel*>()) titles << label->text();
        QVERIFY2(titles.filter("Prediction at the model's scale (3.9× coarser)").size() == 1, qPrintable(titles.join(" | ")));
        QVERIFY2(titles.filter("what fusion added").size() == 1, qPrintable(titles.join(" | ")));
        for (int i = 0; i < jezero::ui::ComparisonView::kPanels; ++i) QVERIFY(view->panel(i)->hasImage());
        // A pixel's values at both scales.
        view->selectPixel({100, 100});
        QStringList rows;
        for (int i = 0; i < view->pixelTable()->rowCount(); ++i) rows << view->pixelTable()->item(i, 0)->text();
        QVERIFY2(rows.contains("At the model's scale") && rows.contains("Prediction"), qPrintable(rows.join(", ")));
        QVERIFY2(rows.filter("P(CARBONATE").isEmpty(), qPrintable(rows.join(", "))); // a probability model's value is the probability
        // What the chain did and found, under the metrics: the fusion chosen, the PSF, each filter's
        // noise and the lines that matched the training statistics (PAN, NIR, RED of this PNR model).
        const auto metric = [view](const QString& name) {
            for (int i = 0; i < view->metricsTable()->rowCount(); ++i)
                if (view->metricsTable()->item(i, 0)->text() == name) return view->metricsTable()->item(i, 1)->text();
            return QString();
        };
        QCOMPARE(metric("Fusion"), QString("high-pass injection (hpf)"));
        QCOMPARE(metric("Model pixel / image pixel"), QString("3.91"));
        QVERIFY2(metric("Noise σ, PAN").toDouble() > 0 && metric("Noise σ, BLU").toDouble() > 0, qPrintable(metric("Noise σ, PAN")));
        QVERIFY2(metric("Matched PAN").startsWith("I/F × ") && metric("Matched RED").startsWith("I/F × ") && metric("Calibrated PAN").isEmpty(),
                 qPrintable(metric("Matched PAN")));
        // This log-input model's match is an offset in ln I/F, shown as the gain on I/F it is: e^offset.
        {
            const QString pan = metric("Matched PAN"); // "I/F × 1.5290 (ln I/F + 0.4247)"
            const double gain = pan.section(' ', 2, 2).toDouble(), offset = pan.section(' ', 6, 6).chopped(1).toDouble();
            QVERIFY2(gain > 0 && std::abs(gain - std::exp(pan.contains("(ln I/F −") ? -offset : offset)) < 1e-3, qPrintable(pan));
        }
        QVERIFY(r.chain.size() >= 3 + 4 + 3 && !r.calibratedInput);
        w.grab().save(mOut + "/cassis-comparison.png");
        // The harmonisation step by step: the input as the network was given it (degraded to the model's
        // pixel, matched to the training statistics), from predict's sidecar, each pixel the model's pixel it lies in.
        QVERIFY(QFile::exists(mOut + "/cassis_prediction.model-input.tif"));
        QVERIFY(r.modelInput && r.modelInput->channelNames == r.input.channelNames);
        const auto given = jezero::io::readImageStack((mOut + "/cassis_prediction.model-input.tif").toStdString()).first;
        QCOMPARE(given.width, coarse.width);
        for (const QPoint p : {QPoint(100, 100), QPoint(60, 150)})
            QCOMPARE(r.modelInput->at(p.x(), p.y(), 1), given.at(static_cast<int>((p.x() + 0.5) / r.modelScaleFactor), static_cast<int>((p.y() + 0.5) / r.modelScaleFactor), 1));
        // What the harmonisation did shows in the values: the fine detail is gone — neighbours differ little
        // for the image's contrast (the training match changed the contrast itself: the mean |difference|
        // of neighbours is taken relative to the spread).
        const auto detail = [](const jezero::ImageStack& s) {
            double sum = 0, s1 = 0, s2 = 0;
            int n = 0;
            for (int y = 40; y < 150; ++y)
                for (int x = 40; x < 150; ++x)
                    if (const double v = s.at(x, y, 0), d = std::abs(s.at(x + 1, y, 0) - v); std::isfinite(d)) sum += d, s1 += v, s2 += v * v, ++n;
            return sum / n / std::sqrt(s2 / n - (s1 / n) * (s1 / n));
        };
        QVERIFY2(detail(*r.modelInput) < 0.5 * detail(r.input), qPrintable(QString("%1 vs %2").arg(detail(*r.modelInput)).arg(detail(r.input))));
        auto* harmonisationButton = view->findChild<QPushButton*>("showHarmonisation");
        QVERIFY(harmonisationButton && harmonisationButton->isVisible());
        QTest::mouseClick(harmonisationButton, Qt::LeftButton);
        auto* steps = view->findChild<jezero::ui::HarmonisationDialog*>();
        QVERIFY(steps && steps->isVisible());
        QCOMPARE(steps->panelCount(), 2);
        QVERIFY2(steps->panelTitle(1).contains("3.9× coarser") && steps->panelTitle(1).contains("matched to the training inputs"),
                 qPrintable(steps->panelTitle(1)));
        QCOMPARE(steps->numbers()->rowCount(), static_cast<int>(r.chain.size()));
        QVERIFY(steps->panel(0)->hasImage() && steps->panel(1)->hasImage());
        // Zoom in one panel and the other follows.
        steps->panel(1)->setView(QTransform::fromScale(4, 4), QPointF(90, 90));
        emit steps->panel(1)->viewChanged();
        QCOMPARE(steps->panel(0)->viewTransform().m11(), 4.0);
        steps->panel(0)->fitToWindow();
        QTest::qWait(50);
        steps->grab().save(mOut + "/harmonisation.png");
        steps->oneStretch()->setChecked(false); // each on its own stretch: the detail each step kept
        QTest::qWait(50);
        steps->grab().save(mOut + "/harmonisation-own-stretch.png");
        steps->close();
        // Calibrated against a CRISM scene: the fitted lines listed, and the input as the model saw it beside the input as it was.
        const QJsonObject done = QJsonDocument::fromJson(R"({"fusion": "gs", "scale_factor": 3.9, "psf_sigma_px": 1.9, "filter_image": {
            "filters": ["BLU", "PAN", "RED", "NIR"], "noise_sigma": {"BLU": 0.002, "PAN": 0.001, "RED": 0.001, "NIR": null},
            "calibration": [{"band": "PAN", "gain": 2.0, "offset": -0.01, "pixels": 5000, "r2": 0.998}], "training_match": []}})").object();
        const std::vector<jezero::BandFit> fits = jezero::ui::calibrationFits(done);
        QVERIFY(fits.size() == 1 && fits[0].band == "PAN" && fits[0].gain == 2.0 && fits[0].offset == -0.01 && fits[0].pixels == 5000);
        jezero::ui::ComparisonResult calibrated = r;
        calibrated.chain = jezero::ui::cassisChainRows(done);
        calibrated.calibratedInput = calibrated.input;
        jezero::applyBandFits(*calibrated.calibratedInput, fits);
        view->setResult(calibrated);
        QVERIFY(view->findChild<jezero::ui::HarmonisationDialog*>() == nullptr); // the previous result's steps are gone
        steps = view->showHarmonisation();
        QCOMPARE(steps->panelCount(), 3); // as given | calibrated | as the network was given it
        QVERIFY(steps->panelTitle(1).startsWith("Calibrated against the CRISM scene"));
        steps->close();
        QCOMPARE(metric("Calibrated PAN"), QString("× 2.0000 − 0.0100 (r² 0.998)"));
        QCOMPARE(metric("Noise σ, NIR"), QString("unknown"));
        QCOMPARE(metric("Fusion"), QString("Gram–Schmidt substitution (gs)"));
        view->selectPixel({100, 100});
        const auto cell = [view](const QString& row, int column) {
            for (int i = 0; i < view->pixelTable()->rowCount(); ++i)
                if (view->pixelTable()->item(i, 0)->text() == row) return view->pixelTable()->item(i, column)->text();
            return QString();
        };
        const int pan = static_cast<int>(std::find(r.input.channelNames.begin(), r.input.channelNames.end(), "PAN") - r.input.channelNames.begin());
        // All three input values have their cells beside the one probability column.
        QVERIFY2(cell("Input", 3).startsWith(QString::fromStdString(r.input.channelNames[2]) + " "), qPrintable(cell("Input", 3)));
        const double before = cell("Input", pan + 1).section(' ', 1).toDouble(), after = cell("Input, calibrated", pan + 1).section(' ', 1).toDouble();
        QVERIFY2(before > 0 && std::abs(after - (2 * before - 0.01)) < 3e-3 * std::abs(after) + 1e-4, qPrintable(cell("Input, calibrated", pan + 1)));
    }

    void aLongPredictionCancels() {
        MainWindow w;
        w.show();
        openAndWait(w, jezero::test::sampleMtrdrTiff());
        const QString out = mOut + "/canceled.tif";
        QSignalSpy failed(&w, &MainWindow::predictionFailed), shown(&w, &MainWindow::predictionShown);
        predictThroughDialog(w, "diffusion", out, 64, 200); // minutes of work
        QVERIFY(w.isPredicting());
        QVERIFY(!failed.wait(1500) && shown.isEmpty()); // minutes of work: neither failed nor done
        QVERIFY(w.isPredicting());
        QTest::mouseClick(w.findChild<QToolButton*>("predictionCancel"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 20000);
        QCOMPARE(failed.first().first().toString(), QString("canceled"));
        QVERIFY(shown.isEmpty());
        QVERIFY(!w.isPredicting());
        QVERIFY(w.findChild<QAction*>("predictCarbonates")->isEnabled());
        QVERIFY(!QFile::exists(out)); // nothing half-written
    }

    void theSceneLibraryListsScenesWithTheirPlaceAndOpensThem() {
        // A folder with a synthetic run (places and carbonate known) and, in a subfolder, a real MTRDR scene.
        QTemporaryDir dir;
        QProcess synth;
        synth.start(JEZERO_CLI_PATH, {"synth", "--count", "2", "--size", "32", "--seed", "9", "--carbonate-fraction", "0.5", "--out", dir.path()});
        QVERIFY(synth.waitForFinished(60000) && synth.exitCode() == 0);
        QVERIFY(QDir(dir.path()).mkdir("real"));
        QVERIFY(QFile::copy(jezero::test::sampleMtrdrTiff(), dir.path() + "/real/frt0000932c_07_if164j_mtr3.tif"));

        MainWindow w;
        w.resize(1500, 950);
        w.show();
        w.findChild<QDockWidget*>("sceneLibraryDock")->raise(); // the library's tab, as a person clicks it
        auto* library = w.sceneLibrary();
        QSignalSpy scanned(library, &jezero::ui::SceneLibrary::scanFinished);
        library->setFolder(dir.path());
        QVERIFY(scanned.wait(60000));
        QTableWidget* table = library->table();
        QCOMPARE(table->rowCount(), 3);
        int carbonateKnown = 0;
        for (int r = 0; r < 2; ++r) {
            QVERIFY(table->item(r, jezero::ui::SceneLibrary::Size)->text().startsWith("32 × 32 × "));
            QVERIFY(table->item(r, jezero::ui::SceneLibrary::Place)->text().contains("°"));
            const QString carbonate = table->item(r, jezero::ui::SceneLibrary::Carbonate)->text();
            carbonateKnown += carbonate == "yes" || carbonate == "no";
            QVERIFY(!table->item(r, jezero::ui::SceneLibrary::Thumbnail)->icon().isNull());
        }
        QCOMPARE(carbonateKnown, 2);
        QCOMPARE(table->item(2, jezero::ui::SceneLibrary::Size)->text(), QString("20 × 20 × 489"));
        QCOMPARE(table->item(2, jezero::ui::SceneLibrary::Carbonate)->text(), QString("unknown"));
        QVERIFY(w.grab().save(mOut + "/library.png"));

        // Double-clicking a row opens that scene.
        QSignalSpy shown(&w, &MainWindow::sceneShown), requested(library, &jezero::ui::SceneLibrary::openRequested), failedScene(&w, &MainWindow::sceneFailed);
        table->scrollToItem(table->item(2, jezero::ui::SceneLibrary::Product));
        const QRect cell = table->visualItemRect(table->item(2, jezero::ui::SceneLibrary::Product));
        // A person's double-click: press, release, then the second press arrives as a double-click.
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(requested.size(), 1);
        QVERIFY2(shown.wait(30000), failedScene.isEmpty() ? "" : qPrintable(failedScene.first().first().toString()));
        QCOMPARE(w.cube()->width(), 20);
        // The 3D cube shows the open scene; a pick on its top face selects the pixel everywhere.
        w.tabs()->setCurrentWidget(w.cubeView());
        QVERIFY(w.cubeView()->hasScene());
        w.cubeView()->viewFromTop();
        w.cubeView()->grab(); // painted now (OpenGL initialised and sized), so the pick sees this view
        QSignalSpy picked(w.cubeView(), &jezero::ui::CubeView::pixelPicked);
        QTest::mouseClick(w.cubeView(), Qt::LeftButton, {}, w.cubeView()->widgetPosition(QPoint(5, 6)));
        QCOMPARE(picked.size(), 1);
        QVERIFY((picked.first().first().toPoint() - QPoint(5, 6)).manhattanLength() <= 1);
        QCOMPARE(w.sceneView()->markerCount(), 1);
        QVERIFY(w.grab().save(mOut + "/cube3d.png"));
        QCOMPARE(library->folder(), dir.path());
        QCOMPARE(QSettings().value("library/folder").toString(), dir.path()); // the next session starts here
    }

    void aTrainedRunIsOneClickFromPrediction() {
        MainWindow w;
        w.show();
        openAndWait(w, jezero::test::sampleMtrdrTiff());
        QAction* train = w.findChild<QAction*>("trainModel");
        QVERIFY(train);
        train->trigger();
        QVERIFY(w.trainingDialog() && w.trainingDialog()->isVisible());
        // "Use for prediction" on a run hands its checkpoint to Predict carbonates, chosen in the dialog.
        const QString checkpoint = jezero::test::resource("models/unet-pnr-car.pt");
        emit w.trainingDialog()->predictWith(checkpoint);
        auto* dialog = w.findChild<jezero::ui::PredictDialog*>();
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->model(), checkpoint);
        QSignalSpy info(dialog, &jezero::ui::PredictDialog::modelInfoChanged);
        QVERIFY(info.wait(60000));
        QCOMPARE(dialog->modelInfo().value("target").toString(), QString("car"));
        QVERIFY(dialog->outputPath().endsWith("_unet-pnr-car_prediction.tif"));
        // The model card's verdict is shown before anyone predicts with it.
        bool cardShown = false;
        for (const QLabel* label : dialog->findChildren<QLabel*>()) cardShown |= label->text().contains("Skill: none");
        QVERIFY(cardShown);
        auto* location = dialog->findChild<QComboBox*>("predictLocation");
        QVERIFY(!location->isEnabled()); // a U-Net takes no location
        QVERIFY(!dialog->arguments().contains("--location"));
        // The shipped diffusion model is conditioned on metadata: the places it knows are offered and the
        // one chosen goes to the prediction.
        dialog->setModel("diffusion");
        QVERIFY(info.wait(60000));
        QVERIFY(location->isEnabled());
        QCOMPARE(location->currentText(), QString("unknown")); // the scene's name names no place
        const int nili = location->findData("Nili Fossae");
        QVERIFY(nili > 0);
        location->setCurrentIndex(nili);
        const QStringList args = dialog->arguments();
        QVERIFY(args.contains("--location") && args.at(args.indexOf("--location") + 1) == "Nili Fossae");
        QVERIFY(dialog->grab().save(mOut + "/predict-dialog.png"));
        dialog->reject();
    }

    void mapLayersAndSpectraExportWithTheScenesGeoreference() {
        MainWindow w;
        w.show();
        openAndWait(w, jezero::test::sampleMtrdrTiff());
        const jezero::SpectralCube& cube = *w.cube();
        QVERIFY_THROWS_EXCEPTION(jezero::Error, w.exportSpectraCsv(mOut + "/none.csv")); // nothing selected yet
        // The composite layer: its three channels' I/F on the scene's grid and CRS.
        w.exportLayerGeoTiff(mOut + "/composite.tif");
        const auto [composite, georef] = jezero::io::readImageStack((mOut + "/composite.tif").toStdString());
        QCOMPARE(georef.crsWkt, cube.metadata().crsWkt);
        QVERIFY(georef.geoTransform && *georef.geoTransform == *cube.metadata().geoTransform);
        QCOMPARE(composite.channels(), 3);
        const int red = cube.nearestBand(600);
        QCOMPARE(QString::fromStdString(composite.channelNames[0]), QString("I/F %1 nm").arg(std::lround(cube.wavelengthsNm()[red])));
        QCOMPARE(composite.at(7, 8, 0), cube.value(7, 8, red));
        // A parameter layer, once the parameters are computed: the engine's values.
        auto* choice = w.findChild<QComboBox*>("layerChoice");
        QSignalSpy shown(&w, &MainWindow::compositeShown);
        choice->setCurrentIndex(choice->findData("param:BD2500_2"));
        QVERIFY(shown.wait(30000));
        w.exportLayerGeoTiff(mOut + "/bd2500.tif");
        const auto [parameter, georef2] = jezero::io::readImageStack((mOut + "/bd2500.tif").toStdString());
        QCOMPARE(parameter.channelNames, (std::vector<std::string>{"BD2500_2"}));
        const auto engine = jezero::SummaryParameters(cube.wavelengthsNm(), {"BD2500_2"}).compute(cube.spectrum(7, 8));
        QCOMPARE(parameter.at(7, 8, 0), static_cast<float>(engine[0]));
        QVERIFY(georef2.geoTransform && *georef2.geoTransform == *cube.metadata().geoTransform);

        // Spectra: two clicked pixels and an ROI's mean and std, one row per channel.
        w.selectPixel({3, 4}, false);
        w.selectPixel({10, 12}, true);
        w.addRoi(jezero::Roi::Shape::Rectangle, {{2, 2}, {9, 2}, {9, 9}, {2, 9}});
        QTRY_VERIFY(w.roisMeasured());
        w.exportSpectraCsv(mOut + "/spectra.csv");
        QFile csv(mOut + "/spectra.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), cube.bands() + 1);
        QVERIFY2(lines[0].startsWith("wavelength_nm,pixel 3 4,pixel 10 12,\"") && lines[0].endsWith(" std\""), qPrintable(lines[0]));
        const QStringList row = lines[101].split(',');
        QCOMPARE(row.size(), 5);
        QVERIFY(std::abs(row[0].toDouble() - cube.wavelengthsNm()[100]) < 1e-3);
        QVERIFY(std::abs(row[2].toDouble() - cube.value(10, 12, 100)) <= 1e-6 * std::abs(cube.value(10, 12, 100)));
    }

    void aBrokenModelIsReportedInOneLine() {
        MainWindow w;
        w.show();
        openAndWait(w, jezero::test::sampleMtrdrTiff());
        const QString bad = mOut + "/not_a_model.pt";
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a checkpoint");
        file.close();
        QSignalSpy failed(&w, &MainWindow::predictionFailed);
        w.runPrediction({"predict", jezero::test::sampleMtrdrTiff(), "--model", bad, "--out", mOut + "/bad.tif", "--json"}, "broken");
        QVERIFY(failed.wait(60000));
        const QString error = failed.first().first().toString();
        QVERIFY2(!error.contains('\n') && error.contains("not_a_model.pt"), qPrintable(error));
        QVERIFY(!w.isPredicting());
    }
};

JEZERO_GUI_TEST_MAIN(TestWorkflow)
#include "test_workflow.moc"
