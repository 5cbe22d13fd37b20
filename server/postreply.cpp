#include "postreply.h"

#include "mcpsession.h"
#include "ssestream.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

PostReply::PostReply(std::unique_ptr<HttpExchange> exchange, McpSession *session,
                     const QList<RequestId> &expected, bool batch, const HttpHeaders &headers,
                     QObject *parent)
    : QObject(parent)
    , m_exchange(std::move(exchange))
    , m_session(session)
    , m_outstanding(expected.cbegin(), expected.cend())
    , m_headers(headers)
    , m_batch(batch)
{
    m_exchange->setParent(nullptr);
    // The client gave up on the POST before we decided how to answer. The work goes on
    // (a dropped connection is not a cancellation); there is just nowhere to answer.
    connect(m_exchange.get(), &HttpExchange::disconnected, this, [this]() {
        if (!m_stream)
            complete();
    });
}

PostReply::~PostReply() = default;

QString PostReply::streamId() const
{
    return m_stream ? m_stream->id() : QString();
}

void PostReply::start(int graceMs)
{
    if (m_done || m_stream)
        return;
    QTimer::singleShot(qMax(0, graceMs), this, [this]() {
        if (!m_done && !m_stream)
            switchToStream();
    });
}

void PostReply::deliver(const OutgoingMessage &message, const QByteArray &bytes)
{
    if (m_done)
        return;
    if (message.isFinalResponse)
        m_outstanding.remove(message.relatedTo);

    if (!m_stream) {
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
    if (m_done || !m_outstanding.remove(id))
        return;
    if (m_outstanding.isEmpty() && !m_stream && m_collected.isEmpty()) {
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
    const QSet<RequestId> unanswered = std::exchange(m_outstanding, {});
    for (const RequestId &id : unanswered) {
        const QByteArray error =
            JsonRpc::serialize(JsonRpc::error(id, JsonRpcCode::ServerError, reason));
        if (m_stream)
            sendOnStream(error);
        else
            m_collected.append(error);
    }
    if (m_stream) {
        m_stream->close(cause, reason);
        complete();
    } else {
        writeJson();
    }
}

void PostReply::completeIfNothingOwed()
{
    if (m_done || !m_outstanding.isEmpty())
        return;
    if (m_stream) {
        m_stream->finish();
        complete();
    } else {
        writeJson();
    }
}

void PostReply::switchToStream()
{
    if (!m_session) {
        complete();
        return;
    }
    const QString streamId = m_session->newStreamId(StreamKind::PostResponse);
    auto *stream = new SseStream(streamId, m_session->id(), StreamKind::PostResponse,
                                 std::move(m_exchange), m_session);
    m_stream = stream;
    connect(stream, &SseStream::ended, this,
            [this](SseStream *, const StreamEnd &) { complete(); });
    if (!stream->open(m_headers))
        return;
    m_session->adoptStream(stream);
    m_session->primeStream(stream);
    const QList<QByteArray> collected = std::exchange(m_collected, {});
    for (const QByteArray &bytes : collected)
        sendOnStream(bytes);
}

void PostReply::sendOnStream(const QByteArray &bytes)
{
    if (!m_stream || !m_session)
        return;
    SseEvent event;
    event.id = m_session->nextEventId(m_stream->id());
    event.data = bytes;
    m_stream->sendEvent(event);
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
    m_exchange->sendReply({200, headers, body});
    complete();
}

void PostReply::complete()
{
    if (m_done)
        return;
    m_done = true;
    Q_EMIT done(this);
    deleteLater();
}

} // namespace heartline
