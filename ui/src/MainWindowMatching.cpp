// MainWindow: the library ranked against the selected pixel, computed off the GUI thread.
#include "jezero/ui/MainWindow.h"

#include "jezero/core/BadBands.h"

#include "jezero/core/SpectralMatching.h"
#include "jezero/core/Task.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/LibraryMatchPanel.h"

#include <memory>

namespace jezero::ui {

void MainWindow::matchLibrary() {
    const int generation = ++mMatchGeneration;
    const int subjectIndex = mMatchPanel->subject();
    const bool roi = subjectIndex > 0 && subjectIndex <= static_cast<int>(mRoiSpectra.size());
    if (!mCube || (!roi && mSelected.empty())) {
        mMatchPanel->setMessage(tr("Click a pixel (or choose an ROI above) to rank the library against its spectrum."));
        return;
    }
    if (mLibrary.empty()) {
        mMatchPanel->setMessage(tr("No spectral library is installed."));
        return;
    }
    std::vector<double> spectrum;
    QString subject;
    if (roi) {
        const RoiSpectrum& s = mRoiSpectra[static_cast<std::size_t>(subjectIndex - 1)];
        if (s.mean.empty()) {
            mMatchPanel->setMessage(tr("Measuring the ROI…")); // ranked when its statistics arrive
            return;
        }
        spectrum = s.mean;
        subject = tr("ROI %1 (mean of %2 pixels)").arg(QString::fromStdString(mRois[static_cast<std::size_t>(subjectIndex - 1)].name)).arg(s.pixelCount);
    } else {
        const QPoint pixel = mSelected.back();
        const float* values = mCube->spectrum(pixel.x(), pixel.y());
        spectrum.assign(values, values + mCube->bands());
        subject = tr("pixel %1, %2").arg(pixel.x()).arg(pixel.y());
    }
    const double from = mMatchPanel->fromNm(), to = mMatchPanel->toNm();
    auto task = std::make_shared<Task<std::vector<LibraryMatch>>>(
        "library matches", [cube = mCube, library = mLibrary, spectrum = std::move(spectrum), from, to](TaskControl&) {
            // The detectors' ends and filter boundaries are not compared.
            const auto& w = cube->wavelengthsNm();
            return rankLibraryMatches(w, BadBands::forScene(cube->metadata()).masked(w, spectrum), library, from, to);
        });
    mMatchPanel->setStatus(tr("Ranking the library against %1…").arg(subject));
    BackgroundTask* runner = BackgroundTask::start(task, this);
    connect(runner, &BackgroundTask::succeeded, this, [this, task, subject, generation] {
        if (generation == mMatchGeneration) mMatchPanel->setMatches(subject, task->result());
    });
    connect(runner, &BackgroundTask::failed, this, [this, subject, generation](const QString& error) {
        if (generation == mMatchGeneration) mMatchPanel->setMessage(tr("No matches for %1: %2").arg(subject, error));
    });
}

} // namespace jezero::ui
