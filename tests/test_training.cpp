// The Training dialog driven as a person drives it, under Xvfb: build a dataset from synthetic scenes
// with "Build from scenes…", train a tiny U-Net and watch its curves and labels, hand its best.pt to
// prediction, cancel a longer run with the button and resume it, quit the window during a run (asked,
// then saved), and refuse a bad config with one line. jezero-cli runs as a child process, as in the product. Saves screenshots to look at.
#include "GuiTestMain.h"
#include "TestPaths.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/TrainingConfig.h"
#include "jezero/ui/DatasetBuildPanel.h"
#include "jezero/ui/MainWindow.h"
#include "jezero/ui/RecentPaths.h"
#include "jezero/ui/TrainingCurves.h"
#include "jezero/ui/TrainingDialog.h"
#include "jezero/ui/TrainingRunsTable.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTimer>
#include <QtTest>

using jezero::ui::TrainingDialog;

class TestTraining : public QObject {
    Q_OBJECT
private:
    const QString mOut = QStringLiteral(JEZERO_TEST_OUTPUT) + "/training";
    QString mDataset;     // built through the dialog by the first test
    QString mFinishedRun; // trained to the end by the second

    static QByteArray cli(const QStringList& arguments, int* exitCode = nullptr) {
        QProcess p;
        p.start(QStringLiteral(JEZERO_CLI_PATH), arguments);
        p.waitForFinished(120000);
        if (exitCode) *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return p.readAllStandardOutput();
    }
    template <typename T> static T* child(const QObject& parent, const char* name) {
        T* w = parent.findChild<T*>(name);
        if (!w) qFatal("no widget named %s", name);
        return w;
    }
    static void click(const QObject& dialog, const char* button) { QTest::mouseClick(child<QPushButton>(dialog, button), Qt::LeftButton); }
    static int count(const QSignalSpy& events, const QString& type) {
        int n = 0;
        for (const auto& args : events) n += args.first().toJsonObject().value("event").toString() == type;
        return n;
    }
    // A tiny U-Net on the test dataset: seconds per epoch on two busy cores.
    void setUpTinyUNet(TrainingDialog& d, const QString& run, int epochs) const {
        d.setDatasetDirectory(mDataset);
        d.setModelType("unet");
        d.setModelSize(8, 2);
        d.setBatch(4);
        d.setEpochs(epochs);
        d.setRunDirectory(run);
    }
    static void showAndWait(TrainingDialog& d) {
        d.resize(1400, 900);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("jezero-tests");
        qputenv("JEZERO_CLI", JEZERO_CLI_PATH);
        QDir(mOut).removeRecursively();
        QVERIFY(QDir().mkpath(mOut));
        jezero::ui::RecentPaths::trainingRuns().clear();
        // Eight small scenes, half carbonate-bearing: every split (val included) gets tiles.
        int exitCode = -1;
        cli({"synth", "--count", "8", "--size", "64", "--seed", "5", "--carbonate-fraction", "0.5", "--out", mOut + "/scenes"}, &exitCode);
        QCOMPARE(exitCode, 0);
    }

