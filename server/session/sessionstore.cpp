#include "server/session/sessionstore.h"

#include "server/api/clock.h"
#include "server/session/mcpsession.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSessions, "heartline.server.sessions")

SessionStore::SessionStore(const ServerContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    connect(&m_expiry, &QTimer::timeout, this, &SessionStore::expireIdleSessions);
    connect(&m_pings, &QTimer::timeout, this, &SessionStore::pingSessions);
    applyConfig();
}

void SessionStore::applyConfig()
{
    const ServerConfig &config = *m_context.config;
    if (config.sessionIdleTimeoutMs != m_idleTimeoutMs || !m_expiry.isActive())
        setIdleTimeout(config.sessionIdleTimeoutMs);
    // One timer for every session's pings, a few ticks per interval, like the heartbeats.
    if (config.pingIntervalMs <= 0) {
        m_pings.stop();
        return;
    }
    const int tick = qBound(10, qMin(config.pingIntervalMs, config.pingTimeoutMs) / 4, 5000);
    if (!m_pings.isActive() || m_pings.interval() != tick)
        m_pings.start(tick);
}

SessionStore::~SessionStore()
{
    const auto sessions = m_sessions.values() + m_stateless.values();
    m_sessions.clear();
    m_stateless.clear();
    qDeleteAll(sessions);
}

QString SessionStore::newSessionId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

QString SessionStore::uniqueId() const
{
    QString id;
    do {
        id = newSessionId();
    } while (m_sessions.contains(id) || m_stateless.contains(id));
    return id;
}

McpSession *SessionStore::create(TransportKind transport, const QString &peer)
{
    const QString id = uniqueId();
    auto *session = new McpSession(id, transport, peer, m_context, this);
    m_sessions.insert(id, session);
    connect(session, &McpSession::terminated, this, &SessionStore::handleTerminated);
    return session;
}

McpSession *SessionStore::createStateless(const QString &peer)
{
    const QString id = uniqueId();
    auto *session =
        new McpSession(id, TransportKind::StreamableHttpStateless, peer, m_context, this);
    m_stateless.insert(id, session);
    connect(session, &McpSession::terminated, this, &SessionStore::handleTerminated);
    return session;
}

McpSession *SessionStore::find(const QString &id) const
{
    return m_sessions.value(id);
}

void SessionStore::setIdleTimeout(int milliseconds)
{
    m_idleTimeoutMs = qMax(0, milliseconds);
    if (m_idleTimeoutMs == 0) {
        m_expiry.stop();
        return;
    }
    // Checked a few times per timeout: an idle session lives at most ~1.25 timeouts.
    m_expiry.start(qBound(10, m_idleTimeoutMs / 4, 60 * 1000));
}

void SessionStore::expireIdleSessions()
{
    if (m_idleTimeoutMs == 0)
        return;
    const qint64 now = Clock::monotonicMs();
    const auto sessions = m_sessions.values();
    for (McpSession *session : sessions) {
        if (session->isIdleFor(m_idleTimeoutMs, now)) {
            qCInfo(lcSessions) << "session" << session->id().left(8) << "expired after"
                               << m_idleTimeoutMs << "ms without client activity";
            session->terminate(DisconnectCause::SessionExpired,
                               u"no client activity for %1 s"_s.arg(m_idleTimeoutMs / 1000.0));
        }
    }
}

void SessionStore::pingSessions()
{
    const qint64 now = Clock::monotonicMs();
    const auto sessions = m_sessions.values(); // an unresponsive one ends mid-walk
    for (McpSession *session : sessions)
        session->checkPing(now, m_context.config->pingIntervalMs, m_context.config->pingTimeoutMs);
}

void SessionStore::terminateAll(DisconnectCause cause, const QString &detail)
{
    const auto sessions = m_sessions.values() + m_stateless.values();
    for (McpSession *session : sessions)
        session->terminate(cause, detail);
}

void SessionStore::handleTerminated(const QString &id)
{
    if (McpSession *session = m_sessions.take(id)) {
        session->deleteLater();
        Q_EMIT sessionEnded(id);
    } else if (McpSession *stateless = m_stateless.take(id)) {
        stateless->deleteLater();
    }
}

} // namespace heartline
