#pragma once

#include "server/api/disconnectcause.h"
#include "server/api/monitorevents.h"
#include "server/protocol/session/session.h"
#include "server/session/disconnectclassifier.h"
#include "server/session/eventlog.h"
#include "server/session/pingclock.h"
#include "server/session/servercontext.h"
#include "server/session/standaloneoutbox.h"
#include "server/session/transporttraits.h"
#include "server/stream/ssestream.h"
#include "server/stream/streamhost.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <unordered_map>

namespace heartline {

class PostReply;

// A protocol Session plus what HTTP adds to it: its id, the streams it owns, where each
// outgoing message goes, and when the client was last heard from. Messages that belong to a
// request go to that request's PostReply; unrelated ones go to the standalone GET stream, or
// wait in a bounded backlog until one is opened.
//
// What differs per transport comes from its TransportTraits row, never from the kind itself.
// A stateless one (MCP 2026-07-28, TransportKind::StreamableHttpStateless) serves exactly one
// request, outside any client-visible session: its id never leaves the server, it keeps no
// event log (2026-07-28 streams are not resumable), closing its stream cancels the request,
// and it ends as soon as its request is answered or its stream is gone.
class McpSession final : public StreamHost
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpSession)

public:
    McpSession(const QString &id, TransportKind transport, const QString &peer,
               const ServerContext &context, QObject *parent = nullptr);
    ~McpSession() override;

    const QString &id() const { return m_id; }
    Session *protocol() { return &m_session; }
    const Session *protocol() const { return &m_session; }
    SessionInfo info() const;
    const ServerContext &context() const { return m_context; }
    bool isTerminated() const { return m_terminated; }
    QString sessionId() const override { return m_id; }
    bool isStateless() const override { return m_session.isStateless(); }

    // Client activity: a request arrived or a stream was opened. Heartbeats never count.
    void touch();
    // Idle: no request in flight, no stream held open by the client, and no activity for `ms`.
    bool isIdleFor(qint64 ms, qint64 nowMonotonicMs) const;

    // `json` is the message as it arrived (a batch member re-serialized): its size, and the
    // start of it for the traffic view.
    void reportIncoming(const JsonRpcMessage &message, const QByteArray &json);
    void registerReply(PostReply *reply, const QList<RequestId> &ids);
    // Stateless only: announces the request to the Monitor (revision and client from its
    // _meta) and hands it to the protocol session. Its reply must be registered first.
    void serveStateless(const JsonRpcMessage &request, const QByteArray &json);

    bool hasStandaloneStream() const { return m_outbox.stream() != nullptr; }
    void attachStandaloneStream(SseStream *stream);

    void adoptStream(SseStream *stream) override;
    QString newStreamId(StreamKind kind) override;
    // The logical id of the session's standalone (GET) stream; every GET continues it.
    QString standaloneStreamId();
    QByteArray recordEvent(const QString &streamId, const QByteArray &data) override;
    void registerStream(PostReply *reply, const QString &streamId) override;
    void replyFinished(PostReply *reply) override;
    int pollCloseAfterMs() const override;

    // Resumption (GET with Last-Event-ID). check first: 0 when resumable, else the HTTP
    // status to answer with and why; then resume, which replays what was missed on that
    // stream only and carries on with whatever it still owes.
    int checkResumable(const QByteArray &lastEventId, QString *reason) const;
    void resume(const QByteArray &lastEventId, std::unique_ptr<HttpExchange> exchange,
                const HttpHeaders &headers);
    const EventLog &eventLog() const { return m_eventLog; }
    // Sent only to sessions at 2025-11-25 or later; older clients choke on empty data.
    void primeStream(SseStream *stream) override;

    // Server pings find half-open clients that TCP keep-alive would take minutes to notice.
    // Called on a shared timer: sends a ping when one is due (only to an initialized session
    // with a stream to carry it), and ends the session as unresponsive when the last one
    // went unanswered for `timeoutMs`.
    void checkPing(qint64 nowMonotonicMs, int intervalMs, int timeoutMs);

    // Ends the session and every stream it holds; emits terminated() once.
    void terminate(DisconnectCause cause, const QString &detail);

Q_SIGNALS:
    void terminated(const QString &sessionId);

private:
    void route(const OutgoingMessage &message);
    void handleStreamCloseRequested(const RequestId &id);
    void reportToolCallStarted(const RequestId &id, const QString &toolName);
    void handleRequestFinished(const RequestOutcome &outcome);
    void handleStreamEnded(SseStream *stream, const StreamEnd &end);
    void reportOutgoing(const OutgoingMessage &message, const QByteArray &json,
                        const QString &streamId);
    StreamEndFacts endFacts(const SseStream *stream, const StreamEnd &end) const;
    // The POST reply that carries request `id`; nullptr when there is none (or it is gone).
    PostReply *replyFor(const RequestId &id) const;

    QString m_id;
    QString m_shortId;
    TransportKind m_transport;
    const TransportTraits &m_traits;
    QString m_peer;
    // What a stateless request's _meta says about its client, before the Session has read it.
    QString m_announcedClientName;
    QString m_announcedClientVersion;
    ServerContext m_context;
    Session m_session;
    qint64 m_openedWallMs;
    qint64 m_lastActivityMs;
    int m_streamCounter = 0;
    // Hashed by the standard library: see releaseifempty.h for why not QHash.
    std::unordered_map<RequestId, QPointer<PostReply>, RequestIdHash> m_replies;
    std::unordered_map<RequestId, qint64, RequestIdHash> m_latencies;
    QHash<SseStream *, QPointer<SseStream>> m_streams;
    QString m_standaloneId;
    EventLog m_eventLog;
    StandaloneOutbox m_outbox;
    quint64 m_evictedReported = 0;
    // Logical POST streams by id; a null pointer is a finished reply whose events may still
    // be replayed from the log.
    QHash<QString, QPointer<PostReply>> m_postStreams;
    bool m_terminated = false;
    PingClock m_pings;
};

} // namespace heartline
