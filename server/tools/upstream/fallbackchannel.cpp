#include "server/tools/upstream/fallbackchannel.h"

#include "server/tools/upstream/ssechannel.h"
#include "server/tools/upstream/streamablehttpchannel.h"

using namespace Qt::StringLiterals;

namespace heartline {

FallbackChannel::FallbackChannel(const QUrl &url, const QHash<QString, QString> &headers,
                                 QObject *parent)
    : UpstreamChannel(parent)
    , m_url(url)
    , m_headers(headers)
{}

FallbackChannel::~FallbackChannel() = default;

QString FallbackChannel::describe() const
{
    const QString url = m_current ? m_current->describe()
                                  : m_url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery
                                                          | QUrl::RemoveFragment);
    if (!m_legacy)
        return url;
    return url + u" (legacy SSE)"_s;
}

void FallbackChannel::adopt(UpstreamChannel *channel)
{
    if (m_current) {
        m_current->disconnect(this);
        m_current->deleteLater();
    }
    m_current = channel;
    connect(channel, &UpstreamChannel::messageReceived, this, [this](const QJsonObject &message) {
        m_decided = true;
        m_replay.clear();
        Q_EMIT messageReceived(message);
    });
    connect(channel, &UpstreamChannel::protocolProblem, this, &UpstreamChannel::protocolProblem);
    connect(channel, &UpstreamChannel::diagnosticLine, this, &UpstreamChannel::diagnosticLine);
    connect(channel, &UpstreamChannel::closed, this, [this](const QString &reason, bool expected) {
        m_legacyOpening = false;
        m_running = false;
        if (m_legacy && !m_decided && !expected && !m_streamableFailure.isEmpty()) {
            Q_EMIT closed(u"Streamable HTTP: %1; legacy SSE: %2"_s.arg(m_streamableFailure, reason),
                          false);
            return;
        }
        Q_EMIT closed(reason, expected);
    });
}

void FallbackChannel::open()
{
    if (m_running)
        return;
    m_running = true;
    m_legacy = false;
    m_decided = false;
    m_legacyOpening = false;
    m_streamableFailure.clear();
    m_replay.clear();
    StreamableHttpChannel::Options options;
    options.reportLegacyFallback = true;
    auto *streamable = new StreamableHttpChannel(m_url, m_headers, options, this);
    adopt(streamable);
    connect(streamable, &UpstreamChannel::opened, this, &UpstreamChannel::opened);
    connect(streamable, &StreamableHttpChannel::legacyTransportIndicated, this,
            &FallbackChannel::handleLegacyIndicated);
    streamable->open();
}

void FallbackChannel::handleLegacyIndicated(int status, const QString &failure)
{
    m_streamableFailure = failure;
    Q_EMIT diagnosticLine(u"initialize was answered HTTP %1: trying the legacy HTTP+SSE "
                          "transport"_s.arg(status));
    m_legacy = true;
    m_legacyOpening = true;
    auto *legacy = new SseChannel(m_url, m_headers, RemoteHttp::kMaxMessageBytes, this);
    adopt(legacy);
    // The client saw opened() already: the legacy one only releases what it sent meanwhile.
    connect(legacy, &UpstreamChannel::opened, this, &FallbackChannel::handleLegacyOpened);
    legacy->open();
}

void FallbackChannel::handleLegacyOpened()
{
    m_legacyOpening = false;
    const QList<QJsonObject> replay = m_replay;
    QPointer<UpstreamChannel> current = m_current;
    for (const QJsonObject &message : replay) {
        if (!current)
            return;
        current->send(message);
    }
}

void FallbackChannel::send(const QJsonObject &message)
{
    if (!m_current)
        return;
    if (!m_decided) {
        if (m_replay.size() >= kMaxReplayedMessages) {
            Q_EMIT protocolProblem(
                u"more than %1 messages sent before the upstream answered; "
                "this one is not kept for the legacy transport"_s.arg(kMaxReplayedMessages));
        } else {
            m_replay.append(message);
        }
    }
    if (!m_legacyOpening)
        m_current->send(message);
}

void FallbackChannel::close()
{
    if (m_current)
        m_current->close();
}

} // namespace heartline
