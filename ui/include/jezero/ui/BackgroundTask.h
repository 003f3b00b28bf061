#pragma once
// Runs a core Task on Qt's thread pool and reports back on the GUI thread: the GUI's one way to
// leave the GUI thread. The caller keeps the typed Task to take its result in succeeded().
#include "jezero/core/Task.h"

#include <QObject>
#include <QString>

#include <memory>

namespace jezero::ui {

class BackgroundTask : public QObject {
    Q_OBJECT
public:
    // Starts task at once; the BackgroundTask deletes itself after finished().
    static BackgroundTask* start(std::shared_ptr<TaskBase> task, QObject* parent = nullptr);

    void cancel();
    QString name() const;

    // Waits up to waitMs for all work started here to end (cancel it first); false when some is still
    // running then, e.g. a read stuck in the kernel on a stalled network mount, which no flag can stop.
    static bool waitForAll(int waitMs);

signals:
    void progressChanged(double fraction, const QString& message);
    void succeeded();
    void failed(const QString& error);
    void canceled();
    void finished();

private:
    BackgroundTask(std::shared_ptr<TaskBase> task, QObject* parent);
    void report();

    std::shared_ptr<TaskBase> mTask;
};

} // namespace jezero::ui
