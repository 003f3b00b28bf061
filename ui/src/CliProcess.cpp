#include "jezero/ui/CliProcess.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTimer>

namespace jezero::ui {
namespace {
constexpr int kLogLines = 2000; // enough to see why a run failed; a long run's chatter is dropped from the front
}

CliProcess::CliProcess(QObject* parent) : QObject(parent), mProcess(new QProcess(this)), mKillTimer(new QTimer(this)) {
    mKillTimer->setSingleShot(true);
    connect(mKillTimer, &QTimer::timeout, this, [this] {
        if (isRunning()) mProcess->kill();
    });
    connect(mProcess, &QProcess::readyReadStandardOutput, this, &CliProcess::readStdout);
    connect(mProcess, &QProcess::readyReadStandardError, this, &CliProcess::readStderr);
    connect(mProcess, &QProcess::finished, this, &CliProcess::onFinished);
    connect(mProcess, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart) return; // crashes arrive through finished()
        emit finished(false, tr("cannot start %1: %2").arg(program(), mProcess->errorString()));
    });
}

CliProcess::~CliProcess() {
    if (!isRunning()) return;
    mProcess->disconnect(this);
    mProcess->terminate();
    // The window is going away: give a training run the time to save its checkpoint before it is killed.
    if (!mProcess->waitForFinished(30000)) {
        mProcess->kill();
        mProcess->waitForFinished(2000);
    }
}

QString CliProcess::program() {
    const QString configured = qEnvironmentVariable("JEZERO_CLI");
    if (!configured.isEmpty()) return configured;
    const QString beside = QCoreApplication::applicationDirPath() + "/jezero-cli";
    if (QFileInfo(beside).isExecutable()) return beside;
    const QString onPath = QStandardPaths::findExecutable("jezero-cli");
    return onPath.isEmpty() ? beside : onPath;
}

void CliProcess::start(const QStringList& arguments) {
    mStdoutBuffer.clear();
    mStderrBuffer.clear();
    mLog.clear();
    mLastError.clear();
    mCanceled = false;
    mKillTimer->stop();
    mProcess->start(program(), arguments);
}

void CliProcess::cancel(int graceMs) {
    if (!isRunning()) return;
    mCanceled = true;
    mProcess->terminate();
    mKillTimer->start(graceMs);
}

bool CliProcess::isRunning() const { return mProcess->state() != QProcess::NotRunning; }

QString CliProcess::commandLine() const { return (QStringList{mProcess->program()} + mProcess->arguments()).join(' '); }

void CliProcess::readStdout() {
    mStdoutBuffer += mProcess->readAllStandardOutput();
    for (int end; (end = mStdoutBuffer.indexOf('\n')) >= 0;) {
        handleLine(mStdoutBuffer.left(end), true);
        mStdoutBuffer.remove(0, end + 1);
    }
}

void CliProcess::readStderr() {
    mStderrBuffer += mProcess->readAllStandardError();
    for (int end; (end = mStderrBuffer.indexOf('\n')) >= 0;) {
        handleLine(mStderrBuffer.left(end), false);
        mStderrBuffer.remove(0, end + 1);
    }
}

void CliProcess::handleLine(const QByteArray& line, bool fromStdout) {
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty()) return;
    if (fromStdout && trimmed.startsWith('{')) {
        const QJsonDocument document = QJsonDocument::fromJson(trimmed);
        if (document.isObject()) {
            emit event(document.object());
            return;
        }
    }
    const QString text = QString::fromUtf8(trimmed);
    // "jezero-cli: error: …" (or "jezero-ml: error: …") is the one-line reason of a failure.
    const int at = text.indexOf(": error: ");
    if (!fromStdout && at >= 0) mLastError = text.mid(at + 9);
    mLog << text;
    if (mLog.size() > kLogLines) mLog.removeFirst();
    emit logLine(text);
}

void CliProcess::onFinished(int exitCode, QProcess::ExitStatus status) {
    mKillTimer->stop();
    readStdout();
    readStderr();
    for (QByteArray* rest : {&mStdoutBuffer, &mStderrBuffer}) {
        if (!rest->isEmpty()) handleLine(*rest, rest == &mStdoutBuffer);
        rest->clear();
    }
    if (mCanceled) {
        emit finished(false, QStringLiteral("canceled"));
    } else if (status == QProcess::CrashExit) {
        emit finished(false, tr("%1 stopped unexpectedly (crashed or was killed)").arg(QFileInfo(program()).fileName()));
    } else if (exitCode != 0) {
        emit finished(false, mLastError.isEmpty() ? tr("%1 failed with exit code %2").arg(QFileInfo(program()).fileName()).arg(exitCode) : mLastError);
    } else {
        emit finished(true, {});
    }
}

} // namespace jezero::ui