    void buildsADatasetFromScenesAndShowsItsManifest() {
        TrainingDialog d;
        showAndWait(d);
        auto* builder = d.datasetBuilder();
        QVERIFY(!builder->isVisible());
        click(d, "trainingBuildFromScenes");
        QVERIFY(builder->isVisible());
        builder->setSceneDirectory(mOut + "/scenes");
        builder->setInputKind("pnr");
        builder->setTarget("car");
        builder->setTile(32);
        QCOMPARE(builder->outputDirectory(), mOut + "/dataset-pnr-car-32"); // suggested beside the scenes
        QSignalSpy built(builder, &jezero::ui::DatasetBuildPanel::built), failed(builder, &jezero::ui::DatasetBuildPanel::buildFailed);
        click(d, "datasetBuild");
        QVERIFY(builder->isBuilding()); // the window is not waiting for it
        QVERIFY2(built.wait(60000), failed.isEmpty() ? "timeout" : qPrintable(failed.first().first().toString()));
        mDataset = built.first().first().toString();
        QCOMPARE(d.datasetDirectory(), mDataset); // selected when done
        QVERIFY(child<QLabel>(d, "datasetBuildStatus")->text().startsWith("Built"));
        QVERIFY(!child<QPlainTextEdit>(d, "datasetBuildLog")->toPlainText().isEmpty()); // the per-scene lines
        const QString summary = child<QLabel>(d, "trainingDatasetSummary")->text();
        for (const char* part : {"PNR", "CAR", "D2300, BD2500_2, BD1900_2", "tiles of 32 px", "train ", "val ", "test_balanced"})
            QVERIFY2(summary.contains(part), qPrintable(summary));
        QVERIFY(d.runDirectory().contains("unet-pnr-car-")); // the run's suggested name follows the dataset
        QCoreApplication::processEvents(); // pending layout and paint events, then the screenshot
        QVERIFY(d.grab().save(mOut + "/dataset_built.png"));

        // The same folder again is refused before anything runs; a folder of scenes is not a dataset.
        QVERIFY(!builder->build());
        QVERIFY(child<QLabel>(d, "datasetBuildStatus")->text().contains("already holds a dataset"));
        d.setDatasetDirectory(mOut + "/scenes");
        const QString notADataset = child<QLabel>(d, "trainingDatasetSummary")->text();
        QVERIFY2(notADataset.contains("no dataset.json") && !notADataset.contains('\n'), qPrintable(notADataset));
    }

    void trainsATinyUNetWithLiveCurvesAndListsTheRun() {
        QVERIFY(!mDataset.isEmpty());
        TrainingDialog d;
        showAndWait(d);
        // The device list comes from jezero-cli devices.
        auto* devices = child<QComboBox>(d, "trainingDevice");
        auto* note = child<QLabel>(d, "trainingDeviceNote");
        QTRY_VERIFY_WITH_TIMEOUT(!note->text().startsWith("Looking"), 30000);
        QCOMPARE(devices->itemData(0).toString(), QString("auto"));
        QCOMPARE(devices->itemData(1).toString(), QString("cpu"));
        if (devices->count() == 2) QVERIFY2(note->text().contains("training runs on the CPU"), qPrintable(note->text()));
        else QVERIFY(devices->itemData(2).toString() == "cuda:0");

        // Enter in a path field must not open a file dialog: no Browse… button is ever the default.
        const auto browse = d.findChildren<QPushButton*>(QRegularExpression("Browse$"));
        QVERIFY(browse.size() >= 3);
        for (const QPushButton* b : browse) QVERIFY2(!b->autoDefault() && !b->isDefault(), qPrintable(b->objectName()));

        const QString run = mOut + "/runs/unet-tiny";
        setUpTinyUNet(d, run, 3);
        QVERIFY(!child<QGroupBox>(d, "trainingDiffusion")->isVisible()); // U-Net: no diffusion settings
        QSignalSpy started(&d, &TrainingDialog::runStarted), finished(&d, &TrainingDialog::runFinished), events(&d, &TrainingDialog::trainingEvent);
        click(d, "trainingStart");
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().first().toString(), run);
        QVERIFY(d.isRunning());
        QVERIFY(!child<QPushButton>(d, "trainingStart")->isEnabled());
        QVERIFY(child<QPushButton>(d, "trainingCancel")->isEnabled());
        // The config written is TrainingConfig's, with the dataset's absolute path.
        const jezero::TrainingConfig requested = jezero::TrainingConfig::read(QFile::encodeName(run + "/requested_config.json").toStdString());
        QCOMPARE(QString::fromStdString(requested.dataset), mDataset);
        QCOMPARE(requested.baseWidth, 8);
        QCOMPARE(requested.epochs, 3);
        QCOMPARE(requested.learningRate, jezero::TrainingConfig{}.learningRate);

