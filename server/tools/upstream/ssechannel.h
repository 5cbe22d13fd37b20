#pragma once

#include "server/tools/upstream/remotechannel.h"
#include "server/tools/upstream/remotehttp.h"
#include "server/tools/upstream/ssereader.h"

#include <QList>
#include <QString>

class QNetworkReply;

namespace heartline {

// The legacy HTTP+SSE client transport of MCP 2024-11-05, on its own QNetworkAccessManager:
// GET the SSE URL and wait for its `endpoint` event (resolved against the URL, and refused
// unless it is the same origin), then opened(); each message is POSTed to that endpoint and
// every answer arrives as a `message` event on the one stream. The stream ending ends the
// channel (closed(reason, false)): the transport has no resumption.
//
// Only the configured headers are sent besides the transport's own.
class SseChannel final : public RemoteChannel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SseChannel)

public:
    SseChannel(const QUrl &url, const QHash<QString, QString> &headers,
               qint64 maxMessageBytes = RemoteHttp::kMaxMessageBytes, QObject *parent = nullptr);
    ~SseChannel() override;

    void open() override;
    void send(const QJsonObject &message) override;
    void close() override;

    // Where messages are POSTed; empty until the endpoint event came.
    QUrl endpoint() const { return m_endpoint; }

private:
    enum class State { Idle, Connecting, Open, Closing, Closed };

    void handleStreamData();
    void handleStreamFinished();
    void handleEvent(const QByteArray &type, const QByteArray &data);
    void handlePostFinished(QNetworkReply *reply, const QJsonValue &id);
    void abandonAll();
    void fail(const QString &reason);

    const qint64 m_maxMessageBytes;
    State m_state = State::Idle;
    QNetworkReply *m_stream = nullptr;
    SseReader m_reader;
    QByteArray m_errorBody;
    QUrl m_endpoint;
    QList<QNetworkReply *> m_posts;
};

} // namespace heartline
