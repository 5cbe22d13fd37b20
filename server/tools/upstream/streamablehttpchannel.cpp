#include "server/tools/upstream/streamablehttpchannel.h"

#include "server/tools/upstream/ssereader.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcStreamableChannel, "heartline.upstream.http")

namespace {

constexpr int kQuotedErrorBytes = 4096; // of an error body, kept for the problem line

} // namespace

// One logical stream: the answer to a POST, the GET stream for the server's own messages, or
// a POST's stream resumed with GET. It outlives its connections (a resumption reconnects it)
// and is deleted later, so a handler on the stack never holds a dangling pointer.
class StreamableHttpChannel::Stream final : public QObject
{
public:
    enum class Kind { Post, Standalone };

    Stream(Kind streamKind, qint64 maxEventBytes, QObject *parent)
        : QObject(parent)
        , kind(streamKind)
        , reader(maxEventBytes)
    {}

    const Kind kind;
    QNetworkReply *reply = nullptr;
    SseReader reader;
    QByteArray body;        // a JSON answer, or the start of an error body
    QList<QJsonValue> owed; // ids of the requests whose responses this stream carries
    QByteArray lastEventId;
    int retryMs = -1;
    int attempts = 0; // reconnections in a row that failed (POST streams: without an event)
    bool withSession = false;
    bool headersNoted = false;
    bool dropped = false;
    bool initializes = false; // carries the initialize request
    bool initialized = false; // carries notifications/initialized
};

StreamableHttpChannel::StreamableHttpChannel(const QUrl &url,
                                             const QHash<QString, QString> &headers,
                                             const Options &options, QObject *parent)
    : RemoteChannel(url, headers, parent)
    , m_options(options)
{}

StreamableHttpChannel::~StreamableHttpChannel()
{
    // Replies belong to the manager, a child: silence them before it deletes them.
    for (Stream *stream : std::as_const(m_streams))
        RemoteHttp::abandon(stream->reply, this);
    RemoteHttp::abandon(m_delete, this);
}

void StreamableHttpChannel::open()
{
    if (m_state == State::Open || m_state == State::Closing)
        return;
    if (!beginRun()) {
        m_state = State::Closed;
        return;
    }
    m_state = State::Open;
    m_sessionId.clear();
    m_protocolVersion.clear();
    m_initializeId = QJsonValue::Undefined;
    m_posted = false;
    // Nothing to connect before the first POST; opened() still comes from the event loop.
    QTimer::singleShot(0, this, [this, run = currentRun()]() {
        if (isCurrentRun(run) && m_state == State::Open)
            Q_EMIT opened();
    });
}

QNetworkRequest StreamableHttpChannel::baseRequest() const
{
    QNetworkRequest request = requestTo(url());
    if (!m_sessionId.isEmpty())
        request.setRawHeader("Mcp-Session-Id", m_sessionId);
    if (!m_protocolVersion.isEmpty())
        request.setRawHeader("MCP-Protocol-Version", m_protocolVersion);
    return request;
}

void StreamableHttpChannel::send(const QJsonObject &message)
{
    if (m_state != State::Open) {
        qCDebug(lcStreamableChannel) << "dropped a message sent while not open";
        return;
    }
    post(message);
}