        // The curves grow while it trains; the labels follow the events.
        QTRY_VERIFY_WITH_TIMEOUT(d.validationPointCount() >= 1, 90000);
        QVERIFY(d.trainingPointCount() >= 1);
        QVERIFY(child<QLabel>(d, "trainingEpochLabel")->text().endsWith("/ 3"));
        QVERIFY(child<QLabel>(d, "trainingSpeedLabel")->text().toDouble() > 0);
        // Mid-run the rate shown is the last event's (below the configured rate: the cosine schedule).
        const double lastRate = events.last().first().toJsonObject().value("learning_rate").toDouble();
        QCOMPARE(child<QLabel>(d, "trainingRateLabel")->text(), QString::number(lastRate, 'g', 3));
        QVERIFY(lastRate < jezero::TrainingConfig{}.learningRate);
        QCoreApplication::processEvents(); // pending layout and paint events, then the screenshot
        QVERIFY(d.grab().save(mOut + "/training_curves.png"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QCOMPARE(finished.first().at(0).toString(), run);
        QVERIFY2(finished.first().at(1).toBool(), qPrintable(finished.first().at(2).toString()));
        QVERIFY(!d.isRunning());
        QCOMPARE(count(events, "epoch"), 3);
        QVERIFY(count(events, "step") >= 3); // at least each epoch's last batch is reported
        QCOMPARE(d.validationPointCount(), 3);
        QCOMPARE(d.trainingPointCount(), count(events, "step"));
        QCOMPARE(child<QLabel>(d, "trainingEpochLabel")->text(), QString("3 / 3"));
        QVERIFY(child<QLabel>(d, "trainingStepLabel")->text().toInt() >= 3);
        // The rate shown is the last event's: 0 at the end of the cosine schedule.
        QCOMPARE(events.last().first().toJsonObject().value("learning_rate").toDouble(), 0.0);
        QCOMPARE(child<QLabel>(d, "trainingRateLabel")->text(), QString("0"));
        QVERIFY(QFile::exists(run + "/best.pt") && QFile::exists(run + "/training_log.csv"));

        // The runs list shows it with its metrics; Use for prediction hands over best.pt.
        auto* runs = d.runsList();
        const int row = runs->rowOf(run);
        QVERIFY(row >= 0);
        QVERIFY(runs->item(row, jezero::ui::TrainingRunsTable::Model)->text().startsWith("unet"));
        QCOMPARE(runs->item(row, jezero::ui::TrainingRunsTable::Epochs)->text(), QString("3 / 3"));
        bool number = false;
        QVERIFY(runs->item(row, jezero::ui::TrainingRunsTable::ValLoss)->text().toDouble(&number) > 0 && number);
        QVERIFY(runs->item(row, jezero::ui::TrainingRunsTable::ValRmse)->text().toDouble(&number) > 0 && number);
        QCOMPARE(runs->selectedRun(), run);
        QVERIFY(!child<QPushButton>(d, "trainingResume")->isEnabled()); // finished: nothing to resume
        QSignalSpy predict(&d, &TrainingDialog::predictWith);
        click(d, "trainingUseForPrediction");
        QCOMPARE(predict.count(), 1);
        QCOMPARE(predict.first().first().toString(), run + "/best.pt");
        QCoreApplication::processEvents(); // pending layout and paint events, then the screenshot
        QVERIFY(d.grab().save(mOut + "/runs_list.png"));

        // The checkpoint is a regression model of the dataset's target.
        int exitCode = -1;
        const QJsonObject info = QJsonDocument::fromJson(cli({"model-info", run + "/best.pt", "--json"}, &exitCode)).object();
        QCOMPARE(exitCode, 0);
        QCOMPARE(info["stochastic"].toBool(true), false);
        const jezero::DatasetManifest manifest = jezero::TileDataset::readManifest(QFile::encodeName(mDataset).toStdString());
        QStringList expected;
        for (const auto& c : manifest.targetChannels) expected << QString::fromStdString(c);
        QCOMPARE(info["target_channels"].toVariant().toStringList(), expected);
        QCOMPARE(info["tile"].toInt(), 32);
        mFinishedRun = run;
    }

    void cancelStopsARunAndResumeFinishesIt() {
        QVERIFY(!mDataset.isEmpty());
        TrainingDialog d;
        showAndWait(d);
        const QString run = mOut + "/runs/unet-canceled";
        const int epochs = 10;
        setUpTinyUNet(d, run, epochs);
        QSignalSpy started(&d, &TrainingDialog::runStarted), finished(&d, &TrainingDialog::runFinished), events(&d, &TrainingDialog::trainingEvent);
        // Cancel is pressed as the first step event arrives (a tiny run could end while a poll waits).
        bool pressed = false;
        connect(&d, &TrainingDialog::trainingEvent, &d, [&](const QJsonObject& event) {
            if (pressed || event.value("event").toString() != "step") return;
            pressed = true;
            QVERIFY(child<QPushButton>(d, "trainingCancel")->isEnabled());
            click(d, "trainingCancel");
        });
        QVERIFY(d.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 90000);
        QVERIFY(pressed);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QCOMPARE(finished.first().at(2).toString(), QString("canceled"));
        QVERIFY(QFile::exists(run + "/latest.pt"));
        QVERIFY(child<QLabel>(d, "trainingStatus")->text().contains("Resume"));
        const int epochsBefore = jezero::ui::TrainingRunSummary::read(run).log.epochsDone;
        QVERIFY(epochsBefore < epochs);
        // The header counts epochs as the runs list does: those completed.
        QVERIFY2(child<QLabel>(d, "trainingEpochLabel")->text().startsWith(QString("%1 / %2 (stopped in epoch %3)").arg(epochsBefore).arg(epochs).arg(epochsBefore + 1)),
                 qPrintable(child<QLabel>(d, "trainingEpochLabel")->text()));
        QCOMPARE(count(events, "canceled"), 1);
        QVERIFY(d.runsList()->item(d.runsList()->rowOf(run), jezero::ui::TrainingRunsTable::Epochs)->text().contains("stopped"));

        // A past run's curves come from its training_log.csv (epoch rows).
        QVERIFY(!mFinishedRun.isEmpty());
        d.runsList()->selectRun(mFinishedRun);
        QCOMPARE(d.curves()->title(), QString("unet-tiny"));
        QCOMPARE(d.validationPointCount(), 3);
        QCOMPARE(d.trainingPointCount(), 3);
        QVERIFY(!child<QPushButton>(d, "trainingResume")->isEnabled());

        // Resume: the stopped run goes on to its last epoch — here as 2 local processes (data-parallel;
        // the batch of 4 is split between them and the run trains the same curve).
        d.runsList()->selectRun(run);
        QVERIFY(child<QPushButton>(d, "trainingResume")->isEnabled());
        child<QSpinBox>(d, "trainingProcesses")->setValue(2);
        const int stepsBefore = count(events, "step");
        click(d, "trainingResume");
        QCOMPARE(started.count(), 2);
        QCOMPARE(started.last().first().toString(), run);
        QVERIFY(d.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QVERIFY2(finished.last().at(1).toBool(), qPrintable(finished.last().at(2).toString()));
        QVERIFY(count(events, "step") > stepsBefore);
        QCOMPARE(jezero::ui::TrainingRunSummary::read(run).log.epochsDone, epochs);
        QCOMPARE(d.runsList()->item(d.runsList()->rowOf(run), jezero::ui::TrainingRunsTable::Epochs)->text(), QString("10 / 10"));
        QVERIFY(QFile::exists(run + "/rank-1.log")); // the second process ran
        QCOMPARE(d.validationPointCount(), epochs); // the logged epochs, then the resumed run's
        QCoreApplication::processEvents(); // pending layout and paint events, then the screenshot
        QVERIFY(d.grab().save(mOut + "/resumed.png"));
    }

    void quittingDuringTrainingAsksAndSavesTheRun() {
        QVERIFY(!mDataset.isEmpty());
        jezero::ui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.findChild<QAction*>("trainModel")->trigger();
        TrainingDialog& d = *w.trainingDialog();
        const QString run = mOut + "/runs/unet-quit";
        setUpTinyUNet(d, run, 500);
        QSignalSpy events(&d, &TrainingDialog::trainingEvent), finished(&d, &TrainingDialog::runFinished);
        QVERIFY(d.start());
        QTRY_VERIFY_WITH_TIMEOUT(count(events, "step") >= 1, 60000);
        // The question comes up; a person's answer is a click on one of its buttons.
        const auto answer = [](const QString& button) {
            QTimer::singleShot(0, [button] {
                QTRY_VERIFY(QApplication::activeModalWidget() && QApplication::activeModalWidget()->objectName() == "quitDuringTraining");
                auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
                for (QAbstractButton* b : box->buttons())
                    if (b->text() == button) b->click();
            });
        };
        answer("Keep training");
        QVERIFY(!w.close());
        QVERIFY(w.isVisible() && d.isRunning());
        answer("Save and quit");
        QVERIFY(w.close());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().at(2).toString(), QString("canceled"));
        QVERIFY(QFile::exists(run + "/latest.pt"));
        QVERIFY(jezero::ui::TrainingRunSummary::read(run).log.canceled);
    }

    void aBadConfigIsRefusedWithOneLineAndStartsNothing() {
        QVERIFY(!mDataset.isEmpty());
        TrainingDialog d;
        showAndWait(d);
        // Fresh fields hold TrainingConfig's defaults; another model takes its own where a field was not changed.
        const jezero::TrainingConfig defaults;
        QCOMPARE(child<QSpinBox>(d, "trainingBaseWidth")->value(), defaults.baseWidth);
        QCOMPARE(child<QSpinBox>(d, "trainingEpochs")->value(), defaults.epochs);
        d.setModelType("resnet34");
        QCOMPARE(child<QSpinBox>(d, "trainingBaseWidth")->value(), 64);
        d.setModelType("diffusion");
        QVERIFY(child<QGroupBox>(d, "trainingDiffusion")->isVisible());
        QCOMPARE(child<QLineEdit>(d, "trainingLearningRate")->text().toDouble(), 2e-4);
        QVERIFY(child<QLineEdit>(d, "trainingRegression")->isEnabled()); // residual mode's checkpoint
        child<QComboBox>(d, "trainingDiffusionMode")->setCurrentText("plain");
        QVERIFY(!child<QLineEdit>(d, "trainingRegression")->isEnabled());
        QCoreApplication::processEvents(); // pending layout and paint events, then the screenshot
        QVERIFY(d.grab().save(mOut + "/diffusion_settings.png"));
        child<QComboBox>(d, "trainingDiffusionMode")->setCurrentText("residual");

        const QString run = mOut + "/runs/refused";
        setUpTinyUNet(d, run, 1);
        d.setModelType("diffusion"); // residual mode without its regression checkpoint
        QSignalSpy started(&d, &TrainingDialog::runStarted);
        const auto refused = [&](const char* reason) {
            click(d, "trainingStart");
            const QString error = d.errorText();
            QVERIFY2(error.contains(reason) && !error.contains('\n'), qPrintable(error));
            QVERIFY(child<QLabel>(d, "trainingError")->isVisible());
            QVERIFY(!d.isRunning());
        };
        refused("diffusion.regression");
        d.setModelType("unet");
        QVERIFY(!child<QGroupBox>(d, "trainingDiffusion")->isVisible());
        child<QLineEdit>(d, "trainingLearningRate")->setText("0");
        refused("learning_rate must be in (0, 1)");
        QCoreApplication::processEvents(); // pending layout and paint events, then the screenshot
        QVERIFY(d.grab().save(mOut + "/bad_config.png"));
        child<QLineEdit>(d, "trainingLearningRate")->setText("fast");
        refused("not a number");
        child<QLineEdit>(d, "trainingLearningRate")->setText("0.001");
        d.setEpochs(0);
        refused("epochs must be between");
        QCOMPARE(started.count(), 0);
        QVERIFY(!QFileInfo::exists(run));
    }
};

JEZERO_GUI_TEST_MAIN(TestTraining)
#include "test_training.moc"
