#pragma once

#include "server/protocol/catalog/tool.h"

#include <memory>
#include <vector>

namespace heartline {

// The tools the official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16) calls,
// with the names, arguments and answers of its reference server. None of them blocks: timed
// steps run on timers owned by the ToolCall, so a call that ends early takes them with it.

// A tool whose answer never changes: the content fixtures (text, image, audio, embedded
// resource, mixed content) and the one that always fails as a tool error.
class FixedResultTool final : public Tool
{
public:
    FixedResultTool(const ToolDefinition &definition, const QJsonObject &result);

    ToolDefinition definition() const override { return m_definition; }
    void call(ToolCall *call) override;

private:
    ToolDefinition m_definition;
    QJsonObject m_result;
};

// Logs "Tool execution started", "Tool processing data" and "Tool execution completed" at level
// info, kStepMs apart, then answers: the messages travel on the call's own stream, before the
// result.
class LoggingTool final : public Tool
{
public:
    static constexpr int kStepMs = 50;

    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// Reports progress 0, 50 and 100 of 100, kStepMs apart, then answers. Without a progress token
// it takes the same time and reports nothing.
class ProgressTool final : public Tool
{
public:
    static constexpr int kStepMs = 50;

    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// Asks the client's model to answer `prompt` (sampling/createMessage) and returns
// "LLM response: <what it said>".
class SamplingTool final : public Tool
{
public:
    static constexpr int kMaxTokens = 100;

    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// Asks the client to fill in a form (elicitation/create) and returns the action and content
// it answered with. The three elicitation fixtures differ only in their name, the form and the
// wording of the answer, so they are three instances of this class.
class ElicitationTool final : public Tool
{
public:
    // The elicitation/create params for one call.
    using FormBuilder = QJsonObject (*)(const ToolCall &call);

    ElicitationTool(const ToolDefinition &definition, FormBuilder form,
                    const QString &resultPrefix);

    // test_elicitation: a username and an email address, with the caller's message.
    static std::shared_ptr<ElicitationTool> userDetails();
    // test_elicitation_sep1034_defaults: one field of each primitive type, each with a default.
    static std::shared_ptr<ElicitationTool> defaults();
    // test_elicitation_sep1330_enums: the five enum shapes of SEP-1330.
    static std::shared_ptr<ElicitationTool> enums();

    ToolDefinition definition() const override { return m_definition; }
    void call(ToolCall *call) override;

private:
    ToolDefinition m_definition;
    FormBuilder m_form;
    QString m_resultPrefix;
};

// Ends its SSE stream right after the priming event (with a retry hint), then answers
// kAnswerDelayMs later, so the client only gets the result by resuming with Last-Event-ID
// (SEP-1699 polling, scenario server-sse-polling).
class ReconnectionTool final : public Tool
{
public:
    static constexpr int kAnswerDelayMs = 100;

    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// Listed with a JSON Schema 2020-12 input schema ($schema, $defs, $ref,
// additionalProperties:false), served exactly as written; answers with the arguments it got.
class JsonSchema202012Tool final : public Tool
{
public:
    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// Every fixture tool of the suite.
std::vector<std::shared_ptr<Tool>> conformanceTools();

} // namespace heartline
