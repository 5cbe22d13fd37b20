#include "sessionstore.h"

#include "clock.h"
#include "mcpsession.h"

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
    setIdleTimeout(context.config->sessionIdleTimeoutMs);
}

SessionStore::~SessionStore()
{
    const auto sessions = m_sessions;
    m_sessions.clear();
    qDeleteAll(sessions);
}

QString SessionStore::newSessionId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

McpSession *SessionStore::create(TransportKind transport, const QString &peer)
{
    QString id;
    do {
        id = newSessionId();
    } while (m_sessions.contains(id));
    auto *session = new McpSession(id, transport, peer, m_context, this);
    m_sessions.insert(id, session);
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

void SessionStore::terminateAll(DisconnectCause cause, const QString &detail)
{
    const auto sessions = m_sessions.values();
    for (McpSession *session : sessions)
        session->terminate(cause, detail);
}

void SessionStore::handleTerminated(const QString &id)
{
    if (McpSession *session = m_sessions.take(id))
        session->deleteLater();
}

} // namespace heartline
