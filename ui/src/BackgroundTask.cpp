#include "jezero/ui/BackgroundTask.h"

#include <QPointer>
#include <QThreadPool>

namespace jezero::ui {

BackgroundTask::BackgroundTask(std::shared_ptr<TaskBase> task, QObject* parent) : QObject(parent), mTask(std::move(task)) {}

BackgroundTask* BackgroundTask::start(std::shared_ptr<TaskBase> task, QObject* parent) {
    auto* self = new BackgroundTask(task, parent);
    QPointer<BackgroundTask> guard(self);
    task->control().setProgressCallback([guard](double fraction, const std::string& message) {
        const QString text = QString::fromStdString(message);
        QMetaObject::invokeMethod(guard, [guard, fraction, text] {
            if (guard) emit guard->progressChanged(fraction, text);
        }, Qt::QueuedConnection);
    });
    // The runnable holds the task, so the work outlives a BackgroundTask deleted early (e.g. with
    // its window); it then reports to nobody.
    QThreadPool::globalInstance()->start([task, guard] {
        task->run();
        QMetaObject::invokeMethod(guard, [guard] {
            if (guard) guard->report();
        }, Qt::QueuedConnection);
    });
    return self;
}

void BackgroundTask::cancel() { mTask->control().cancel(); }

bool BackgroundTask::waitForAll(int waitMs) { return QThreadPool::globalInstance()->waitForDone(waitMs); }

QString BackgroundTask::name() const { return QString::fromStdString(mTask->name()); }

void BackgroundTask::report() {
    switch (mTask->status()) {
    case TaskStatus::Succeeded:
        emit succeeded();
        break;
    case TaskStatus::Canceled:
        emit canceled();
        break;
    default:
        emit failed(QString::fromStdString(mTask->error()));
        break;
    }
    emit finished();
    deleteLater();
}

} // namespace jezero::ui
