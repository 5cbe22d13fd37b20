#pragma once

#include "server/protocol/session/sessionport.h"

#include <QJsonObject>
#include <QString>

namespace heartline {

// MCP 2026-07-28 frames every request on its own: params._meta carries what the initialize
// handshake used to settle once (revision, client capabilities and info, log level), and every
// result carries resultType, the server's info and, where the spec asks, cache hints. Pure
// functions, so the session only decides when to apply them.
namespace StatelessFraming {

// Why a request's framing was refused: the error it is answered with.
struct Refusal
{
    JsonRpcCode code = JsonRpcCode::InvalidParams;
    QString message;
    QJsonValue data = QJsonValue::Undefined;
    bool malformed = false; // see OutgoingMessage::malformedRequest
};

// What a request's _meta says it is served under. False, with `refusal` saying how to answer,
// when the framing is missing or wrong.
bool read(const JsonRpcMessage &request, RequestContext *context, QJsonObject *clientInfo,
          Refusal *refusal);

// The result of `method` as a 2026-07-28 client receives it.
QJsonObject frameResult(const QString &method, QJsonObject result, const QJsonObject &serverInfo,
                        int listTtlMs);

} // namespace StatelessFraming
} // namespace heartline
