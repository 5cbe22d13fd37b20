#pragma once

#include "server/api/disconnectcause.h"
#include "server/protocol/session/session.h"
#include "server/protocol/wire/jsonrpc.h"
#include "server/qt64/httpexchange.h"

#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>
#include <unordered_set>

namespace heartline {

class StreamHost;
class SseStream;
struct StreamEnd;

// The adaptive answer to one POST that carried requests (DESIGN.md, "Adaptive replies"):
// if every response is ready within the grace period and nothing else needs saying, it is
// sent as application/json; otherwise the reply turns into an SSE stream (priming event,
// heartbeats, progress and logs in order) that ends after the last response.
//
// A stream is a logical thing that outlives its connection: when the connection breaks (a
// proxy, a flaky network, or our own poll close), the reply carries on detached, every
// message still gets its event id and goes into the session's EventLog, and a GET with
// Last-Event-ID attaches a new connection that receives what was missed, then the rest.
//
// For a stateless (2026-07-28) session none of that applies: its stream is the request, so
// losing the connection cancels the request, and an error answered before any streaming
// carries the HTTP status the spec gives it (400, 404) instead of 200.
class PostReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PostReply)

public:
    enum class Mode { Undecided, Streaming, Detached };

    PostReply(QHttpServerResponder &&responder, StreamHost *session,
              const QList<RequestId> &expected, bool batch, const HttpHeaders &headers,
              QObject *parent = nullptr);
    ~PostReply() override;

    void start(int graceMs);
    void deliver(const OutgoingMessage &message, const QByteArray &bytes);
    // The client cancelled one of the requests: it gets no response (MCP), but the POST
    // still has to end once nothing else is owed.
    void forget(const RequestId &id);
    // The session ended with requests of this POST unanswered: answer each with an error
    // saying why, so no client waits forever on a reply that cannot come, then end the
    // stream with `cause`.
    void abandon(DisconnectCause cause, const QString &reason);
    // A client resumed this reply's stream on a new connection (events already replayed).
    void resume(SseStream *stream);
    // Ends the connection now, as the poll close would, once the client holds an event id to
    // resume from (becoming a stream first if it was still undecided). The caller checks
    // that the revision allows it.
    void closeEarly();

    Mode mode() const { return m_mode; }
    bool isDone() const { return m_done; }
    bool owesResponses() const { return !m_outstanding.empty(); }
    // The requests it still owes an answer, display form, sorted.
    QStringList requestIds() const;
    // The logical stream id (empty until the reply became a stream).
    const QString &streamId() const { return m_streamId; }
    SseStream *connection() const { return m_stream; }

private:
    // The exchange that watches the connection, made when the answer has to wait (start) or
    // stream; an answer the session gave while the POST was being read goes out on the
    // responder directly.
    HttpExchange *exchange();
    void switchToStream();
    void attach(SseStream *stream);
    void handleStreamEnded(SseStream *stream, const StreamEnd &end);
    void sendOnStream(const QByteArray &bytes);
    void writeJson();
    void completeIfNothingOwed();
    void closeForPolling();
    void complete();

    std::optional<QHttpServerResponder> m_responder; // until the exchange takes it
    std::unique_ptr<HttpExchange> m_exchange;
    QPointer<StreamHost> m_session;
    QPointer<SseStream> m_stream;
    QString m_streamId;
    Mode m_mode = Mode::Undecided;
    std::unordered_set<RequestId, RequestIdHash> m_outstanding;
    int m_errorCode = 0; // of the last error response, for a stateless reply's HTTP status
    QList<QByteArray> m_collected;
    HttpHeaders m_headers;
    std::unique_ptr<QTimer> m_pollClose; // while streaming with polling on
    bool m_batch;
    bool m_done = false;
};

} // namespace heartline
