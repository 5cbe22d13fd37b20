#pragma once

#include "server/protocol/wire/jsonrpc.h"
#include "tests/support/rawhttpclient.h"

#include <QAnyStringView>
#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace heartline::testing {

// What the MCP client side of an integration test sends, spelled out as bytes so each test
// can bend one detail of it.

inline constexpr char kLatestRevision[] = "2025-11-25";

QByteArray requestBody(const QJsonValue &id, const QString &method, const QJsonObject &params = {});
QByteArray notificationBody(const QString &method, const QJsonObject &params = {});
QByteArray initializeBody(const QByteArray &revision, const QJsonValue &id = 0);
QByteArray toolCallBody(const QJsonValue &id, const QString &tool, const QJsonObject &arguments,
                        const QJsonValue &progressToken = QJsonValue::Undefined);

// Headers of a well-formed POST / GET / DELETE on /mcp. An empty session id or revision
// leaves that header out (revisions before 2025-06-18 have no MCP-Protocol-Version).
RawHeaders postHeaders(const QByteArray &sessionId = {}, const QByteArray &revision = {});
RawHeaders getHeaders(const QByteArray &sessionId, const QByteArray &revision = {});
RawHeaders deleteHeaders(const QByteArray &sessionId, const QByteArray &revision = {});

// A stateless request (2026-07-28 on): the `_meta` that carries the revision, the client's
// capabilities and info; a body with it merged into `params`' own; the headers that mirror it.
inline constexpr char kStatelessRevision[] = "2026-07-28";
QJsonObject modernMeta(const QString &version = QString::fromLatin1(kStatelessRevision));
QByteArray modernBody(const QJsonValue &id, const QString &method, QJsonObject params = {},
                      const QJsonObject &meta = modernMeta());
RawHeaders modernHeaders(const QByteArray &method, const QByteArray &name = {},
                         const QByteArray &version = kStatelessRevision);

// A session opened over HTTP, as a client holds it.
struct McpTestSession
{
    QByteArray id;
    QByteArray revision; // negotiated; also what later requests send as MCP-Protocol-Version
    HttpResponse initializeResponse;
    QString error; // empty when the session is usable

    bool ok() const { return error.isEmpty(); }
    // The MCP-Protocol-Version value later requests carry (none before 2025-06-18).
    QByteArray protocolHeader() const;
    RawHeaders post() const { return postHeaders(id, protocolHeader()); }
    RawHeaders get() const { return getHeaders(id, protocolHeader()); }
};

// initialize (id 0) and, when asked, notifications/initialized, each on a fresh connection.
McpTestSession openSession(quint16 port, const QByteArray &revision = kLatestRevision,
                           bool sendInitialized = true, const RawHeaders &extraHeaders = {});

// One POST of `body` on a fresh connection, read to its end.
HttpResponse postOnce(quint16 port, const RawHeaders &headers, const QByteArray &body,
                      int timeoutMs = kDefaultTimeoutMs);

// The names tools/list returns for a session (asked on a fresh connection); sets `error`
// when the answer is not a tools/list result.
QStringList listToolNames(quint16 port, const McpTestSession &session, QString *error);

// The id of the last SSE event in `items` that has one (empty when none has): the cursor a
// client resumes from.
QByteArray lastEventId(const QList<SseItem> &items);

// The server's answer to one POST, whether it came as plain JSON or as the final response on
// an SSE stream (an empty object when there is none).
QJsonObject finalAnswer(const HttpResponse &response);

// One tools/call of `tool` in a session of its own (opened on a fresh connection): the answer,
// or an empty object when the session could not be opened or nothing answered.
QJsonObject callToolOnce(quint16 port, const QString &tool, const QJsonObject &arguments = {},
                         int timeoutMs = kDefaultTimeoutMs);

// The text of the first content block of a tools/call response (empty when it has none).
QString firstContentText(const QJsonObject &response);

// Tests tell a response from a request or notification by the rule the server itself uses.
using JsonRpc::isFinalResponse;

// The JSON-RPC messages a stream carried, in order (events without data carry none).
QList<QJsonObject> messagesOf(const QList<SseItem> &items);
// How many of them are requests or notifications of `method`.
int countMethod(const QList<SseItem> &items, QAnyStringView method);
int heartbeatCount(const QList<SseItem> &items);

// Opens the session's GET stream on `client` and waits for its head and first bytes; empty
// when the stream is open, else what went wrong.
QString openGetStream(RawHttpClient &client, const McpTestSession &session);

} // namespace heartline::testing
