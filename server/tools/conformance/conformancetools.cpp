#include "server/tools/conformance/conformancetools.h"

#include "server/protocol/catalog/content.h"
#include "server/tools/conformance/conformancemedia.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <functional>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

using Step = std::function<void()>;

QJsonObject noArguments()
{
    return {{"type"_L1, "object"_L1},
            {"properties"_L1, QJsonObject{}},
            {"additionalProperties"_L1, false}};
}

QJsonObject oneStringArgument(const QString &name, const QString &description)
{
    return {{"type"_L1, "object"_L1},
            {"properties"_L1, QJsonObject{{name, QJsonObject{{"type"_L1, "string"_L1},
                                                             {"description"_L1, description}}}}},
            {"required"_L1, QJsonArray{name}},
            {"additionalProperties"_L1, false}};
}

// A fixture's definition: no title, output schema or annotations, as the suite expects.
ToolDefinition fixtureDefinition(const QString &name, const QString &description,
                                 const QJsonObject &inputSchema = noArguments())
{
    return {name, {}, description, inputSchema, {}, {}};
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Runs steps[index..] one after another, `intervalMs` apart. The timers take the call as their
// context: once the call is gone (finished, cancelled, session closed) nothing more runs.
void runSteps(ToolCall *call, int intervalMs, const std::shared_ptr<const QList<Step>> &steps,
              qsizetype index = 0)
{
    steps->at(index)();
    if (index + 1 >= steps->size() || call->isDone())
        return;
    QTimer::singleShot(intervalMs, Qt::PreciseTimer, call, [call, intervalMs, steps, index]() {
        runSteps(call, intervalMs, steps, index + 1);
    });
}

// The text of a sampling result's content: one block, or (2025-11-25) a list of blocks.
QString sampledText(const QJsonObject &result)
{
    const QJsonValue content = result.value("content"_L1);
    QJsonArray blocks = content.isArray() ? content.toArray() : QJsonArray{content};
    QStringList texts;
    for (const QJsonValue &block : blocks) {
        if (block.toObject().value("type"_L1).toString() == "text"_L1)
            texts.append(block.toObject().value("text"_L1).toString());
    }
    return texts.join(u'\n');
}

QString missingCapability(const ToolCall &call, const QString &capability)
{
    return u"%1 needs a client that supports %2, and this client did not declare the '%2' "
           "capability in initialize"_s.arg(call.toolName(), capability);
}

QJsonObject stringField(const QString &description)
{
    return {{"type"_L1, "string"_L1}, {"description"_L1, description}};
}

QJsonObject userDetailsForm(const ToolCall &call)
{
    return {{"message"_L1, call.arguments().value("message"_L1).toString()},
            {"requestedSchema"_L1,
             QJsonObject{{"type"_L1, "object"_L1},
                         {"properties"_L1,
                          QJsonObject{{"username"_L1, stringField(u"User's response"_s)},
                                      {"email"_L1, stringField(u"User's email address"_s)}}},
                         {"required"_L1, QJsonArray{"username"_L1, "email"_L1}}}}};
}

QJsonObject defaultsForm(const ToolCall &)
{
    const QJsonObject properties{
        {"name"_L1, QJsonObject{{"type"_L1, "string"_L1},
                                {"description"_L1, "User name"_L1},
                                {"default"_L1, "John Doe"_L1}}},
        {"age"_L1, QJsonObject{{"type"_L1, "integer"_L1},
                               {"description"_L1, "User age"_L1},
                               {"default"_L1, 30}}},
        {"score"_L1, QJsonObject{{"type"_L1, "number"_L1},
                                 {"description"_L1, "User score"_L1},
                                 {"default"_L1, 95.5}}},
        {"status"_L1, QJsonObject{{"type"_L1, "string"_L1},
                                  {"description"_L1, "User status"_L1},
                                  {"enum"_L1, QJsonArray{"active"_L1, "inactive"_L1, "pending"_L1}},
                                  {"default"_L1, "active"_L1}}},
        {"verified"_L1, QJsonObject{{"type"_L1, "boolean"_L1},
                                    {"description"_L1, "Verification status"_L1},
                                    {"default"_L1, true}}}};
    return {{"message"_L1, "Please review and update the form fields with defaults"_L1},
            {"requestedSchema"_L1, QJsonObject{{"type"_L1, "object"_L1},
                                               {"properties"_L1, properties},
                                               {"required"_L1, QJsonArray{}}}}};
}

QJsonArray titledOptions(const QString &noun)
{
    const QString titles[] = {u"First "_s + noun, u"Second "_s + noun, u"Third "_s + noun};
    QJsonArray options;
    for (int i = 0; i < 3; ++i)
        options.append(QJsonObject{{"const"_L1, u"value%1"_s.arg(i + 1)}, {"title"_L1, titles[i]}});
    return options;
}

QJsonObject enumsForm(const ToolCall &)
{
    const QJsonArray options{"option1"_L1, "option2"_L1, "option3"_L1};
    const QJsonObject properties{
        // SEP-1330: a plain enum, a titled one (oneOf const/title), the legacy enumNames form,
        // and the two multi-select shapes (items.enum and items.anyOf).
        {"untitledSingle"_L1, QJsonObject{{"type"_L1, "string"_L1},
                                          {"description"_L1, "Select one option"_L1},
                                          {"enum"_L1, options}}},
        {"titledSingle"_L1, QJsonObject{{"type"_L1, "string"_L1},
                                        {"description"_L1, "Select one option with titles"_L1},
                                        {"oneOf"_L1, titledOptions(u"Option"_s)}}},
        {"legacyEnum"_L1, QJsonObject{{"type"_L1, "string"_L1},
                                      {"description"_L1, "Select one option (legacy)"_L1},
                                      {"enum"_L1, QJsonArray{"opt1"_L1, "opt2"_L1, "opt3"_L1}},
                                      {"enumNames"_L1, QJsonArray{"Option One"_L1, "Option Two"_L1,
                                                                  "Option Three"_L1}}}},
        {"untitledMulti"_L1,
         QJsonObject{{"type"_L1, "array"_L1},
                     {"description"_L1, "Select multiple options"_L1},
                     {"minItems"_L1, 1},
                     {"maxItems"_L1, 3},
                     {"items"_L1, QJsonObject{{"type"_L1, "string"_L1}, {"enum"_L1, options}}}}},
        {"titledMulti"_L1,
         QJsonObject{{"type"_L1, "array"_L1},
                     {"description"_L1, "Select multiple options with titles"_L1},
                     {"minItems"_L1, 1},
                     {"maxItems"_L1, 3},
                     {"items"_L1, QJsonObject{{"anyOf"_L1, titledOptions(u"Choice"_s)}}}}}};
    return {{"message"_L1, "Please select options from the enum fields"_L1},
            {"requestedSchema"_L1, QJsonObject{{"type"_L1, "object"_L1},
                                               {"properties"_L1, properties},
                                               {"required"_L1, QJsonArray{}}}}};
}

// The schema of the json-schema-2020-12 scenario, as the suite expects to read it back.
constexpr char kJsonSchema202012[] = R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
        }
    },
    "properties": {"name": {"type": "string"}, "address": {"$ref": "#/$defs/address"}},
    "additionalProperties": false
})";

