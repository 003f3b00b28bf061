// jezero: the workstation. With --screenshot it opens the scene, waits until the window is drawn,
// saves a PNG of the whole window and exits (for documentation and tests).
#include "jezero/core/Logging.h"
#include "jezero/core/Resources.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/CubeView.h"
#include "jezero/ui/LinkedMapView.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/ParametersPanel.h"
#include "jezero/ui/PredictDialog.h"
#include "jezero/ui/RecentPaths.h"
#include "jezero/ui/SceneView.h"


#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QRegularExpression>
#include <QSettings>
#include <QTimer>

#include <cstdlib>
#include <iostream>
#include <optional>

namespace {

int fail(const QString& message) {
    std::cerr << "jezero: error: " << message.toStdString() << '\n';
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    jezero::ui::CubeView::setDefaultSurfaceFormat(); // before the QApplication, as Qt requires
    QCommandLineParser parser;
    parser.setApplicationDescription("Jezero: a Mars hyperspectral analysis workstation");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("SCENE", "CRISM scene (.img, .lbl, .hdr, .tif); when omitted, the last one opened, else the sample scene");
    const QCommandLineOption sample("sample", "Open the sample scene (synthetic Jezero crater with carbonate; made once in the user's data folder) with a carbonate-rich pixel's spectrum.");
    const QCommandLineOption screenshot("screenshot", "Save a PNG of the window once the scene is drawn, then exit.", "FILE.png");
    const QCommandLineOption pixel("pixel", "Show the spectrum of pixel X,Y (column, row from 0) once open.", "X,Y");
    const QCommandLineOption layer("layer", "What the map shows: composite, browse:FAL, param:D2300, ...", "ID", "composite");
    const QCommandLineOption predict("predict", "Once open, Predict carbonates with MODEL (carbonate, fal, unet, diffusion or a checkpoint) and show the comparison.",
                                     "MODEL");
    const QCommandLineOption secondMap("second-map", "Show a second map beside the first (View > Side by side), on layer ID.", "ID");
    const QCommandLineOption figure("figure", "Once the map is drawn, write it as a figure (.png, .svg or .pdf: grid, scale bar, north arrow, colour bar), then exit.",
                                    "FILE");
    const QCommandLineOption predictionOut("prediction-out", "Where --predict writes its GeoTIFF (default: the user's prediction folder).", "FILE.tif");
    const QCommandLineOption verbose("verbose", "Log debug messages to stderr.");
    parser.addOptions({sample, screenshot, figure, secondMap, pixel, layer, predict, predictionOut, verbose});
    // --help and --version are answered before the QApplication: without a display it would abort.
    for (int i = 1; i < argc; ++i) {
        const QString argument = QString::fromLocal8Bit(argv[i]);
        if (argument == "--help" || argument == "-h" || argument == "--help-all") {
            std::cout << parser.helpText().replace("<executable_name>", "jezero").toStdString();
            return 0;
        }
        if (argument == "--version" || argument == "-v") {
            std::cout << "jezero " << JEZERO_VERSION << '\n';
            return 0;
        }
        if (argument == "--") break;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName("jezero");
    QApplication::setOrganizationName("jezero");
    QApplication::setApplicationVersion(JEZERO_VERSION);
    QGuiApplication::setDesktopFileName("org.jezero.Jezero"); // the installed .desktop entry (window icon and name on Wayland)
    try {
        QApplication::setWindowIcon(QIcon(QString::fromStdString(jezero::resourcePath("icons/org.jezero.Jezero.png"))));
    } catch (const std::exception&) {
        // no icon: resources incomplete; the window still opens (and says what is missing when it needs it)
    }

    parser.process(app);
    jezero::initLogging("jezero", parser.isSet(verbose));

    QString scene, mapLayer = parser.value(layer);
    const QStringList recent = jezero::ui::RecentPaths::scenes().existing();
    if (parser.isSet(sample) && !parser.positionalArguments().isEmpty()) return fail("--sample and a SCENE: give one of them");
    if (!parser.positionalArguments().isEmpty()) {
        scene = parser.positionalArguments().first();
    } else if (!recent.isEmpty() && !parser.isSet(sample)) {
        // No scene asked for: carry on where the last session stopped, on its map layer.
        scene = recent.first();
        if (!parser.isSet(layer)) mapLayer = QSettings().value("map/layer", mapLayer).toString();
    } // else the sample scene: a first start shows what the workstation does
    QPoint selected(-1, -1);
    if (parser.isSet(pixel)) {
        const auto m = QRegularExpression(R"(^\s*(\d+)\s*,\s*(\d+)\s*$)").match(parser.value(pixel));
        if (!m.hasMatch()) return fail("--pixel takes X,Y (column, row from 0), not '" + parser.value(pixel) + "'");
        selected = QPoint(m.captured(1).toInt(), m.captured(2).toInt());
    }

    // Held in an optional so that it can be closed (and its child processes waited for) before the last
    // wait on background reads at exit.
    std::optional<jezero::ui::MainWindow> windowHolder;
    jezero::ui::MainWindow& window = windowHolder.emplace();
    if (!window.parametersPanel()->layers().contains(mapLayer)) {
        if (parser.isSet(layer)) return fail("unknown layer '" + mapLayer + "'");
        mapLayer = "composite"; // a remembered layer this version does not know
    }
    window.parametersPanel()->setCurrentLayer(mapLayer);
    if (parser.isSet(secondMap)) {
        if (!window.parametersPanel()->layers().contains(parser.value(secondMap))) return fail("unknown layer '" + parser.value(secondMap) + "'");
        window.setSideBySide(true);
        window.linkedView()->setLayer(parser.value(secondMap));
    }

    const QString shotPath = parser.value(screenshot);
    const QString figurePath = parser.value(figure);
    const bool exitOnceDrawn = !shotPath.isEmpty() || !figurePath.isEmpty(); // a one-shot run for documents and tests
    bool predicted = false;
    int exitCode = 0;
    const auto takeShot = [&] {
        // Let the window lay out and paint once more before grabbing it, with what is still being computed
        // in the background (the model-input previews) arrived and drawn.
        QTimer::singleShot(300, &window, [&] {
            jezero::ui::BackgroundTask::waitForAll(20000);
            for (int i = 0; i < 3; ++i) QCoreApplication::processEvents();
            window.fitMaps();
            if (!shotPath.isEmpty()) {
                if (!window.grab().toImage().save(shotPath)) exitCode = fail("cannot write " + shotPath);
                else std::cout << "wrote " << shotPath.toStdString() << '\n';
            }
            if (!figurePath.isEmpty()) {
                try {
                    const auto drawn = window.exportMapFigure(figurePath);
                    std::cout << "wrote " << figurePath.toStdString() << " (" << drawn.gridLines << " grid lines"
                              << (drawn.scaleBarDrawn ? ", scale bar " + drawn.scaleBarLabel.toStdString() : std::string()) << ")\n";
                } catch (const std::exception& e) {
                    exitCode = fail(e.what());
                }
            }
            QApplication::exit(exitCode);
        });
    };
    QObject::connect(&window, &jezero::ui::MainWindow::sceneShown, &window, [&] {
        if (selected.x() >= 0) {
            if (!window.cube()->contains(selected.x(), selected.y())) {
                exitCode = fail(QString("pixel %1,%2 is outside the %3x%4 scene")
                                    .arg(selected.x()).arg(selected.y()).arg(window.cube()->width()).arg(window.cube()->height()));
                if (exitOnceDrawn) QApplication::exit(exitCode);
                return;
            }
            window.selectPixel(selected, false);
        }
        if (parser.isSet(predict) && !predicted) {
            predicted = true; // the scene asked for on the command line, not those opened later
            const QString model = parser.value(predict);
            QString out = parser.value(predictionOut);
            if (out.isEmpty()) out = jezero::ui::PredictDialog::defaultOutputPath(QString::fromStdString(window.cube()->metadata().productId), model);
            QDir().mkpath(QFileInfo(out).absolutePath());
            window.runPrediction({"predict", QString::fromStdString(window.cube()->metadata().sourcePath), "--model", model, "--out", out, "--json"}, model);
            if (exitOnceDrawn) QObject::connect(&window, &jezero::ui::MainWindow::predictionShown, &window, takeShot, Qt::SingleShotConnection);
            return;
        }
        if (!exitOnceDrawn) return;
        // Parameters being computed (for the map's layer or the second map's): shoot once they are drawn —
        // the maps are redrawn when they arrive, the first map last.
        if (!window.isComputingParameters()) takeShot(); // drawn already (a filter image's layers need no computing)
        else QObject::connect(&window, &jezero::ui::MainWindow::compositeShown, &window, takeShot, Qt::SingleShotConnection);
    });
    QObject::connect(&window, &jezero::ui::MainWindow::predictionFailed, &window, [&](const QString& error) {
        if (!exitOnceDrawn) return;
        exitCode = fail("prediction failed: " + error);
        QApplication::exit(exitCode);
    });
    QObject::connect(&window, &jezero::ui::MainWindow::sceneFailed, &window, [&](const QString& error) {
        if (!exitOnceDrawn) return; // the window shows the error itself
        exitCode = fail(error);
        QApplication::exit(exitCode);
    });
    window.show();
    if (!scene.isEmpty()) window.openScene(scene);
    else window.openSampleScene();
    const int rc = app.exec();
    const int code = exitCode ? exitCode : rc;
    window.cancelBackgroundWork();
    windowHolder.reset(); // a training run told to save and quit is waited for here, as the user chose
    // Canceled reads stop at their next chunk. One the kernel holds (a stalled network mount) cannot be
    // stopped: then the app leaves without it, 2 s after the window closed. Nothing is lost: settings
    // are saved, every output is written atomically. Worker threads must not outlive main() otherwise
    // (they would log into a logger already destroyed).
    if (!jezero::ui::BackgroundTask::waitForAll(2000)) {
        std::cerr << "jezero: background work (a read held by the system?) did not stop within 2 s; quitting without it\n";
        std::cout.flush(); // "wrote FILE" lines of --screenshot and --figure, when piped
        std::cerr.flush();
        jezero::flushLogs();
        std::_Exit(code);
    }
    return code;
}
