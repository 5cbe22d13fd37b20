#pragma once

#include "server/tools/upstream/boundedlinereader.h"
#include "server/tools/upstream/upstreamchannel.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

class QTimer;

namespace heartline {

// An upstream MCP server run as a child process: newline-delimited JSON-RPC on its stdin and
// stdout, its stderr passed up line by line (MCP's stdio transport).
//
// The child starts from an argv list (never a shell) in a session and process group of its own,
// so that the wrappers `npx` and `uvx` put between us and the server, and whatever those start,
// are one group that is signalled as one. Nothing of that group outlives the channel: not after
// close(), not after the child exits or crashes by itself (the rest of its group is killed),
// not after the channel is destroyed.
class StdioChannel final : public UpstreamChannel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StdioChannel)

public:
    struct Options
    {
        // Empty: the user's home folder.
        QString workingDirectory;
        // The child's whole environment (ChildEnvironment::forEntry); the command is looked up
        // on its PATH. Empty: ChildEnvironment's allowlist of this process's environment.
        QProcessEnvironment environment;
        // The MCP spec's shutdown: close stdin, wait; SIGTERM to the group, wait; SIGKILL.
        int stdinCloseGraceMs = 2000;
        int terminateGraceMs = 2000;
        // A stdout line longer than this is a protocol problem, skipped without being kept.
        qsizetype maxLineBytes = 16 * 1024 * 1024;
        // A stderr line longer than this is cut (the rest of it skipped).
        qsizetype maxStderrLineBytes = 4 * 1024;
    };

    StdioChannel(const QString &command, const QStringList &arguments, const Options &options,
                 QObject *parent = nullptr);
    // A running child's group is killed with SIGKILL.
    ~StdioChannel() override;

    void open() override;
    void send(const QJsonObject &message) override;
    void close() override;
    // The argv with shell-style quoting, and " (pid N)" while the child runs.
    QString describe() const override;

    // The child's pid while it runs, which is also its process group (setsid); 0 otherwise.
    qint64 processId() const { return m_pid; }
    // Bytes held for the stdout line being read (bounded by maxLineBytes) and their peak.
    qsizetype bufferedStdoutBytes() const { return m_stdout.bufferedBytes(); }
    qsizetype peakBufferedStdoutBytes() const { return m_stdout.peakBufferedBytes(); }

    // An argv as a POSIX shell would need it typed: `npx -y '@scope/x' 'my notes'`.
    static QString quotedCommandLine(const QStringList &argv);

private:
    enum class State { Idle, Running, Closing };

    void handleStarted();
    void handleErrorOccurred(QProcess::ProcessError error);
    void handleFinished(int exitCode, QProcess::ExitStatus exitStatus);
    void handleStdout();
    void handleStderr();
    void handleShutdownTimer();
    void handleStdoutLine(const QByteArray &line);
    void killGroup(int signal) const;
    void emitClosedSoon(const QString &reason, bool expected);
    void finishClosed(const QString &reason, bool expected);

    QString m_command;
    QStringList m_arguments;
    Options m_options;
    State m_state = State::Idle;
    QProcess *m_process = nullptr;
    qint64 m_pid = 0;
    bool m_terminateSent = false;
    QTimer *m_shutdownTimer;
    BoundedLineReader m_stdout;
    BoundedLineReader m_stderr;
};

} // namespace heartline
