#include "tests/support/mcptestsupport.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline::testing {

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray requestBody(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    QJsonObject message{{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, id}, {"method"_L1, method}};
    if (!params.isEmpty())
        message.insert("params"_L1, params);
    return compact(message);
}

QByteArray notificationBody(const QString &method, const QJsonObject &params)
{
    QJsonObject message{{"jsonrpc"_L1, "2.0"_L1}, {"method"_L1, method}};
    if (!params.isEmpty())
        message.insert("params"_L1, params);
    return compact(message);
}

QByteArray initializeBody(const QByteArray &revision, const QJsonValue &id)
{
    return requestBody(id, u"initialize"_s,
                       {{"protocolVersion"_L1, QString::fromLatin1(revision)},
                        {"capabilities"_L1, QJsonObject{}},
                        {"clientInfo"_L1, QJsonObject{{"name"_L1, "heartline-integration-test"_L1},
                                                      {"version"_L1, "1.0"_L1}}}});
}

QByteArray toolCallBody(const QJsonValue &id, const QString &tool, const QJsonObject &arguments,
                        const QJsonValue &progressToken)
{
    QJsonObject params{{"name"_L1, tool}, {"arguments"_L1, arguments}};
    if (!progressToken.isUndefined())
        params.insert("_meta"_L1, QJsonObject{{"progressToken"_L1, progressToken}});
    return requestBody(id, u"tools/call"_s, params);
}

RawHeaders postHeaders(const QByteArray &sessionId, const QByteArray &revision)
{
    RawHeaders headers{{"Accept", "application/json, text/event-stream"},
                       {"Content-Type", "application/json"}};
    if (!sessionId.isEmpty())
        headers.append({"Mcp-Session-Id", sessionId});
    if (!revision.isEmpty())
        headers.append({"MCP-Protocol-Version", revision});
    return headers;
}

