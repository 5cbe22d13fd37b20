#pragma once

#include "server/tools/upstream/upstreamchannel.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QUrl>

namespace heartline {

// A url without a type (UpstreamServerConfig::Transport::HttpThenSse), as the spec's
// backwards-compatibility section tells a client to reach a server of either generation:
// Streamable HTTP first; if the first POST (initialize) is answered 400, 404 or 405, the
// legacy HTTP+SSE transport at the same url, with the messages sent so far sent again once its
// endpoint is known. From then on it is that channel; the switch is a diagnosticLine().
//
// A wrapper rather than a mode of either channel, so that both stay exactly their transport.
class FallbackChannel final : public UpstreamChannel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FallbackChannel)

public:
    // Messages held for a possible replay; the client sends only initialize before it is
    // answered, so more means a client that does not wait.
    static constexpr int kMaxReplayedMessages = 64;

    FallbackChannel(const QUrl &url, const QHash<QString, QString> &headers,
                    QObject *parent = nullptr);
    ~FallbackChannel() override;

    void open() override;
    void send(const QJsonObject &message) override;
    void close() override;
    QString describe() const override;

    // False while Streamable HTTP is tried or kept; true once the legacy transport took over.
    bool usesLegacySse() const { return m_legacy; }

private:
    void adopt(UpstreamChannel *channel);
    void handleLegacyIndicated(int status, const QString &failure);
    void handleLegacyOpened();

    const QUrl m_url;
    const QHash<QString, QString> m_headers;
    QPointer<UpstreamChannel> m_current;
    bool m_running = false; // from open() to closed()
    bool m_legacy = false;
    bool m_decided = false;       // an answer came: the transport is settled
    bool m_legacyOpening = false; // the legacy stream is waiting for its endpoint
    QString m_streamableFailure;  // why Streamable HTTP was left, for a later closed()
    QList<QJsonObject> m_replay;  // sent before an answer came
};

} // namespace heartline
