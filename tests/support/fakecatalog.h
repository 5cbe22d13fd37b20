#pragma once

// The catalog entries the protocol tests register: a tool whose calls the test drives and a
// plain text resource. One copy here, so a change to the Tool or Resource interface is one edit.

#include "server/protocol/catalog/resource.h"
#include "server/protocol/catalog/tool.h"

#include <QJsonObject>
#include <QPointer>

namespace heartline::testing {

using namespace Qt::StringLiterals;

inline QJsonObject objectSchema()
{
    return QJsonObject{{"type"_L1, "object"_L1}};
}

// A tool whose calls the test controls: it answers at once with its name, or keeps the call
// for the test to finish, report on or watch being cancelled.
class FakeTool final : public Tool
{
public:
    enum class Mode { Immediate, Deferred };

    explicit FakeTool(const QString &name, Mode mode = Mode::Immediate,
                      const QJsonObject &inputSchema = objectSchema(),
                      const QJsonObject &outputSchema = {})
        : m_name(name)
        , m_mode(mode)
        , m_inputSchema(inputSchema)
        , m_outputSchema(outputSchema)
    {}

    // For the tests that read descriptions back (the built-in catalog's about resource).
    void setDescription(const QString &description) { m_description = description; }

    ToolDefinition definition() const override
    {
        return {m_name, {}, m_description, m_inputSchema, m_outputSchema, {}};
    }

    void call(ToolCall *call) override
    {
        ++calls;
        lastArguments = call->arguments();
        QObject::connect(call, &ToolCall::cancelled, call, [this] { ++cancellations; });
        if (m_mode == Mode::Immediate)
            call->finishWithText(m_name);
        else
            running.append(call);
    }

    QPointer<ToolCall> lastCall() const { return running.isEmpty() ? nullptr : running.last(); }

    int calls = 0;
    int cancellations = 0;
    QJsonObject lastArguments;
    QList<QPointer<ToolCall>> running;

private:
    QString m_name;
    Mode m_mode;
    QJsonObject m_inputSchema;
    QJsonObject m_outputSchema;
    QString m_description = u"A tool the test drives"_s;
};

// A resource with a fixed text body, named after its URI.
class TextResource final : public Resource
{
public:
    explicit TextResource(const QString &uri, const QString &text = {})
        : m_uri(uri)
        , m_text(text.isNull() ? u"content of "_s + uri : text)
    {}

    ResourceDefinition definition() const override
    {
        ResourceDefinition definition;
        definition.uri = m_uri;
        definition.name = m_uri;
        return definition;
    }

    QList<ResourceContents> read() const override
    {
        return {ResourceContents::fromText(m_uri, u"text/plain"_s, m_text)};
    }

private:
    QString m_uri;
    QString m_text;
};

} // namespace heartline::testing
