#pragma once

#include "disconnectcause.h"
#include "httpexchange.h"
#include "jsonrpc.h"
#include "session.h"

#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>

namespace heartline {

class McpSession;
class SseStream;

// The adaptive answer to one POST that carried requests (DESIGN.md, "Adaptive replies"):
// if every response is ready within the grace period and nothing else needs saying, it is
// sent as application/json; otherwise the reply turns into an SSE stream (priming event,
// heartbeats, progress and logs in order) that ends after the last response.
class PostReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PostReply)

public:
    PostReply(std::unique_ptr<HttpExchange> exchange, McpSession *session,
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

    bool isDone() const { return m_done; }
    QString streamId() const;

Q_SIGNALS:
    void done(heartline::PostReply *reply);

private:
    void switchToStream();
    void sendOnStream(const QByteArray &bytes);
    void writeJson();
    void completeIfNothingOwed();
    void complete();

    std::unique_ptr<HttpExchange> m_exchange;
    QPointer<McpSession> m_session;
    QPointer<SseStream> m_stream;
    QSet<RequestId> m_outstanding;
    QList<QByteArray> m_collected;
    HttpHeaders m_headers;
    bool m_batch;
    bool m_done = false;
};

} // namespace heartline
