#pragma once

#include "server/protocol/wire/loglevel.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace heartline {

class ToolCall;
class UpstreamClient;

// Carries downstream tool calls to one upstream server and brings back what belongs to them.
// The upstream is shared by every downstream session, so nothing of a session crosses it raw:
// the UpstreamClient gives each call Heartline's own request id and progress token, and this
// class maps the answer, the progress, a cancellation and the upstream's own questions
// (sampling, elicitation, roots) back to the one ToolCall they belong to.
//
// stdio carries no field tying a log message or a server->client request to a call, so those
// go to the call only while it is the one call in flight on this server; otherwise the question
// is refused with an error the upstream can read and the log line goes to Heartline's log.
class UpstreamForwarder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamForwarder)

public:
    explicit UpstreamForwarder(const QString &serverName, QObject *parent = nullptr);
    ~UpstreamForwarder() override;

    const QString &serverName() const { return m_serverName; }
    // Per call; 0 = none. A call past it fails and is cancelled upstream.
    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }
    // file:// URIs answered to the upstream's roots/list when the calling client has no roots.
    void setRoots(const QStringList &roots) { m_roots = roots; }
    // Per-session servers: calls that came in on a session go to `route` (which forwards them
    // to that session's own instance) instead of this forwarder's client; stateless calls,
    // which have no session, stay here.
    using SessionRoute = std::function<void(const QString &upstreamName, ToolCall *call)>;
    void setSessionRoute(SessionRoute route) { m_sessionRoute = std::move(route); }

    // The client to forward to from now on (null: calls fail at once, naming the server).
    void attach(UpstreamClient *client);
    // Fails every call still in flight with `reason` and forgets the client.
    void detach(const QString &reason);
    bool isAttached() const { return !m_client.isNull(); }

    // Sends the call with the client's params._meta passed on as it came (UpstreamClient puts
    // Heartline's own progressToken in place of the client's).
    void callTool(const QString &upstreamName, ToolCall *call);
    int inFlightCount() const { return int(m_inFlight.size()); }

    // The _meta sent upstream for a client's: everything but the stateless framing keys.
    static QJsonObject metaForUpstream(QJsonObject clientMeta);

Q_SIGNALS:
    // One forwarded call ended: its upstream tool name, whether it ended in a result (not an
    // error, a timeout or the server going away) and how long it took.
    void callEnded(const QString &upstreamName, bool answered, bool isError, qint64 elapsedUs);
    // A log message from the upstream that no single call owns, for Heartline's own log.
    void upstreamLogged(heartline::LogLevel level, const QJsonValue &data, const QString &logger);
    // Something the upstream asked that could not be routed, for the log.
    void problem(const QString &message);

private:
    struct InFlight;

    void handleNotification(const QString &method, const QJsonObject &params);
    void handleRequest(const QJsonValue &id, const QString &method, const QJsonObject &params);
    InFlight *soleCall();
    void end(quint64 key);
    QJsonObject configuredRoots() const;

    QString m_serverName;
    int m_timeoutMs = 0;
    QStringList m_roots;
    SessionRoute m_sessionRoute;
    QPointer<UpstreamClient> m_client;
    QList<QMetaObject::Connection> m_clientConnections;
    quint64 m_nextKey = 1;
    QHash<quint64, InFlight *> m_inFlight;
};

} // namespace heartline
