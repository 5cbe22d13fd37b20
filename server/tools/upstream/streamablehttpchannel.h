#pragma once

#include "server/tools/upstream/remotechannel.h"
#include "server/tools/upstream/remotehttp.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

class QNetworkReply;

namespace heartline {

// The MCP Streamable HTTP client transport (2025-11-25, basic/transports), on its own
// QNetworkAccessManager and never blocking. Each message is one POST; an answer comes as JSON
// (one message or a batch), as an event stream, or as 202. The Mcp-Session-Id of the
// initialize answer and the protocolVersion of the initialize result (read as it passes
// through) go on every later request. After notifications/initialized the GET stream carries
// the server's own messages (405: it has none). A stream that ends before it delivered the
// responses it owes is resumed with GET + Last-Event-ID after the server's `retry`, a bounded
// number of times. 404 on a request with the session id means the session expired: closed()
// unexpectedly, so the supervisor starts a fresh one. close() sends DELETE.
//
// Only the configured headers are sent besides the transport's own: this layer has no
// downstream credentials to pass on, and nothing adds an Authorization header.
class StreamableHttpChannel final : public RemoteChannel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamableHttpChannel)

public:
    struct Options
    {
        qint64 maxMessageBytes = RemoteHttp::kMaxMessageBytes;
        // Reconnections of one stream in a row that failed before it is given up.
        int maxResumeAttempts = 5;
        int defaultRetryMs = 1000; // when the server sent no `retry:`
        int minRetryMs = 100;      // never a tighter loop than this, whatever `retry:` says
        int maxRetryMs = 30'000;   // a larger `retry:` is cut to this
        int deleteTimeoutMs = 5'000;
        // For HttpThenSse: a first POST answered 400, 404 or 405 emits
        // legacyTransportIndicated() instead of closed(), as the spec's backwards
        // compatibility section asks a client to try the legacy HTTP+SSE transport then.
        bool reportLegacyFallback = false;
    };

    StreamableHttpChannel(const QUrl &url, const QHash<QString, QString> &headers,
                          const Options &options, QObject *parent = nullptr);
    ~StreamableHttpChannel() override;

    void open() override;
    void send(const QJsonObject &message) override;
    void close() override;

    QByteArray sessionId() const { return m_sessionId; }
    QByteArray protocolVersion() const { return m_protocolVersion; }

Q_SIGNALS:
    // See Options::reportLegacyFallback. The channel is closed and emits nothing more.
    void legacyTransportIndicated(int status, const QString &failure);

private:
    class Stream;
    enum class State { Idle, Open, Closing, Closed };

    QNetworkRequest baseRequest() const;
    void post(const QJsonObject &message);
    void openStandaloneStream();
    void connectStream(Stream *stream, QNetworkReply *reply);
    void handleReadyRead(Stream *stream);
    void handleFinished(Stream *stream);
    void handleSuccess(Stream *stream);
    void handleHttpError(Stream *stream, int status);
    void handleEnd(Stream *stream);
    void noteHeaders(Stream *stream);
    // Delivers the messages of one JSON body or SSE event; false when the channel closed or
    // the stream was dropped meanwhile (whoever received a message may have closed us).
    bool deliver(Stream *stream, const QByteArray &body);
    void scheduleResume(Stream *stream);
    void reconnect(Stream *stream);
    // Answers what `stream` still owes with errors and forgets it.
    void giveUp(Stream *stream, const QString &why);
    void dropStream(Stream *stream);
    void dropAllStreams();
    void fail(const QString &reason);
    void finishClose();

    const Options m_options;
    State m_state = State::Idle;
    QByteArray m_sessionId;
    QByteArray m_protocolVersion;
    QJsonValue m_initializeId = QJsonValue::Undefined;
    bool m_posted = false; // a POST has been answered with success
    QList<Stream *> m_streams;
    QNetworkReply *m_delete = nullptr;
};

} // namespace heartline
