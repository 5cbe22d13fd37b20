#include "server/tools/upstream/ssechannel.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSseChannel, "heartline.upstream.sse")

namespace {

constexpr int kQuotedErrorBytes = 4096;

} // namespace

SseChannel::SseChannel(const QUrl &url, const QHash<QString, QString> &headers,
                       qint64 maxMessageBytes, QObject *parent)
    : RemoteChannel(url, headers, parent)
    , m_maxMessageBytes(maxMessageBytes)
    , m_reader(maxMessageBytes)
{}

SseChannel::~SseChannel()
{
    abandonAll();
}

void SseChannel::open()
{
    if (m_state == State::Connecting || m_state == State::Open || m_state == State::Closing)
        return;
    if (!beginRun()) {
        m_state = State::Closed;
        return;
    }
    m_state = State::Connecting;
    m_endpoint.clear();
    m_errorBody.clear();
    m_reader = SseReader(m_maxMessageBytes);
    QNetworkRequest request = requestTo(url());
    request.setRawHeader("Accept", "text/event-stream");
    m_stream = network()->get(request);
    connect(m_stream, &QNetworkReply::readyRead, this, &SseChannel::handleStreamData);
    connect(m_stream, &QNetworkReply::finished, this, &SseChannel::handleStreamFinished);
}

void SseChannel::handleStreamData()
{
    const int status = RemoteHttp::status(m_stream);
    if (status / 100 != 2) {
        m_errorBody.append(m_stream->read(kQuotedErrorBytes - m_errorBody.size()));
        m_stream->readAll();
        return;
    }
    if (RemoteHttp::mediaType(m_stream) != "text/event-stream") {
        fail(u"the SSE url answered with Content-Type '%1', not an event stream"_s.arg(
            QString::fromLatin1(RemoteHttp::mediaType(m_stream))));
        return;
    }
    QList<SseReader::Event> events;
    const bool framed = m_reader.feed(m_stream->readAll(), &events);
    QPointer<SseChannel> self(this);
    for (const SseReader::Event &event : std::as_const(events)) {
        handleEvent(event.type, event.data);
        if (!self || (m_state != State::Connecting && m_state != State::Open))
            return;
    }
    if (!framed) {
        Q_EMIT protocolProblem(
            u"an SSE event passed %1 bytes; the stream was dropped"_s.arg(m_maxMessageBytes));
        if (self && (m_state == State::Connecting || m_state == State::Open))
            fail(u"an SSE event passed %1 bytes"_s.arg(m_maxMessageBytes));
    }
}

void SseChannel::handleEvent(const QByteArray &type, const QByteArray &data)
{
    if (type == "endpoint") {
        if (m_state != State::Connecting)
            return; // the endpoint is given once; a later one changes nothing
        const QUrl endpoint = url().resolved(QUrl(QString::fromUtf8(data.trimmed())));
        if (!RemoteHttp::sameOrigin(endpoint, url())) {
            fail(u"the endpoint event names another origin (%1); refused"_s.arg(
                endpoint.toDisplayString(QUrl::RemoveQuery)));
            return;
        }
        m_endpoint = endpoint;
        m_state = State::Open;
        qCDebug(lcSseChannel).noquote() << describe() << "posts to" << m_endpoint.path();
        Q_EMIT opened();
        return;
    }
    if (type != "message") {
        qCDebug(lcSseChannel) << "ignored an event of type" << type;
        return;
    }
    if (m_state != State::Open) {
        Q_EMIT protocolProblem(u"a message came before the endpoint event; it was dropped"_s);
        return;
    }
    QString problem;
    const QList<QJsonObject> messages = RemoteHttp::parseMessages(data, &problem);
    QPointer<SseChannel> self(this);
    if (!problem.isEmpty())
        Q_EMIT protocolProblem(problem);
    for (const QJsonObject &message : messages) {
        if (!self || m_state != State::Open)
            return;
        Q_EMIT messageReceived(message);
    }
}

void SseChannel::handleStreamFinished()
{
    QNetworkReply *stream = m_stream;
    const int status = RemoteHttp::status(stream);
    QString reason;
    if (status != 0 && status / 100 != 2) {
        m_errorBody.append(stream->read(kQuotedErrorBytes - m_errorBody.size()));
        reason = RemoteHttp::failure(stream, m_errorBody);
    } else {
        handleStreamData();
        if (m_state != State::Connecting && m_state != State::Open)
            return;
        if (stream->error() != QNetworkReply::NoError)
            reason = stream->errorString();
        else if (m_state == State::Connecting)
            reason = u"the SSE stream ended before its endpoint event"_s;
        else
            reason = u"the SSE stream ended"_s;
    }
    fail(reason);
}

void SseChannel::send(const QJsonObject &message)
{
    if (m_state != State::Open) {
        qCDebug(lcSseChannel) << "dropped a message sent while not open";
        return;
    }
    QNetworkRequest request = requestTo(m_endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply =
        network()->post(request, QJsonDocument(message).toJson(QJsonDocument::Compact));
    m_posts.append(reply);
    const QJsonValue id =
        RemoteHttp::isRequest(message) ? message.value("id"_L1) : QJsonValue(QJsonValue::Undefined);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, id]() { handlePostFinished(reply, id); });
}

void SseChannel::handlePostFinished(QNetworkReply *reply, const QJsonValue &id)
{
    m_posts.removeAll(reply);
    reply->deleteLater();
    const int status = RemoteHttp::status(reply);
    if (status / 100 == 2)
        return; // the answer comes on the stream
    const QString failure = RemoteHttp::failure(reply, reply->read(kQuotedErrorBytes));
    if (status == 404 || status == 0) {
        // The session is gone (its stream ended, or the server forgot it), or the server is.
        fail(status == 404 ? u"session expired (%1)"_s.arg(failure) : failure);
        return;
    }
    Q_EMIT protocolProblem(failure);
    if (!id.isUndefined() && m_state == State::Open)
        Q_EMIT messageReceived(RemoteHttp::errorResponse(id, failure));
}

void SseChannel::abandonAll()
{
    RemoteHttp::abandon(m_stream, this);
    m_stream = nullptr;
    const QList<QNetworkReply *> posts = m_posts;
    m_posts.clear();
    for (QNetworkReply *reply : posts)
        RemoteHttp::abandon(reply, this);
}

void SseChannel::fail(const QString &reason)
{
    qCDebug(lcSseChannel).noquote() << describe() << "closed:" << reason;
    abandonAll();
    m_state = State::Closed;
    Q_EMIT closed(reason, false);
}

void SseChannel::close()
{
    if (m_state != State::Connecting && m_state != State::Open)
        return;
    m_state = State::Closing;
    abandonAll();
    // The transport has no way to end a session but to leave: the server ends it with the stream.
    QTimer::singleShot(0, this, [this]() {
        if (m_state != State::Closing)
            return;
        m_state = State::Closed;
        Q_EMIT closed(u"closed"_s, true);
    });
}

} // namespace heartline
