#include "server/stream/postreply.h"

#include "server/protocol/session/requestmetadata.h"
#include "server/stream/ssestream.h"
#include "server/stream/streamhost.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

PostReply::PostReply(QHttpServerResponder &&responder, StreamHost *session,
                     const QList<RequestId> &expected, bool batch, const HttpHeaders &headers,
                     QObject *parent)
    : QObject(parent)
    , m_responder(std::move(responder))
    , m_session(session)
    , m_outstanding(expected.cbegin(), expected.cend())
    , m_headers(headers)
    , m_batch(batch)
{}

PostReply::~PostReply() = default;

HttpExchange *PostReply::exchange()
{
    if (m_exchange || !m_responder)
        return m_exchange.get();
    // Most POSTs are answered before start(), inside the route handler, and never get here:
    // an exchange (a QObject, three connections) per call was measurable in the echo profile.
    m_exchange = std::make_unique<HttpExchange>(std::move(*m_responder));
    m_responder.reset();
    // The client gave up on the POST before we decided how to answer. The work goes on
    // (a dropped connection is not a cancellation); there is just nowhere to answer, and no
    // event id was handed out that a client could resume from.
    // For a stateless session it is the client's cancellation (2026-07-28), which the
    // session carries out as this reply completes.
    connect(m_exchange.get(), &HttpExchange::disconnected, this, [this]() {
        if (m_mode == Mode::Undecided)
            complete();
    });
    return m_exchange.get();
}

void PostReply::start(int graceMs)
{
    if (m_done || m_mode != Mode::Undecided)
        return;
    // From here on the answer waits past the route handler: watch the connection.
    exchange();
    if (m_done)
        return;
    QTimer::singleShot(qMax(0, graceMs), this, [this]() {
        if (!m_done && m_mode == Mode::Undecided)
            switchToStream();
    });
}

void PostReply::deliver(const OutgoingMessage &message, const QByteArray &bytes)
{
    if (m_done)
        return;
    if (message.isFinalResponse) {
        m_outstanding.erase(message.relatedTo);
        if (message.json.contains("error"_L1)) {
            m_errorCode = message.json.value("error"_L1).toObject().value("code"_L1).toInt();
            // A well-formed request that failed (an unknown tool, say) stays a 200, as in the
            // SDKs; only a malformed one is a 400.
            if (m_errorCode == int(JsonRpcCode::InvalidParams) && !message.malformedRequest)
                m_errorCode = 0;
        }
    }

    if (m_mode == Mode::Undecided) {
        if (message.isFinalResponse) {
            m_collected.append(bytes);
            completeIfNothingOwed();
            return;
        }
        // Progress or a log before the response: only a stream keeps them in order.
        switchToStream();
        if (m_done)
            return;
    }
    sendOnStream(bytes);
    completeIfNothingOwed();
}

void PostReply::forget(const RequestId &id)
{
    if (m_done || m_outstanding.erase(id) == 0)
        return;
    if (m_outstanding.empty() && m_mode == Mode::Undecided && m_collected.isEmpty()) {
        // Nothing at all to say, and a POST that carried a request cannot answer 202:
        // an event stream that ends at once is the empty answer.
        switchToStream();
    }
    completeIfNothingOwed();
}

void PostReply::abandon(DisconnectCause cause, const QString &reason)
{
    if (m_done)
        return;
    const auto unanswered = std::exchange(m_outstanding, {});
    for (const RequestId &id : unanswered) {
        const QByteArray error =
            JsonRpc::serialize(JsonRpc::error(id, JsonRpcCode::ServerError, reason));
        if (m_mode == Mode::Undecided)
            m_collected.append(error);
        else
            sendOnStream(error);
    }
    if (m_mode == Mode::Undecided) {
        writeJson();
        return;
    }
    if (m_stream)
        m_stream->close(cause, reason);
    complete();
}

void PostReply::resume(SseStream *stream)
{
    if (m_done)
        return;
    if (m_stream && m_stream != stream)
        m_stream->close(DisconnectCause::StreamReplaced,
                        u"the client resumed this stream on a new connection"_s);
    attach(stream);
}

void PostReply::closeEarly()
{
    if (m_done || m_outstanding.empty())
        return;
    if (m_mode == Mode::Undecided) {
        switchToStream();
        if (m_done)
            return;
    }
    closeForPolling();
}