void StreamableHttpChannel::post(const QJsonObject &message)
{
    const QString method = message.value("method"_L1).toString();
    auto *stream = new Stream(Stream::Kind::Post, m_options.maxMessageBytes, this);
    if (RemoteHttp::isRequest(message)) {
        stream->owed.append(message.value("id"_L1));
        if (method == "initialize"_L1) {
            stream->initializes = true;
            m_initializeId = message.value("id"_L1);
        }
    }
    stream->initialized = method == "notifications/initialized"_L1;
    stream->withSession = !m_sessionId.isEmpty();
    QNetworkRequest request = baseRequest();
    request.setRawHeader("Accept", "application/json, text/event-stream");
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    m_streams.append(stream);
    connectStream(stream,
                  network()->post(request, QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void StreamableHttpChannel::openStandaloneStream()
{
    auto *stream = new Stream(Stream::Kind::Standalone, m_options.maxMessageBytes, this);
    m_streams.append(stream);
    reconnect(stream);
}

void StreamableHttpChannel::reconnect(Stream *stream)
{
    if (m_state != State::Open || stream->dropped)
        return;
    QNetworkRequest request = baseRequest();
    request.setRawHeader("Accept", "text/event-stream");
    if (!stream->lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", stream->lastEventId);
    stream->withSession = !m_sessionId.isEmpty();
    stream->reader = SseReader(m_options.maxMessageBytes);
    stream->body.clear();
    stream->headersNoted = false;
    connectStream(stream, network()->get(request));
}

void StreamableHttpChannel::connectStream(Stream *stream, QNetworkReply *reply)
{
    stream->reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, stream]() { handleReadyRead(stream); });
    connect(reply, &QNetworkReply::finished, this, [this, stream]() { handleFinished(stream); });
}

void StreamableHttpChannel::noteHeaders(Stream *stream)
{
    if (stream->headersNoted)
        return;
    stream->headersNoted = true;
    // A server may end its GET stream now and then and expect the client back (polling): a
    // stream it accepted again is no failure. Resumptions of a POST count until an event.
    if (stream->kind == Stream::Kind::Standalone && RemoteHttp::status(stream->reply) / 100 == 2)
        stream->attempts = 0;
    const QByteArray sessionId = stream->reply->rawHeader("Mcp-Session-Id");
    if (stream->initializes && !sessionId.isEmpty() && RemoteHttp::status(stream->reply) / 100 == 2)
        m_sessionId = sessionId;
}

void StreamableHttpChannel::handleReadyRead(Stream *stream)
{
    QNetworkReply *reply = stream->reply;
    noteHeaders(stream);
    const int status = RemoteHttp::status(reply);
    if (status / 100 != 2) {
        stream->body.append(reply->read(kQuotedErrorBytes - stream->body.size()));
        reply->readAll(); // the rest is not worth keeping
        return;
    }
    if (RemoteHttp::mediaType(reply) != "text/event-stream") {
        stream->body.append(reply->readAll());
        if (stream->body.size() > m_options.maxMessageBytes) {
            Q_EMIT protocolProblem(
                u"a JSON answer passed %1 bytes; it was dropped"_s.arg(m_options.maxMessageBytes));
            giveUp(stream, u"the upstream's answer was too large"_s);
        }
        return;
    }
    QList<SseReader::Event> events;
    const bool framed = stream->reader.feed(reply->readAll(), &events);
    QPointer<StreamableHttpChannel> self(this);
    for (const SseReader::Event &event : std::as_const(events)) {
        if (!event.id.isEmpty()) // a resumed connection may not repeat the cursor
            stream->lastEventId = event.id;
        stream->attempts = 0;
        if (!event.data.isEmpty() && !deliver(stream, event.data))
            return;
    }
    if (stream->reader.hasLastEventId())
        stream->lastEventId = stream->reader.lastEventId();
    if (stream->reader.retryMs() >= 0)
        stream->retryMs = stream->reader.retryMs();
    if (!framed) {
        Q_EMIT protocolProblem(u"an SSE event passed %1 bytes; the stream was dropped"_s.arg(
            m_options.maxMessageBytes));
        if (self && !stream->dropped)
            giveUp(stream, u"the upstream's event was too large"_s);
    }
}

bool StreamableHttpChannel::deliver(Stream *stream, const QByteArray &body)
{
    QString problem;
    const QList<QJsonObject> messages = RemoteHttp::parseMessages(body, &problem);
    QPointer<StreamableHttpChannel> self(this);
    if (!problem.isEmpty())
        Q_EMIT protocolProblem(problem);
    for (const QJsonObject &message : messages) {
        if (!self || m_state != State::Open || stream->dropped)
            return false;
        if (RemoteHttp::isResponse(message)) {
            const QJsonValue id = message.value("id"_L1);
            stream->owed.removeAll(id);
            if (!m_initializeId.isUndefined() && id == m_initializeId) {
                // The revision the server chose goes on every later request.
                const QString version =
                    message.value("result"_L1).toObject().value("protocolVersion"_L1).toString();
                m_protocolVersion = version.toUtf8();
                m_initializeId = QJsonValue::Undefined;
            }
        }
        Q_EMIT messageReceived(message);
    }
    return self && m_state == State::Open && !stream->dropped;
}

void StreamableHttpChannel::handleFinished(Stream *stream)
{
    QNetworkReply *reply = stream->reply;
    reply->deleteLater();
    QPointer<StreamableHttpChannel> self(this);
    const auto goesOn = [&self, this, stream]() {
        return self && m_state == State::Open && !stream->dropped;
    };
    noteHeaders(stream);
    const int status = RemoteHttp::status(reply);
    if (status != 0 && status / 100 != 2) {
        handleReadyRead(stream);
        if (goesOn())
            handleHttpError(stream, status);
    } else if (status != 0) {
        handleReadyRead(stream);
        if (goesOn()) {
            // A 2xx whose connection broke is a stream that ended early.
            if (reply->error() == QNetworkReply::NoError)
                handleSuccess(stream);
            else
                handleEnd(stream);
        }
    } else if (stream->kind == Stream::Kind::Post && stream->lastEventId.isEmpty()) {
        // A POST without any HTTP answer (refused, reset, timed out): the server is gone.
        fail(reply->errorString());
    } else {
        handleEnd(stream); // a GET stream's connection failed: try again, a bounded number
    }
    if (goesOn())
        stream->reply = nullptr;
}

void StreamableHttpChannel::handleSuccess(Stream *stream)
{
    QNetworkReply *reply = stream->reply;
    const int status = RemoteHttp::status(reply);
    const QByteArray mediaType = RemoteHttp::mediaType(reply);
    if (stream->kind == Stream::Kind::Post)
        m_posted = true;
    if (status != 202 && mediaType == "application/json" && !deliver(stream, stream->body))
        return;
    if (status != 202 && mediaType != "application/json" && mediaType != "text/event-stream"
        && !stream->owed.isEmpty()) {
        Q_EMIT protocolProblem(
            u"the upstream answered with Content-Type '%1'"_s.arg(QString::fromLatin1(mediaType)));
    }
    if (stream->initialized) {
        stream->initialized = false;
        openStandaloneStream();
    }
    if (mediaType == "text/event-stream") {
        handleEnd(stream);
        return;
    }
    if (!stream->owed.isEmpty()) {
        giveUp(stream, u"the upstream answered HTTP %1 without a response"_s.arg(status));
        return;
    }
    dropStream(stream);
}

void StreamableHttpChannel::handleHttpError(Stream *stream, int status)
{
    const QString failure = RemoteHttp::failure(stream->reply, stream->body);
    if (status == 404 && stream->withSession) {
        fail(u"session expired (%1)"_s.arg(failure));
        return;
    }
    if (stream->kind == Stream::Kind::Standalone) {
        if (status == 405) {
            Q_EMIT diagnosticLine(u"the upstream offers no stream of its own messages (GET "
                                  "answered 405)"_s);
        } else {
            Q_EMIT protocolProblem(u"the GET stream was refused: %1"_s.arg(failure));
        }
        dropStream(stream);
        return;
    }
    if (!m_posted && stream->initializes && m_options.reportLegacyFallback
        && (status == 400 || status == 404 || status == 405)) {
        dropAllStreams();
        m_state = State::Closed;
        Q_EMIT legacyTransportIndicated(status, failure);
        return;
    }
    if (!m_posted || status == 401 || status == 403) {
        fail(failure);
        return;
    }
    // One request refused: the channel goes on. A JSON-RPC error for it is passed on as it is,
    // otherwise the request is answered with the failure.
    Q_EMIT protocolProblem(failure);
    if (stream->dropped || m_state != State::Open)
        return;
    QString notJson;
    const QList<QJsonObject> messages = RemoteHttp::parseMessages(stream->body, &notJson);
    if (notJson.isEmpty() && messages.size() == 1 && messages.first().contains("error"_L1)
        && stream->owed.contains(messages.first().value("id"_L1))) {
        if (!deliver(stream, stream->body))
            return;
    }
    giveUp(stream, failure);
}

void StreamableHttpChannel::handleEnd(Stream *stream)
{
    if (stream->kind == Stream::Kind::Post && stream->owed.isEmpty()) {
        dropStream(stream);
        return;
    }
    if (stream->kind == Stream::Kind::Standalone || !stream->lastEventId.isEmpty()) {
        scheduleResume(stream);
        return;
    }
    const QString why = stream->reply->error() != QNetworkReply::NoError
                            ? stream->reply->errorString()
                            : u"the stream ended"_s;
    if (!m_posted) {
        fail(why);
        return;
    }
    giveUp(stream, u"%1 before the response, with no event id to resume from"_s.arg(why));
}

void StreamableHttpChannel::scheduleResume(Stream *stream)
{
    if (++stream->attempts > m_options.maxResumeAttempts) {
        const QString why =
            u"the stream could not be resumed after %1 attempts"_s.arg(m_options.maxResumeAttempts);
        if (stream->kind == Stream::Kind::Standalone) {
            Q_EMIT diagnosticLine(u"GET stream: %1"_s.arg(why));
            dropStream(stream);
        } else {
            giveUp(stream, why);
        }
        return;
    }
    const int delay = qBound(m_options.minRetryMs,
                             stream->retryMs >= 0 ? stream->retryMs : m_options.defaultRetryMs,
                             m_options.maxRetryMs);
    qCDebug(lcStreamableChannel) << "resuming a stream after" << delay << "ms from event"
                                 << stream->lastEventId;
    QTimer::singleShot(delay, stream, [this, stream]() { reconnect(stream); });
}

void StreamableHttpChannel::giveUp(Stream *stream, const QString &why)
{
    const QList<QJsonValue> owed = stream->owed;
    dropStream(stream);
    QPointer<StreamableHttpChannel> self(this);
    for (const QJsonValue &id : owed) {
        if (!self || m_state != State::Open)
            return;
        Q_EMIT messageReceived(RemoteHttp::errorResponse(id, why));
    }
}

void StreamableHttpChannel::dropStream(Stream *stream)
{
    if (stream->dropped)
        return;
    stream->dropped = true;
    RemoteHttp::abandon(stream->reply, this);
    stream->reply = nullptr;
    m_streams.removeAll(stream);
    stream->deleteLater();
}

void StreamableHttpChannel::dropAllStreams()
{
    const QList<Stream *> streams = m_streams;
    for (Stream *stream : streams)
        dropStream(stream);
}

void StreamableHttpChannel::fail(const QString &reason)
{
    qCDebug(lcStreamableChannel).noquote() << describe() << "closed:" << reason;
    dropAllStreams();
    m_state = State::Closed;
    Q_EMIT closed(reason, false);
}

void StreamableHttpChannel::close()
{
    if (m_state != State::Open)
        return;
    m_state = State::Closing;
    dropAllStreams();
    if (m_sessionId.isEmpty()) {
        QTimer::singleShot(0, this, &StreamableHttpChannel::finishClose);
        return;
    }
    QNetworkRequest request = baseRequest();
    request.setTransferTimeout(m_options.deleteTimeoutMs);
    m_delete = network()->deleteResource(request);
    connect(m_delete, &QNetworkReply::finished, this, [this]() {
        const int status = RemoteHttp::status(m_delete);
        // 405: the server does not let clients end sessions; it will expire it.
        if (status / 100 != 2 && status != 405)
            Q_EMIT diagnosticLine(u"DELETE of the session: %1"_s.arg(
                RemoteHttp::failure(m_delete, m_delete->read(kQuotedErrorBytes))));
        m_delete->deleteLater();
        m_delete = nullptr;
        finishClose();
    });
}

void StreamableHttpChannel::finishClose()
{
    if (m_state != State::Closing)
        return;
    m_state = State::Closed;
    m_sessionId.clear();
    m_protocolVersion.clear();
    Q_EMIT closed(u"closed"_s, true);
}

} // namespace heartline
