#pragma once
// The one way to run long work. A function that may take long takes a TaskControl&: it reports
// progress and polls for cancellation. The CLI runs a Task inline; the GUI runs the same Task on a
// worker thread (ui/BackgroundTask) and shows its progress. Modelled on QgsTask, kept small.
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace jezero {

class TaskCanceled : public std::exception {
public:
    const char* what() const noexcept override { return "canceled"; }
};

class TaskControl {
public:
    using ProgressCallback = std::function<void(double fraction, const std::string& message)>;

    TaskControl() = default;
    // A part of parent's work, from `from` to `to` of it: its progress f is the parent's from + f·(to − from),
    // and it is canceled when the parent is. A null parent: a control of its own. Must not outlive parent.
    TaskControl(TaskControl* parent, double from, double to) : mParent(parent), mFrom(from), mTo(to) {}

    // fraction in [0, 1]; the callback runs on the working thread.
    void setProgress(double fraction, const std::string& message = {});
    double progress() const { return mProgress.load(); }
    void setProgressCallback(ProgressCallback callback);

    void cancel() { mCanceled.store(true); }
    bool isCanceled() const { return mCanceled.load() || (mParent && mParent->isCanceled()); }
    // Throws TaskCanceled when cancel() was called; work calls this at safe points.
    void throwIfCanceled() const;

private:
    TaskControl* mParent = nullptr;
    double mFrom = 0, mTo = 1;
    std::atomic<double> mProgress{0.0};
    std::atomic<bool> mCanceled{false};
    std::mutex mCallbackMutex;
    ProgressCallback mCallback;
};

enum class TaskStatus { Pending, Running, Succeeded, Failed, Canceled };

// What a runner (the CLI inline, ui/BackgroundTask on a worker thread) needs of any task.
class TaskBase {
public:
    virtual ~TaskBase() = default;
    // Never throws: records success, the error message (one line) or the cancellation.
    virtual void run() = 0;
    virtual const std::string& name() const = 0;
    virtual TaskControl& control() = 0;
    virtual TaskStatus status() const = 0;
    virtual const std::string& error() const = 0;
};

// A named piece of work with a result of type R.
template <class R>
class Task : public TaskBase {
public:
    using Work = std::function<R(TaskControl&)>;

    Task(std::string name, Work work) : mName(std::move(name)), mWork(std::move(work)) {}

    void run() override {
        mStatus = TaskStatus::Running;
        try {
            mResult.emplace(mWork(mControl));
            mControl.setProgress(1.0);
            mStatus = TaskStatus::Succeeded;
        } catch (const TaskCanceled&) {
            mStatus = TaskStatus::Canceled;
        } catch (const std::exception& e) {
            mError = e.what();
            mStatus = TaskStatus::Failed;
        } catch (...) {
            mError = "unknown error";
            mStatus = TaskStatus::Failed;
        }
    }

    const std::string& name() const override { return mName; }
    TaskControl& control() override { return mControl; }
    TaskStatus status() const override { return mStatus; }
    const std::string& error() const override { return mError; }
    // Valid when status() == Succeeded.
    R& result() { return *mResult; }

private:
    std::string mName;
    Work mWork;
    TaskControl mControl;
    std::atomic<TaskStatus> mStatus{TaskStatus::Pending};
    std::optional<R> mResult;
    std::string mError;
};

} // namespace jezero
