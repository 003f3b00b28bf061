// MainWindow: the library ranked against the selected pixel, computed off the GUI thread.
#include "jezero/ui/MainWindow.h"

#include "jezero/core/SpectralMatching.h"
#include "jezero/core/Task.h"
#include "jezero/ui/BackgroundTask.h"
#include "jezero/ui/LibraryMatchPanel.h"

#include <memory>

namespace jezero::ui {

void MainWindow::matchLibrary() {
    const int generation = ++mMatchGeneration;
    if (!mCube || mSelected.empty()) {
        mMatchPanel->setMessage(tr("Click a pixel to rank the library against its spectrum."));
        return;
    }
    if (mLibrary.empty()) {
        mMatchPanel->setMessage(tr("No spectral library is installed."));
        return;
    }
    const QPoint pixel = mSelected.back();
    const float* values = mCube->spectrum(pixel.x(), pixel.y());
    std::vector<double> spectrum(values, values + mCube->bands());
    const double from = mMatchPanel->fromNm(), to = mMatchPanel->toNm();
    auto task = std::make_shared<Task<std::vector<LibraryMatch>>>(
        "library matches", [cube = mCube, library = mLibrary, spectrum = std::move(spectrum), from, to](TaskControl&) {
            return rankLibraryMatches(cube->wavelengthsNm(), spectrum, library, from, to);
        });
    const QString subject = tr("pixel %1, %2").arg(pixel.x()).arg(pixel.y());
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