void PostReply::completeIfNothingOwed()
{
    if (m_done || !m_outstanding.empty())
        return;
    switch (m_mode) {
    case Mode::Undecided:
        writeJson();
        return;
    case Mode::Streaming:
        if (m_stream)
            m_stream->finish();
        break;
    case Mode::Detached:
        // Everything is in the EventLog; a client that resumes gets it from there.
        break;
    }
    complete();
}

QStringList PostReply::requestIds() const
{
    QStringList ids;
    for (const RequestId &id : m_outstanding)
        ids.append(id.display());
    ids.sort();
    return ids;
}

void PostReply::switchToStream()
{
    if (!m_session) {
        complete();
        return;
    }
    m_streamId = m_session->newStreamId(StreamKind::PostResponse);
    m_session->registerStream(this, m_streamId);
    exchange();
    auto *stream = new SseStream(m_streamId, m_session->sessionId(), StreamKind::PostResponse,
                                 std::move(m_exchange), m_session);
    if (!stream->open(m_headers)) {
        complete();
        return;
    }
    m_session->adoptStream(stream);
    attach(stream);
    m_session->primeStream(stream);
    const QList<QByteArray> collected = std::exchange(m_collected, {});
    for (const QByteArray &bytes : collected)
        sendOnStream(bytes);
    const int pollAfter = m_session->pollCloseAfterMs();
    if (pollAfter > 0) {
        // Made only for a reply that streams: most replies are one JSON answer, and a timer
        // object per call was measurable in the echo call's profile.
        m_pollClose = std::make_unique<QTimer>();
        m_pollClose->setSingleShot(true);
        connect(m_pollClose.get(), &QTimer::timeout, this, &PostReply::closeForPolling);
        m_pollClose->start(pollAfter);
    }
}

void PostReply::attach(SseStream *stream)
{
    m_stream = stream;
    m_mode = Mode::Streaming;
    connect(stream, &SseStream::ended, this, &PostReply::handleStreamEnded);
}

void PostReply::handleStreamEnded(SseStream *stream, const StreamEnd &end)
{
    Q_UNUSED(end);
    if (stream != m_stream)
        return; // a replaced connection
    m_stream.clear();
    if (m_done)
        return;
    // 2026-07-28: closing the stream is the cancellation (MUST); the session ends the work.
    if (m_outstanding.empty() || (m_session && m_session->isStateless())) {
        complete();
        return;
    }
    // Not a cancellation (MCP before 2026-07-28): the work goes on, and what it says waits
    // in the EventLog.
    m_mode = Mode::Detached;
}

void PostReply::sendOnStream(const QByteArray &bytes)
{
    if (!m_session)
        return;
    // Every message gets its id and its place in the log, connected or not.
    const QByteArray id = m_session->recordEvent(m_streamId, bytes);
    if (!m_stream)
        return;
    SseEvent event;
    event.id = id;
    event.data = bytes;
    m_stream->sendEvent(event);
}

void PostReply::closeForPolling()
{
    // SEP-1699: the server may end the connection early once the client has an event id,
    // after telling it (retry) when to come back; the stream itself goes on.
    if (m_done || m_outstanding.empty() || !m_stream)
        return;
    m_stream->close(DisconnectCause::PollClose,
                    u"closed early so the client polls; resume with Last-Event-ID"_s);
}

void PostReply::writeJson()
{
    QByteArray body;
    if (m_batch) {
        body = "[";
        for (qsizetype i = 0; i < m_collected.size(); ++i) {
            if (i > 0)
                body += ',';
            body += m_collected.at(i);
        }
        body += "]";
    } else {
        body = m_collected.value(0);
    }
    HttpHeaders headers = m_headers;
    headers.push_back({"Content-Type", "application/json"});
    const int status = !m_batch && m_errorCode != 0 && m_session && m_session->isStateless()
                           ? RequestMetadata::httpStatusFor(m_errorCode)
                           : 200;
    if (m_exchange)
        m_exchange->sendReply({status, headers, body});
    else if (m_responder)
        HttpExchange::reply(*m_responder, {status, headers, body});
    complete();
}

void PostReply::complete()
{
    if (m_done)
        return;
    m_done = true;
    if (m_pollClose)
        m_pollClose->stop();
    if (m_session)
        m_session->replyFinished(this);
    deleteLater();
}

} // namespace heartline