std::shared_ptr<Tool> fixedResult(const QString &name, const QString &description,
                                  const QJsonObject &result)
{
    return std::make_shared<FixedResultTool>(fixtureDefinition(name, description), result);
}

QJsonObject contentResult(const QJsonArray &content)
{
    return {{"content"_L1, content}};
}

} // namespace

FixedResultTool::FixedResultTool(const ToolDefinition &definition, const QJsonObject &result)
    : m_definition(definition)
    , m_result(result)
{}

void FixedResultTool::call(ToolCall *call)
{
    call->finish(m_result);
}

ToolDefinition LoggingTool::definition() const
{
    return fixtureDefinition(
        u"test_tool_with_logging"_s,
        u"Sends three log messages at level info, 50 ms apart, before it answers"_s);
}

void LoggingTool::call(ToolCall *call)
{
    auto log = [call](const QString &text) {
        return [call, text]() { call->log(LogLevel::Info, text); };
    };
    const auto steps = std::make_shared<const QList<Step>>(
        QList<Step>{log(u"Tool execution started"_s), log(u"Tool processing data"_s), [call]() {
                        call->log(LogLevel::Info, u"Tool execution completed"_s);
                        call->finishWithText(u"Tool with logging executed successfully"_s);
                    }});
    runSteps(call, kStepMs, steps);
}

