#pragma once
// Runs jezero-cli as a child process — the GUI's way to train and predict, so a CUDA fault or an
// out-of-memory kill in the model code never takes the window down, and the GUI does not link
// LibTorch. Reads the child's JSON-lines stdout as events; its last "error:" line on stderr becomes
// the failure message.
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QStringList>

class QTimer;

namespace jezero::ui {

class CliProcess : public QObject {
    Q_OBJECT
public:
    explicit CliProcess(QObject* parent = nullptr);
    ~CliProcess() override; // a child still running is stopped and waited for

    // $JEZERO_CLI when set, else jezero-cli beside this program, else jezero-cli on PATH.
    static QString program();

    void start(const QStringList& arguments);
    // Asks the child to stop (SIGTERM: training saves its checkpoint first); kills it if it has not
    // ended after graceMs.
    void cancel(int graceMs = 15000);
    bool isRunning() const;
    QString commandLine() const;
    // Everything the child wrote that was not an event, for a log view.
    const QStringList& log() const { return mLog; }

signals:
    void event(const QJsonObject& event);      // one per JSON line on stdout
    void logLine(const QString& line);         // other stdout and stderr lines
    // ok: exit status 0. Else error is the child's one-line error, "canceled", or how it died.
    void finished(bool ok, const QString& error);

private:
    void readStdout();
    void readStderr();
    void handleLine(const QByteArray& line, bool fromStdout);
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QProcess* mProcess;
    QTimer* mKillTimer; // the end of cancel()'s grace; stopped when the child ends or a new one starts
    QByteArray mStdoutBuffer, mStderrBuffer;
    QStringList mLog;
    QString mLastError;
    bool mCanceled = false;
};

} // namespace jezero::ui
