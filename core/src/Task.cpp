#include "jezero/core/Task.h"

#include <algorithm>

namespace jezero {

void TaskControl::setProgress(double fraction, const std::string& message) {
    mProgress.store(std::clamp(fraction, 0.0, 1.0));
    ProgressCallback callback;
    {
        std::lock_guard<std::mutex> lock(mCallbackMutex);
        callback = mCallback;
    }
    if (callback) callback(mProgress.load(), message);
    if (mParent) mParent->setProgress(mFrom + mProgress.load() * (mTo - mFrom), message);
}

void TaskControl::setProgressCallback(ProgressCallback callback) {
    std::lock_guard<std::mutex> lock(mCallbackMutex);
    mCallback = std::move(callback);
}

void TaskControl::throwIfCanceled() const {
    if (isCanceled()) throw TaskCanceled();
}

} // namespace jezero
