#pragma once

#include "monitorevents.h"
#include "servercontext.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace heartline {

class McpSession;

// Owns every live session, hands out unguessable ids, and expires sessions nobody uses.
class SessionStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionStore)

public:
    SessionStore(const ServerContext &context, QObject *parent = nullptr);
    ~SessionStore() override;

    McpSession *create(TransportKind transport, const QString &peer);
    McpSession *find(const QString &id) const;
    QList<McpSession *> all() const { return m_sessions.values(); }
    int count() const { return int(m_sessions.size()); }

    void setIdleTimeout(int milliseconds);
    // Ends every session with `cause` (shutdown, tests).
    void terminateAll(DisconnectCause cause, const QString &detail);

    // 128 random bits from the system CSPRNG, as 32 hex digits (visible ASCII, MCP MUST).
    static QString newSessionId();

public Q_SLOTS:
    void expireIdleSessions();
    void pingSessions();

private:
    void handleTerminated(const QString &id);

    ServerContext m_context;
    QHash<QString, McpSession *> m_sessions;
    QTimer m_expiry;
    QTimer m_pings;
    int m_idleTimeoutMs = 0;
};

} // namespace heartline
