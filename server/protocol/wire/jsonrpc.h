#pragma once

#include <QByteArray>
#include <QHashFunctions>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace heartline {

// Standard JSON-RPC 2.0 codes plus the two implementation codes MCP clients know from the SDKs.
enum class JsonRpcCode : int {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
    ServerError = -32000,
    SessionNotFound = -32001,
    ResourceNotFound = -32002, // 2025-11-25 and earlier; 2026-07-28 uses InvalidParams
    // 2026-07-28 reserves -32020..-32099 for the spec; never emitted to older revisions.
    HeaderMismatch = -32020,
    MissingRequiredClientCapability = -32021,
    UnsupportedProtocolVersion = -32022,
};

// A request id exactly as the peer sent it: a string or a number, never reinterpreted,
// so `0`, `"0"` and `7` stay distinct and go back on the wire in their original type.
class RequestId final
{
public:
    RequestId() = default;
    explicit RequestId(const QJsonValue &value);

    static bool isValidIdValue(const QJsonValue &value);

    bool isValid() const { return m_valid; }
    QJsonValue toJson() const { return m_value; }
    // Type-tagged, so a string id and a numeric id with the same digits never collide.
    QString key() const { return m_key; }
    QString display() const;

    bool operator==(const RequestId &other) const { return m_key == other.m_key; }
    bool operator!=(const RequestId &other) const { return !(*this == other); }

private:
    QJsonValue m_value;
    QString m_key;
    bool m_valid = false;
};

size_t qHash(const RequestId &id, size_t seed = 0);

// For the standard containers: a QSet's first insertion allocates storage for 48 entries
// (nearly 3 KiB of RequestIds), which per POST was a measurable share of a call's cost. Ids
// are the client's choice, so they are hashed with Qt's per-process random seed, as QHash
// does: a fixed seed would let a batch of colliding ids make every lookup walk them all.
struct RequestIdHash
{
    size_t operator()(const RequestId &id) const { return qHash(id, QHashSeed::globalSeed()); }
};

struct JsonRpcMessage
{
    enum class Kind { Request, Notification, Response, ErrorResponse };

    Kind kind = Kind::Notification;
    RequestId id;
    QString method;
    QJsonValue params; // Undefined when absent
    QJsonValue result;
    QJsonObject error;
    QJsonObject raw;

    bool isRequest() const { return kind == Kind::Request; }
    bool isNotification() const { return kind == Kind::Notification; }
    bool isResponse() const { return kind == Kind::Response || kind == Kind::ErrorResponse; }
    QJsonObject paramsObject() const { return params.toObject(); }
};

// Why a single message could not be accepted, ready to be sent back as a JSON-RPC error.
struct JsonRpcProblem
{
    JsonRpcCode code = JsonRpcCode::InvalidRequest;
    QString message;
    RequestId id; // set when the id could be read despite the problem
};

// The outcome of parsing one HTTP body: one message, a batch, or the problems that stop it.
struct JsonRpcBody
{
    QList<JsonRpcMessage> messages;
    QList<JsonRpcProblem> problems;
    bool isBatch = false;

    bool isValid() const { return problems.isEmpty() && !messages.isEmpty(); }
    bool containsRequest() const;
    bool containsMethod(const QString &method) const;
};

namespace JsonRpc {

JsonRpcBody parseBody(const QByteArray &body);
// Validates one already-decoded element; returns false and fills `problem` if it is malformed.
bool parseMessage(const QJsonValue &value, JsonRpcMessage *message, JsonRpcProblem *problem);

QJsonObject request(const RequestId &id, const QString &method, const QJsonObject &params = {});
QJsonObject notification(const QString &method, const QJsonObject &params = {});
QJsonObject result(const RequestId &id, const QJsonObject &result);
// An invalid `id` serialises as `"id": null`, which JSON-RPC prescribes when the id is unknown.
QJsonObject error(const RequestId &id, JsonRpcCode code, const QString &message,
                  const QJsonValue &data = QJsonValue::Undefined);
QJsonObject error(const JsonRpcProblem &problem);

QByteArray serialize(const QJsonObject &message);
QByteArray serialize(const QJsonArray &messages);

bool isFinalResponse(const QJsonObject &message);

} // namespace JsonRpc
} // namespace heartline
