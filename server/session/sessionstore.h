#pragma once

#include "server/api/monitorevents.h"
#include "server/session/servercontext.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace heartline {

class McpSession;

// Owns every live session, hands out unguessable ids, and expires sessions nobody uses.
// Stateless sessions (one MCP 2026-07-28 request each) are owned here too but kept apart:
// no client ever learns their ids, so find() never returns one, and they are not listed,
// counted, expired or pinged with the sessions clients hold.
class SessionStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionStore)

public:
    SessionStore(const ServerContext &context, QObject *parent = nullptr);
    ~SessionStore() override;

    McpSession *create(TransportKind transport, const QString &peer);
    // A session for one stateless request; it removes itself when the request is over.
    McpSession *createStateless(const QString &peer);
    // Sessions clients hold (by Mcp-Session-Id or the legacy sessionId); never a stateless one.
    McpSession *find(const QString &id) const;
    QList<McpSession *> all() const { return m_sessions.values(); }
    int count() const { return int(m_sessions.size()); }
    QList<McpSession *> stateless() const { return m_stateless.values(); }
    int statelessCount() const { return int(m_stateless.size()); }

    void setIdleTimeout(int milliseconds);
    // The config changed live: idle timeout and server pings follow it.
    void applyConfig();
    // Ends every session, stateless ones too, with `cause` (shutdown, tests).
    void terminateAll(DisconnectCause cause, const QString &detail);

    // 128 random bits from the system CSPRNG, as 32 hex digits (visible ASCII, MCP MUST).
    static QString newSessionId();

Q_SIGNALS:
    // A session clients held has ended, however it ended (DELETE, expiry, Control, shutdown):
    // whatever was kept for it may go. Never for a stateless one.
    void sessionEnded(const QString &id);

public Q_SLOTS:
    void expireIdleSessions();
    void pingSessions();

private:
    void handleTerminated(const QString &id);

    ServerContext m_context;
    QString uniqueId() const;

    QHash<QString, McpSession *> m_sessions;
    QHash<QString, McpSession *> m_stateless;
    QTimer m_expiry;
    QTimer m_pings;
    int m_idleTimeoutMs = 0;
};

} // namespace heartline
