#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

class QNetworkReply;

namespace heartline {

// What the remote channels (Streamable HTTP and legacy SSE) share: how a request to an
// upstream is made, how its failures are told, how bodies are read and capped.
namespace RemoteHttp {

// A single JSON body or SSE event past this is refused (the stream dropped): a remote server
// must not make Heartline buffer without bound.
inline constexpr qint64 kMaxMessageBytes = 16 * 1024 * 1024;
// How much of an error body a problem line quotes.
inline constexpr int kQuotedBodyBytes = 200;

// Empty when `url` can reach an upstream: absolute http or https with a host, and no user
// info (QNetworkAccessManager would turn it into an Authorization header nobody configured).
QString urlProblem(const QUrl &url);

// Scheme, host and port compared exactly (never by prefix).
bool sameOrigin(const QUrl &a, const QUrl &b);

// A request to `url` that carries the configured headers and nothing else of the user's: no
// credentials of a downstream client exist at this layer, and redirects stay on the origin
// so the configured headers never reach another host. The channel adds its protocol headers.
QNetworkRequest request(const QUrl &url, const QHash<QString, QString> &headers);

// The HTTP status of a finished reply (0 when no HTTP answer came).
int status(const QNetworkReply *reply);
// The media type of the reply's Content-Type, lowercased, without parameters.
QByteArray mediaType(const QNetworkReply *reply);

// "HTTP 401 Unauthorized: <the start of the body>", or the network error when no HTTP answer
// came ("connection refused: ...").
QString failure(QNetworkReply *reply, const QByteArray &body);

// The JSON-RPC messages of a body: one object or a batch. Sets `problem` when it is neither.
QList<QJsonObject> parseMessages(const QByteArray &body, QString *problem);

// A request has a method and an id; a response a result or an error and no method.
bool isRequest(const QJsonObject &message);
bool isResponse(const QJsonObject &message);

// The JSON-RPC error a channel answers a request with when its HTTP exchange failed, so the
// client's request never waits for an answer that cannot come.
QJsonObject errorResponse(const QJsonValue &id, const QString &message);

// Stops listening to `reply`, aborts it and deletes it later: its finished() reaches nobody.
void abandon(QNetworkReply *reply, QObject *receiver);

} // namespace RemoteHttp
} // namespace heartline
