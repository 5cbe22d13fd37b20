#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>

namespace heartline {

// How an upstream MCP server is reached: a child process speaking newline-delimited JSON-RPC on
// stdin/stdout (StdioChannel), or a remote server over Streamable HTTP or legacy SSE. The
// UpstreamClient above it speaks MCP and never knows which; a test can stand in a fake.
//
// A channel carries whole JSON-RPC messages. It never blocks: open() and close() start work and
// report with signals. After closed() it emits nothing more and may be opened again.
class UpstreamChannel : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamChannel)

public:
    using QObject::QObject;
    ~UpstreamChannel() override = default;

    // Starts the process or the connection; opened() or closed() follows.
    virtual void open() = 0;
    // Sends one JSON-RPC message (request, notification or response). Dropped after closed().
    virtual void send(const QJsonObject &message) = 0;
    // Ends the channel the way its transport prescribes (stdio: close stdin, then SIGTERM and
    // SIGKILL to the process group; HTTP: DELETE the session). closed(reason, true) follows.
    virtual void close() = 0;
    // What the window and the log show: the command line or the URL, and the pid once running.
    virtual QString describe() const = 0;

Q_SIGNALS:
    void opened();
    void messageReceived(const QJsonObject &message);
    // Something the upstream sent that is not a JSON-RPC message (a non-JSON stdout line, a
    // line past the size cap, a body that does not parse). The channel keeps going.
    void protocolProblem(const QString &problem);
    // One line the upstream wrote to stderr (stdio) or a transport diagnostic (remote).
    void diagnosticLine(const QString &line);
    // The channel ended: `expected` after close(), otherwise a crash, exit or lost connection,
    // with `reason` saying which ("exited with status 1", "killed by signal 9", "npx not found
    // in PATH=...", "connection refused").
    void closed(const QString &reason, bool expected);
};

} // namespace heartline
