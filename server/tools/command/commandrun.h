#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace heartline {

class ToolCall;

// One call of a command tool: the program started in a process group of its own with stdin
// at /dev/null, its stdout collected (up to a cap) as the result, each stdout line sent as
// progress when the client asked for progress, the tail of stderr kept for the error a failed
// run reports. A timeout, the output cap or the client's cancel kill the whole group, so
// nothing the command started outlives the call. Lives as a child of its ToolCall: if the call
// goes, the run kills what is left.
class CommandRun final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommandRun)

public:
    struct Spec
    {
        QString toolName;
        QString program; // resolved, absolute
        QStringList arguments;
        QString workingDirectory;
        QProcessEnvironment environment;
        int timeoutMs = 60000;
        qint64 maxOutputBytes = 1024 * 1024;
        bool jsonOutput = false; // stdout is the structuredContent object
    };

    // What of stderr a failed run reports: its last lines, enough to say why.
    static constexpr qsizetype kStderrTailBytes = 4096;
    // A progress message is one line of output, cut to this many characters.
    static constexpr qsizetype kProgressMessageChars = 1000;

    CommandRun(const Spec &spec, ToolCall *call);
    ~CommandRun() override;

    void start();
    qint64 processId() const { return m_pid; }

private:
    enum class Stop { None, Timeout, OutputCap, Cancelled };

    void handleStdout();
    void handleStderr();
    void handleFinished(int exitCode, QProcess::ExitStatus status);
    void handleErrorOccurred(QProcess::ProcessError error);
    void stop(Stop reason);
    void killGroup();
    void reportLines(bool all);
    QJsonObject result(int exitCode, QProcess::ExitStatus status) const;
    QString stderrTail() const;

    Spec m_spec;
    QPointer<ToolCall> m_call;
    QProcess *m_process = nullptr;
    QTimer m_timeout;
    qint64 m_pid = 0;
    QByteArray m_stdout;
    QByteArray m_stderr;
    qsizetype m_linesReported = 0; // bytes of m_stdout already sent as progress lines
    qint64 m_lineNumber = 0;
    Stop m_stop = Stop::None;
    bool m_finished = false;
};

} // namespace heartline