ToolDefinition ProgressTool::definition() const
{
    return fixtureDefinition(
        u"test_tool_with_progress"_s,
        u"Reports progress 0, 50 and 100 of 100, 50 ms apart, when the request carries a "
        "progress token, then answers"_s);
}

void ProgressTool::call(ToolCall *call)
{
    auto report = [call](double progress) {
        return [call, progress]() {
            call->reportProgress(progress, 100, u"Completed step %1 of 100"_s.arg(progress));
        };
    };
    const auto steps = std::make_shared<const QList<Step>>(QList<Step>{
        report(0), report(50), [call, report]() {
            report(100)();
            call->finishWithText(call->wantsProgress()
                                     ? u"Progress reported: 0, 50 and 100 of 100"_s
                                     : u"No progress token in the request; nothing reported"_s);
        }});
    runSteps(call, kStepMs, steps);
}

ToolDefinition SamplingTool::definition() const
{
    return fixtureDefinition(
        u"test_sampling"_s,
        u"Asks the client's model to answer the prompt (sampling/createMessage) and returns "
        "its answer"_s,
        oneStringArgument(u"prompt"_s, u"The prompt to send to the client's model"_s));
}

void SamplingTool::call(ToolCall *call)
{
    if (!call->clientSupports(u"sampling"_s)) {
        call->fail(missingCapability(*call, u"sampling"_s));
        return;
    }
    // Connected before asking: the answer may already be known (a 2026-07-28 retry carries it).
    QObject::connect(call, &ToolCall::inputReceived, call,
                     [call](const QString &, const QJsonObject &result) {
                         call->finishWithText(u"LLM response: "_s + sampledText(result));
                     });
    QObject::connect(call, &ToolCall::inputFailed, call,
                     [call](const QString &, const QString &reason) {
                         call->fail(u"Sampling failed: "_s + reason);
                     });
    const QJsonObject message{
        {"role"_L1, "user"_L1},
        {"content"_L1, Content::text(call->arguments().value("prompt"_L1).toString())}};
    call->requestInput(u"sampling"_s, u"sampling/createMessage"_s,
                       {{"messages"_L1, QJsonArray{message}}, {"maxTokens"_L1, kMaxTokens}});
}

ElicitationTool::ElicitationTool(const ToolDefinition &definition, FormBuilder form,
                                 const QString &resultPrefix)
    : m_definition(definition)
    , m_form(form)
    , m_resultPrefix(resultPrefix)
{}

std::shared_ptr<ElicitationTool> ElicitationTool::userDetails()
{
    return std::make_shared<ElicitationTool>(
        fixtureDefinition(u"test_elicitation"_s,
                          u"Asks the user for a username and an email address "
                          "(elicitation/create) and returns the answer"_s,
                          oneStringArgument(u"message"_s, u"The message to show the user"_s)),
        &userDetailsForm, u"User response"_s);
}

std::shared_ptr<ElicitationTool> ElicitationTool::defaults()
{
    return std::make_shared<ElicitationTool>(
        fixtureDefinition(
            u"test_elicitation_sep1034_defaults"_s,
            u"Asks the user for a form whose string, integer, number, enum and boolean "
            "fields have defaults (SEP-1034)"_s),
        &defaultsForm, u"Elicitation completed"_s);
}

std::shared_ptr<ElicitationTool> ElicitationTool::enums()
{
    return std::make_shared<ElicitationTool>(
        fixtureDefinition(
            u"test_elicitation_sep1330_enums"_s,
            u"Asks the user for a form with untitled, titled and legacy single-select "
            "enums and untitled and titled multi-select enums (SEP-1330)"_s),
        &enumsForm, u"Elicitation completed"_s);
}

