#include "server/protocol/session/statelessframing.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace heartline::StatelessFraming {

namespace {

constexpr auto kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion"_L1;
constexpr auto kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities"_L1;
constexpr auto kMetaClientInfo = "io.modelcontextprotocol/clientInfo"_L1;
constexpr auto kMetaLogLevel = "io.modelcontextprotocol/logLevel"_L1;
constexpr auto kMetaServerInfo = "io.modelcontextprotocol/serverInfo"_L1;

// Results 2026-07-28 marks cacheable, and who may share a cached copy.
struct CacheRule
{
    QLatin1StringView method;
    QLatin1StringView scope;
};
constexpr CacheRule kCacheRules[] = {
    {"server/discover"_L1, "public"_L1},
    {"tools/list"_L1, "public"_L1},
    {"prompts/list"_L1, "public"_L1},
    {"resources/list"_L1, "public"_L1},
    {"resources/templates/list"_L1, "public"_L1},
    // What a resource says may depend on who asks; never let a shared cache hand it on.
    {"resources/read"_L1, "private"_L1},
};

bool malformed(Refusal *refusal, const QString &message)
{
    *refusal = Refusal{JsonRpcCode::InvalidParams, message, QJsonValue::Undefined, true};
    return false;
}

} // namespace

bool read(const JsonRpcMessage &request, RequestContext *context, QJsonObject *clientInfo,
          Refusal *refusal)
{
    const QJsonValue metaValue = request.paramsObject().value("_meta"_L1);
    const QJsonObject meta = metaValue.toObject();
    const QJsonValue version = meta.value(kMetaProtocolVersion);
    if (!metaValue.isObject() || !version.isString()) {
        return malformed(
            refusal, u"Invalid params: a stateless request needs params._meta[\"%1\"] naming the "
                     "protocol version"_s.arg(kMetaProtocolVersion));
    }
    Revision revision;
    if (!Revisions::parse(version.toString(), &revision)
        || !Revisions::traits(revision).stateless) {
        *refusal = Refusal{
            JsonRpcCode::UnsupportedProtocolVersion, u"Unsupported protocol version"_s,
            QJsonObject{{"supported"_L1, QJsonArray::fromStringList(Revisions::supportedNames())},
                        {"requested"_L1, version}},
            false};
        return false;
    }
    const QJsonValue capabilities = meta.value(kMetaClientCapabilities);
    if (!capabilities.isObject()) {
        return malformed(refusal,
                         u"Invalid params: a stateless request needs params._meta[\"%1\"] as an "
                         "object"_s.arg(kMetaClientCapabilities));
    }
    context->revision = revision;
    context->clientCapabilities = capabilities.toObject();
    // Logs only for requests that asked for them (2026-07-28 MUST NOT otherwise).
    context->logsWanted = false;
    const QJsonValue level = meta.value(kMetaLogLevel);
    if (!level.isUndefined()) {
        if (!LogLevels::parse(level.toString(), &context->logLevel)) {
            return malformed(refusal,
                             u"Invalid params: _meta[\"%1\"] must be one of debug, info, notice, "
                             "warning, error, critical, alert, emergency"_s.arg(kMetaLogLevel));
        }
        context->logsWanted = true;
    }
    *clientInfo = meta.value(kMetaClientInfo).toObject();
    return true;
}

QJsonObject frameResult(const QString &method, QJsonObject result, const QJsonObject &serverInfo,
                        int listTtlMs)
{
    if (!result.contains("resultType"_L1))
        result.insert("resultType"_L1, "complete"_L1);
    QJsonObject meta = result.value("_meta"_L1).toObject();
    meta.insert(kMetaServerInfo, serverInfo);
    result.insert("_meta"_L1, meta);
    if (result.value("resultType"_L1).toString() != "complete"_L1)
        return result; // interim results are never cacheable
    for (const CacheRule &rule : kCacheRules) {
        if (method == rule.method) {
            result.insert("ttlMs"_L1, qMax(0, listTtlMs));
            result.insert("cacheScope"_L1, rule.scope);
        }
    }
    return result;
}

} // namespace heartline::StatelessFraming
