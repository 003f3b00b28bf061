// MainWindow's ROI side: drawing, listing, saving with the scene, and the spectra the plot shows
// (clicked pixels, ROI means ± std, ratio). The window itself is in MainWindow.cpp.
#include "jezero/core/AtomicFile.h"
#include "jezero/core/Error.h"
#include "jezero/ui/MainWindow.h"

#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/LibraryMatchPanel.h"
#include "jezero/ui/RoiPanel.h"
#include "jezero/ui/SceneView.h"
#include "jezero/ui/SpectrumPlot.h"
#include "jezero/ui/SpectrumPalette.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QStatusBar>

#include <algorithm>
#include <cmath>
#include <optional>

namespace jezero::ui {

void MainWindow::connectRoiPanel() {
    connect(mRoiPanel, &RoiPanel::toolChosen, mSceneView, &SceneView::setTool);
    connect(mSceneView, &SceneView::roiDrawn, this, [this](SceneView::Tool tool, const QPolygonF& outline) {
        std::vector<std::pair<double, double>> vertices;
        for (const QPointF& p : outline) vertices.emplace_back(p.x(), p.y());
        addRoi(tool == SceneView::Tool::Rectangle ? Roi::Shape::Rectangle
               : tool == SceneView::Tool::Freehand ? Roi::Shape::Freehand : Roi::Shape::Polygon, vertices);
    });
    connect(mRoiPanel, &RoiPanel::renamed, this, [this](int index, const QString& name) {
        if (index < 0 || index >= static_cast<int>(mRois.size())) return;
        mRois[index].name = name.toStdString();
        refreshRois();
    });
    connect(mRoiPanel, &RoiPanel::removeRequested, this, [this](int index) {
        mRois.erase(mRois.begin() + index);
        mRoiSpectra.erase(mRoiSpectra.begin() + index);
        mRatio.reset();
        refreshRois();
    });
    connect(mRoiPanel, &RoiPanel::ratioRequested, this, &MainWindow::plotRatio);
    connect(mRoiPanel, &RoiPanel::saveRequested, this, [this] {
        if (!mCube) return;
        const QString path = QFileDialog::getSaveFileName(this, tr("Save ROIs"), roiSidecarPath(), tr("GeoJSON (*.geojson *.json)"));
        if (path.isEmpty()) return;
        try {
            saveRois(path);
            statusBar()->showMessage(tr("Saved %1 ROIs to %2").arg(mRois.size()).arg(path), 6000);
        } catch (const std::exception& e) {
            showError(QString::fromStdString(e.what()));
        }
    });
    connect(mRoiPanel, &RoiPanel::loadRequested, this, [this] {
        if (!mCube) return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Load ROIs"), roiSidecarPath(), tr("GeoJSON (*.geojson *.json)"));
        if (path.isEmpty()) return;
        try {
            loadRois(path);
        } catch (const std::exception& e) {
            showError(QString::fromStdString(e.what()));
        }
    });

}

void MainWindow::addRoi(Roi::Shape shape, const std::vector<std::pair<double, double>>& vertices) {
    Roi roi;
    roi.shape = shape;
    roi.vertices = vertices;
    // The first name not taken: "ROI 1", "ROI 2", ...
    for (int n = 1;; ++n) {
        roi.name = "ROI " + std::to_string(n);
        if (std::none_of(mRois.begin(), mRois.end(), [&](const Roi& r) { return r.name == roi.name; })) break;
    }
    const QColor colour = spectrumColour(mRois.size() + 3);
    roi.colour = {static_cast<std::uint8_t>(colour.red()), static_cast<std::uint8_t>(colour.green()), static_cast<std::uint8_t>(colour.blue())};
    mRoiSpectra.emplace_back(); // only the new ROI is measured
    mRois.push_back(roi);
    refreshRois();
    measureRois({roi});
}

// A freehand outline over a whole MTRDR scene covers ~10^8 values: measured on a worker thread, so
// drawing never stalls the window. Until its statistics arrive an ROI has an empty spectrum (the plot
// leaves it out, its list entry says "measuring"). A result goes to the ROI with the same outline in
// the same scene, so renaming or deleting ROIs meanwhile, or opening another scene, mixes nothing up.
void MainWindow::measureRois(std::vector<Roi> rois) {
    if (!mCube || rois.empty()) return;
    auto task = std::make_shared<Task<std::vector<RoiSpectrum>>>("ROI statistics", [cube = mCube, rois](TaskControl& control) {
        std::vector<RoiSpectrum> spectra;
        for (const Roi& roi : rois) spectra.push_back(roiSpectrum(*cube, roi, &control));
        return spectra;
    });
    auto* runner = BackgroundTask::start(task, this);
    mRoiTasks.erase(std::remove(mRoiTasks.begin(), mRoiTasks.end(), nullptr), mRoiTasks.end());
    mRoiTasks.emplace_back(runner);
    connect(runner, &BackgroundTask::succeeded, this, [this, task, cube = mCube, rois] {
        if (cube != mCube) return;
        settleRois(rois, task->result());
        if (mMatchPanel->subject() > 0) matchLibrary(); // an ROI chosen as the subject before its mean was known
    });
    // A failed measurement leaves its ROIs with no statistics (NaN), said once: never "measuring" for good.
    connect(runner, &BackgroundTask::failed, this, [this, cube = mCube, rois](const QString& error) {
        if (cube != mCube) return;
        RoiSpectrum none; // every per-band list full length (export reads them all), NaN
        none.mean.assign(mCube->bands(), std::nan(""));
        none.stddev = none.median = none.mean;
        none.validCount.assign(mCube->bands(), 0);
        settleRois(rois, std::vector<RoiSpectrum>(rois.size(), none));
        showError(tr("ROI statistics failed: %1").arg(error));
    });
}

// Each still unmeasured ROI with the outline of rois[k] takes spectra[k].
void MainWindow::settleRois(const std::vector<Roi>& rois, const std::vector<RoiSpectrum>& spectra) {
    for (std::size_t k = 0; k < rois.size(); ++k)
        for (std::size_t i = 0; i < mRois.size(); ++i)
            if (mRoiSpectra[i].mean.empty() && mRois[i].shape == rois[k].shape && mRois[i].vertices == rois[k].vertices) mRoiSpectra[i] = spectra[k];
    refreshRois();
}

void MainWindow::cancelRoiMeasurements() {
    for (const auto& runner : mRoiTasks)
        if (runner) runner->cancel();
    mRoiTasks.clear();
}

bool MainWindow::roisMeasured() const {
    return std::none_of(mRoiSpectra.begin(), mRoiSpectra.end(), [](const RoiSpectrum& s) { return s.mean.empty(); });
}

// Redraws outlines, list and spectra from mRois and mRoiSpectra (kept in step wherever ROIs change,
// so renaming or deleting one measures nothing again).
void MainWindow::refreshRois() {
    std::vector<std::pair<QPolygonF, QColor>> outlines;
    std::vector<std::optional<std::size_t>> counts;
    for (std::size_t i = 0; i < mRois.size(); ++i) {
        QPolygonF outline;
        for (const auto& [x, y] : mRois[i].vertices) outline << QPointF(x, y);
        outlines.emplace_back(outline, QColor(mRois[i].colour[0], mRois[i].colour[1], mRois[i].colour[2]));
        counts.push_back(mRoiSpectra[i].mean.empty() ? std::nullopt : std::optional<std::size_t>(mRoiSpectra[i].pixelCount));
    }
    mSceneView->setRois(outlines);
    mRoiPanel->setRois(mRois, counts);
    QStringList names;
    for (const Roi& r : mRois) names << QString::fromStdString(r.name);
    mMatchPanel->setRoiNames(names);
    refreshSpectra();
}

// Pixel spectra, then each ROI's mean ± std, then the ratio spectrum if one is asked for.
void MainWindow::refreshSpectra() {
    mSpectrumPlot->clearSpectra();
    if (!mCube) return;
    for (std::size_t i = 0; i < mSelected.size(); ++i) {
        const QPoint p = mSelected[i];
        mSpectrumPlot->addSpectrum(tr("pixel %1, %2").arg(p.x()).arg(p.y()), mCube->wavelengthsNm(), mCube->spectrum(p.x(), p.y()),
                                   spectrumColour(i));
    }
    for (std::size_t i = 0; i < mRois.size(); ++i) {
        const RoiSpectrum& s = mRoiSpectra[i];
        if (s.pixelCount == 0) continue;
        const QColor colour(mRois[i].colour[0], mRois[i].colour[1], mRois[i].colour[2]);
        const QString name = QString::fromStdString(mRois[i].name);
        mSpectrumPlot->addCurve(tr("%1 mean ± std (%2 px)").arg(name).arg(s.pixelCount), mCube->wavelengthsNm(), s.mean, s.stddev, colour);
        mSpectrumPlot->addCurve(tr("%1 median").arg(name), mCube->wavelengthsNm(), s.median, {}, colour, Qt::DotLine);
    }
    // Library spectra, resampled to the scene's channels and scaled to the first curve's median level
    // (ratioed type spectra sit near 1, lab reflectances near 0.3–0.9, scene I/F near 0.2).
    const auto median = [](std::vector<double> v) {
        v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
        if (v.empty()) return std::nan("");
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    };
    double level = std::nan("");
    if (!mSelected.empty()) {
        const float* s = mCube->spectrum(mSelected.front().x(), mSelected.front().y());
        level = median(std::vector<double>(s, s + mCube->bands()));
    } else if (!mRoiSpectra.empty()) {
        level = median(mRoiSpectra.front().mean);
    }
    for (auto& [index, resampled] : mLibraryShown) {
        if (resampled.empty()) resampled = resampleToChannels(mLibrary[index], mCube->wavelengthsNm(), mCube->fwhmNm());
        std::vector<double> values = resampled;
        // Continuum removal divides the scale out again, so the curve is right with it on or off.
        const double scale = std::isfinite(level) ? level / median(values) : 1.0;
        for (double& v : values) v *= scale;
        const QString label = QString::fromStdString(mLibrary[index].name) + (scale != 1.0 ? QString(" (×%1)").arg(scale, 0, 'g', 2) : QString());
        mSpectrumPlot->addCurve(label, mCube->wavelengthsNm(), values, {}, spectrumColour(index + 5).darker(130), Qt::DashDotLine);
    }
    if (mRatio && mRatio->first < static_cast<int>(mRois.size()) && mRatio->second < static_cast<int>(mRois.size()) &&
        !mRoiSpectra[mRatio->first].mean.empty() && !mRoiSpectra[mRatio->second].mean.empty()) {
        const auto ratio = ratioSpectrum(mRoiSpectra[mRatio->first], mRoiSpectra[mRatio->second]);
        mSpectrumPlot->addRatioCurve(tr("%1 ÷ %2").arg(QString::fromStdString(mRois[mRatio->first].name),
                                                       QString::fromStdString(mRois[mRatio->second].name)),
                                     mCube->wavelengthsNm(), ratio, Qt::black);
    }
}

void MainWindow::showLibrarySpectrum(int index, bool shown) {
    if (index < 0 || index >= static_cast<int>(mLibrary.size())) return;
    if (shown) mLibraryShown[index] = {};
    else mLibraryShown.erase(index);
    mMatchPanel->setShown(QString::fromStdString(mLibrary[index].name), shown);
    refreshSpectra();
}

void MainWindow::plotRatio(int numerator, int denominator) {
    if (numerator < 0 || denominator < 0 || numerator >= static_cast<int>(mRois.size()) || denominator >= static_cast<int>(mRois.size()))
        return;
    mRatio = std::make_pair(numerator, denominator);
    refreshSpectra();
}

QString MainWindow::roiSidecarPath() const {
    if (!mCube) return {};
    const QFileInfo source(QString::fromStdString(mCube->metadata().sourcePath));
    return source.absolutePath() + "/" + source.completeBaseName() + ".rois.geojson";
}

void MainWindow::saveRois(const QString& path) const {
    const auto& gt = mCube->metadata().geoTransform;
    writeTextFileAtomically(path.toStdString(), roisToGeoJson(mRois, gt ? &*gt : nullptr) + "\n");
}

void MainWindow::loadRois(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error("cannot read " + path.toStdString());
    std::vector<Roi> loaded = roisFromGeoJson(file.readAll().toStdString()); // a bad file leaves the ROIs as they were
    cancelRoiMeasurements();
    mRois = std::move(loaded);
    mRoiSpectra.assign(mRois.size(), RoiSpectrum{});
    mRatio.reset();
    refreshRois();
    measureRois(mRois);
}

} // namespace jezero::ui
