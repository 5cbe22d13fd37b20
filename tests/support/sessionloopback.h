#pragma once

// Test support shared by the Session tests (tst_session, tst_sessioncatalog,
// tst_statelesssession, tst_conformancefixtures): a Session wired to its registries the way a
// transport would wire it, with everything it sends kept in a list, a tool whose calls the test
// drives, and the few accessors every test reads responses with.

#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/protocol/session/session.h"
#include "tests/support/fakecatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>

#include <memory>

namespace heartline::testing {

using namespace Qt::StringLiterals;

inline QJsonValue jsonValue(const QByteArray &json)
{
    return QJsonDocument::fromJson("[" + json + "]").array().first();
}

// A value as it goes on the wire, so 1 and "1" (and 1 and 1.0) never look alike.
inline QByteArray wire(const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

inline int errorCode(const OutgoingMessage &message)
{
    return message.json.value("error"_L1).toObject().value("code"_L1).toInt();
}

inline QJsonObject errorData(const OutgoingMessage &message)
{
    return message.json.value("error"_L1).toObject().value("data"_L1).toObject();
}

inline QJsonObject resultOf(const OutgoingMessage &message)
{
    return message.json.value("result"_L1).toObject();
}

inline QString firstText(const QJsonObject &result)
{
    return result.value("content"_L1).toArray().first().toObject().value("text"_L1).toString();
}

// Which registries the session serves (tools always) and how fast they announce changes.
struct LoopbackParts
{
    bool resources = true;
    bool prompts = true;
    int coalesceMs = 5;
};

// A Session and its registries wired like a transport would, with everything sent kept in a
// list. Each test derives its own Loopback to add what only it needs.
class SessionLoopback
{
public:
    static ServerIdentity testIdentity(const QString &instructions = {})
    {
        return {u"heartline-test"_s, u"Heartline Test"_s, u"9.8.7"_s, instructions};
    }

    SessionLoopback(const ServerIdentity &identity, const Session::Options &options,
                    const LoopbackParts &parts = LoopbackParts{})
        : session(Catalog{&tools, parts.resources ? &resources : nullptr,
                          parts.prompts ? &prompts : nullptr},
                  identity, options)
    {
        tools.setCoalesceInterval(parts.coalesceMs);
        resources.setCoalesceInterval(parts.coalesceMs);
        prompts.setCoalesceInterval(parts.coalesceMs);
        QObject::connect(&session, &Session::outgoing, &session,
                         [this](const OutgoingMessage &message) { sent.append(message); });
    }
    Q_DISABLE_COPY_MOVE(SessionLoopback)

    // A message as the test wrote it; one that does not parse is a broken test.
    [[nodiscard]] bool send(const QByteArray &json)
    {
        const JsonRpcBody body = JsonRpc::parseBody(json);
        if (!body.isValid() || body.isBatch || body.messages.size() != 1) {
            qWarning("test message does not parse: %s", json.constData());
            return false;
        }
        session.receive(body.messages.first());
        return true;
    }

    void send(const QJsonObject &message)
    {
        const JsonRpcBody body = JsonRpc::parseBody(JsonRpc::serialize(message));
        if (!body.isValid() || body.messages.size() != 1)
            qFatal("test message does not parse: %s", JsonRpc::serialize(message).constData());
        session.receive(body.messages.first());
    }

    // A 2025-11-25 initialize (id 0) and notifications/initialized; returns what the session
    // sent for them and leaves `sent` empty.
    QList<OutgoingMessage> handshake(const QJsonObject &capabilities = {},
                                     const QJsonObject &clientInfo = {{"name"_L1, "tst"_L1},
                                                                      {"version"_L1, "1"_L1}})
    {
        sent.clear();
        send(JsonRpc::request(RequestId(QJsonValue(0)), u"initialize"_s,
                              {{"protocolVersion"_L1, "2025-11-25"_L1},
                               {"capabilities"_L1, capabilities},
                               {"clientInfo"_L1, clientInfo}}));
        send(JsonRpc::notification(u"notifications/initialized"_s));
        const QList<OutgoingMessage> answers = sent;
        sent.clear();
        return answers;
    }

    std::shared_ptr<FakeTool> addTool(const QString &name, FakeTool::Mode mode,
                                      const QJsonObject &inputSchema = objectSchema(),
                                      const QJsonObject &outputSchema = {})
    {
        auto tool = std::make_shared<FakeTool>(name, mode, inputSchema, outputSchema);
        if (!tools.registerTool(tool))
            qFatal("could not register a test tool");
        return tool;
    }

    // The one message the last exchange produced (or a marker that fails every check).
    OutgoingMessage sole() const
    {
        if (sent.size() != 1) {
            qWarning("%d messages instead of one", int(sent.size()));
            return {};
        }
        return sent.first();
    }

    int countMethod(const QString &method) const
    {
        int count = 0;
        for (const OutgoingMessage &message : sent)
            count += message.json.value("method"_L1).toString() == method ? 1 : 0;
        return count;
    }

    ToolRegistry tools;
    ResourceRegistry resources;
    PromptRegistry prompts;
    Session session;
    QList<OutgoingMessage> sent;
};

// Another session on the registries of `first`, as every session of one server shares them:
// initialized (2025-11-25), with what it sends kept in a list.
class SiblingSession
{
public:
    explicit SiblingSession(SessionLoopback &first)
        : session(Catalog{&first.tools, &first.resources, &first.prompts},
                  SessionLoopback::testIdentity(), Session::Options{})
    {
        QObject::connect(&session, &Session::outgoing, &session,
                         [this](const OutgoingMessage &message) { sent.append(message); });
        send(JsonRpc::request(RequestId(QJsonValue(0)), u"initialize"_s,
                              {{"protocolVersion"_L1, "2025-11-25"_L1},
                               {"capabilities"_L1, QJsonObject{}},
                               {"clientInfo"_L1, QJsonObject{{"name"_L1, "sibling"_L1}}}}));
        send(JsonRpc::notification(u"notifications/initialized"_s));
        sent.clear();
    }
    Q_DISABLE_COPY_MOVE(SiblingSession)

    void send(const QJsonObject &message)
    {
        session.receive(JsonRpc::parseBody(JsonRpc::serialize(message)).messages.first());
    }

    void request(int id, const QString &method, const QJsonObject &params)
    {
        send(JsonRpc::request(RequestId(QJsonValue(id)), method, params));
    }

    Session session;
    QList<OutgoingMessage> sent;
};

} // namespace heartline::testing