void ElicitationTool::call(ToolCall *call)
{
    if (!call->clientSupports(u"elicitation"_s)) {
        call->fail(missingCapability(*call, u"elicitation"_s));
        return;
    }
    const QString prefix = m_resultPrefix;
    QObject::connect(call, &ToolCall::inputReceived, call,
                     [call, prefix](const QString &, const QJsonObject &result) {
                         QString text =
                             prefix + u": action="_s + result.value("action"_L1).toString();
                         if (result.contains("content"_L1))
                             text +=
                                 u", content="_s + compact(result.value("content"_L1).toObject());
                         call->finishWithText(text);
                     });
    QObject::connect(call, &ToolCall::inputFailed, call,
                     [call](const QString &, const QString &reason) {
                         call->fail(u"Elicitation failed: "_s + reason);
                     });
    call->requestInput(u"form"_s, u"elicitation/create"_s, m_form(*call));
}

ToolDefinition ReconnectionTool::definition() const
{
    return fixtureDefinition(
        u"test_reconnection"_s,
        u"Closes its SSE stream right after the priming event and answers 100 ms later, so "
        "the client must resume with Last-Event-ID to get the result (SEP-1699)"_s);
}

void ReconnectionTool::call(ToolCall *call)
{
    call->closeStreamEarly();
    QTimer::singleShot(kAnswerDelayMs, Qt::PreciseTimer, call, [call]() {
        call->finishWithText(u"Reconnection test completed successfully. If you received this, "
                             "the client properly reconnected after stream closure."_s);
    });
}

ToolDefinition JsonSchema202012Tool::definition() const
{
    static const QJsonObject schema = QJsonDocument::fromJson(kJsonSchema202012).object();
    return fixtureDefinition(u"json_schema_2020_12_tool"_s,
                             u"Tool with JSON Schema 2020-12 features"_s, schema);
}

void JsonSchema202012Tool::call(ToolCall *call)
{
    call->finishWithText(u"JSON Schema 2020-12 tool called with: "_s + compact(call->arguments()));
}

std::vector<std::shared_ptr<Tool>> conformanceTools()
{
    const QString png = QString::fromLatin1(ConformanceMedia::kPngBase64);
    const QString wav = QString::fromLatin1(ConformanceMedia::kWavBase64);
    return {
        fixedResult(
            u"test_simple_text"_s, u"Returns a simple text response"_s,
            contentResult({Content::text(u"This is a simple text response for testing."_s)})),
        fixedResult(u"test_image_content"_s, u"Returns a 1x1 PNG image"_s,
                    contentResult({Content::image(png, u"image/png"_s)})),
        fixedResult(u"test_audio_content"_s, u"Returns a short WAV audio clip"_s,
                    contentResult({Content::audio(wav, u"audio/wav"_s)})),
        fixedResult(
            u"test_embedded_resource"_s, u"Returns an embedded text resource"_s,
            contentResult({Content::embeddedText(u"test://embedded-resource"_s, u"text/plain"_s,
                                                 u"This is an embedded resource content."_s)})),
        fixedResult(u"test_multiple_content_types"_s,
                    u"Returns text, an image and an embedded resource in one result"_s,
                    contentResult({Content::text(u"Multiple content types test:"_s),
                                   Content::image(png, u"image/png"_s),
                                   Content::embeddedText(u"test://mixed-content-resource"_s,
                                                         u"application/json"_s,
                                                         uR"({"test":"data","value":123})"_s)})),
        fixedResult(
            u"test_error_handling"_s,
            u"Always fails, as a tool error (isError) rather than a protocol error"_s,
            {{"content"_L1,
              QJsonArray{Content::text(u"This tool intentionally returns an error for testing"_s)}},
             {"isError"_L1, true}}),
        std::make_shared<LoggingTool>(),
        std::make_shared<ProgressTool>(),
        std::make_shared<SamplingTool>(),
        ElicitationTool::userDetails(),
        ElicitationTool::defaults(),
        ElicitationTool::enums(),
        std::make_shared<ReconnectionTool>(),
        std::make_shared<JsonSchema202012Tool>(),
    };
}

} // namespace heartline