QJsonObject modernMeta(const QString &version)
{
    return {{"io.modelcontextprotocol/protocolVersion"_L1, version},
            {"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject()},
            {"io.modelcontextprotocol/clientInfo"_L1,
             QJsonObject{{"name"_L1, "stateless-test"_L1}, {"version"_L1, "2.0"_L1}}}};
}

QByteArray modernBody(const QJsonValue &id, const QString &method, QJsonObject params,
                      const QJsonObject &meta)
{
    QJsonObject merged = params.value("_meta"_L1).toObject();
    for (auto it = meta.constBegin(); it != meta.constEnd(); ++it)
        merged.insert(it.key(), it.value());
    params.insert("_meta"_L1, merged);
    return requestBody(id, method, params);
}

RawHeaders modernHeaders(const QByteArray &method, const QByteArray &name,
                         const QByteArray &version)
{
    RawHeaders headers = postHeaders({}, version);
    headers.append({"Mcp-Method", method});
    if (!name.isEmpty())
        headers.append({"Mcp-Name", name});
    return headers;
}

RawHeaders getHeaders(const QByteArray &sessionId, const QByteArray &revision)
{
    RawHeaders headers{{"Accept", "text/event-stream"}};
    if (!sessionId.isEmpty())
        headers.append({"Mcp-Session-Id", sessionId});
    if (!revision.isEmpty())
        headers.append({"MCP-Protocol-Version", revision});
    return headers;
}

RawHeaders deleteHeaders(const QByteArray &sessionId, const QByteArray &revision)
{
    RawHeaders headers;
    if (!sessionId.isEmpty())
        headers.append({"Mcp-Session-Id", sessionId});
    if (!revision.isEmpty())
        headers.append({"MCP-Protocol-Version", revision});
    return headers;
}

QByteArray McpTestSession::protocolHeader() const
{
    return revision == "2024-11-05" || revision == "2025-03-26" ? QByteArray() : revision;
}

McpTestSession openSession(quint16 port, const QByteArray &revision, bool sendInitialized,
                           const RawHeaders &extraHeaders)
{
    McpTestSession session;
    {
        RawHttpClient client(port);
        session.initializeResponse =
            client.request("POST", "/mcp", postHeaders() + extraHeaders, initializeBody(revision));
    }
    const HttpResponse &response = session.initializeResponse;
    if (!response.complete || response.status != 200) {
        session.error = u"initialize failed: "_s + response.describe();
        return session;
    }
    session.id = response.header("Mcp-Session-Id");
    session.revision = response.jsonObject()
                           .value("result"_L1)
                           .toObject()
                           .value("protocolVersion"_L1)
                           .toString()
                           .toLatin1();
    if (session.id.isEmpty() || session.revision.isEmpty()) {
        session.error = u"initialize gave no session id or revision: "_s + response.describe();
        return session;
    }
    if (sendInitialized) {
        RawHttpClient client(port);
        const HttpResponse accepted =
            client.request("POST", "/mcp", session.post() + extraHeaders,
                           notificationBody(u"notifications/initialized"_s));
        if (!accepted.complete || accepted.status != 202)
            session.error = u"notifications/initialized was not accepted: "_s + accepted.describe();
    }
    return session;
}

HttpResponse postOnce(quint16 port, const RawHeaders &headers, const QByteArray &body,
                      int timeoutMs)
{
    RawHttpClient client(port);
    return client.request("POST", "/mcp", headers, body, timeoutMs);
}

QStringList listToolNames(quint16 port, const McpTestSession &session, QString *error)
{
    static int nextId = 1000;
    const HttpResponse response =
        postOnce(port, session.post(), requestBody(++nextId, u"tools/list"_s));
    const QJsonValue tools = response.jsonObject().value("result"_L1).toObject().value("tools"_L1);
    if (response.status != 200 || !tools.isArray()) {
        *error = u"tools/list failed: "_s + response.describe();
        return {};
    }
    QStringList names;
    for (const QJsonValue &tool : tools.toArray())
        names.append(tool.toObject().value("name"_L1).toString());
    return names;
}

QByteArray lastEventId(const QList<SseItem> &items)
{
    for (auto it = items.crbegin(); it != items.crend(); ++it) {
        if (it->isEvent() && it->hasId)
            return it->id;
    }
    return {};
}

QJsonObject callToolOnce(quint16 port, const QString &tool, const QJsonObject &arguments,
                         int timeoutMs)
{
    const McpTestSession session = openSession(port);
    if (!session.ok())
        return {};
    return finalAnswer(postOnce(port, session.post(), toolCallBody(1, tool, arguments), timeoutMs));
}

QJsonObject finalAnswer(const HttpResponse &response)
{
    if (response.mediaType() == "application/json")
        return QJsonDocument::fromJson(response.body).object();
    for (const QJsonObject &message : messagesOf(response.sse)) {
        if (isFinalResponse(message))
            return message;
    }
    return {};
}

QString firstContentText(const QJsonObject &response)
{
    return response.value("result"_L1)
        .toObject()
        .value("content"_L1)
        .toArray()
        .at(0)
        .toObject()
        .value("text"_L1)
        .toString();
}

QList<QJsonObject> messagesOf(const QList<SseItem> &items)
{
    QList<QJsonObject> messages;
    for (const SseItem &item : items) {
        if (item.isEvent() && !item.data.isEmpty())
            messages.append(item.message());
    }
    return messages;
}

int countMethod(const QList<SseItem> &items, QAnyStringView method)
{
    const QList<QJsonObject> messages = messagesOf(items);
    return int(std::count_if(messages.cbegin(), messages.cend(), [method](const QJsonObject &m) {
        return QAnyStringView::equal(m.value("method"_L1).toString(), method);
    }));
}

int heartbeatCount(const QList<SseItem> &items)
{
    return int(std::count_if(items.cbegin(), items.cend(),
                             [](const SseItem &item) { return item.isHeartbeat(); }));
}

QString openGetStream(RawHttpClient &client, const McpTestSession &session)
{
    if (!client.send("GET", "/mcp", session.get()))
        return u"could not send the GET"_s;
    if (!client.waitForHead())
        return u"no response head for the GET: "_s + client.parseError();
    if (client.response().status != 200 || !client.response().isEventStream())
        return u"the GET did not open a stream: "_s + client.response().describe();
    if (!client.waitForSse([](const QList<SseItem> &items) { return !items.isEmpty(); }))
        return u"the GET stream sent no first bytes"_s;
    return {};
}

} // namespace heartline::testing
