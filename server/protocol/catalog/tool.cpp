#include "server/protocol/catalog/tool.h"

#include <QJsonArray>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcTool, "heartline.protocol.tool")

QJsonObject ToolDefinition::toJson() const
{
    QJsonObject json{{"name"_L1, name}, {"inputSchema"_L1, inputSchema}};
    if (!title.isEmpty())
        json.insert("title"_L1, title);
    if (!description.isEmpty())
        json.insert("description"_L1, description);
    if (!outputSchema.isEmpty())
        json.insert("outputSchema"_L1, outputSchema);
    if (!annotations.isEmpty())
        json.insert("annotations"_L1, annotations);
    return json;
}

ToolCall::ToolCall(const QString &toolName, const QJsonObject &arguments,
                   const QJsonValue &progressToken, QObject *parent)
    : QObject(parent)
    , m_toolName(toolName)
    , m_arguments(arguments)
    , m_progressToken(progressToken)
{}

ToolCall::~ToolCall() = default;

void ToolCall::setListener(std::unique_ptr<ToolCallListener> listener)
{
    m_listener = std::move(listener);
}

void ToolCall::reportProgress(double progress, double total, const QString &message)
{
    if (m_done || !wantsProgress())
        return;
    if (m_anyProgress && progress <= m_lastProgress) {
        qCWarning(lcTool) << "tool" << m_toolName << "reported progress" << progress << "after"
                          << m_lastProgress << "- dropped, progress must increase";
        return;
    }
    m_anyProgress = true;
    m_lastProgress = progress;
    QJsonObject params{{"progressToken"_L1, m_progressToken}, {"progress"_L1, progress}};
    if (total >= 0)
        params.insert("total"_L1, total);
    if (!message.isEmpty())
        params.insert("message"_L1, message);
    if (m_listener)
        m_listener->progressReported(params);
    Q_EMIT progressReported(params);
}

void ToolCall::log(LogLevel level, const QJsonValue &data, const QString &logger)
{
    if (m_done)
        return;
    const QString &name = logger.isEmpty() ? m_toolName : logger;
    if (m_listener)
        m_listener->logged(level, data, name);
    Q_EMIT logged(level, data, name);
}

void ToolCall::finish(const QJsonObject &result)
{
    if (m_done)
        return;
    m_done = true;
    if (m_listener)
        m_listener->finished(result);
    Q_EMIT finished(result);
}

void ToolCall::finishWithText(const QString &text)
{
    finish({{"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, text}}}}});
}

void ToolCall::fail(const QString &message)
{
    finish({{"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, message}}}},
            {"isError"_L1, true}});
}

void ToolCall::requestInput(const QString &key, const QString &method, const QJsonObject &params)
{
    if (m_done)
        return;
    if (m_listener)
        m_listener->inputRequested(key, method, params);
    Q_EMIT inputRequested(key, method, params);
}

bool ToolCall::clientSupports(const QString &capability) const
{
    return m_clientCapabilities.value(capability).isObject();
}

void ToolCall::closeStreamEarly()
{
    if (m_done)
        return;
    if (m_listener)
        m_listener->streamCloseRequested();
    Q_EMIT streamCloseRequested();
}

void ToolCall::setClientCapabilities(const QJsonObject &capabilities)
{
    m_clientCapabilities = capabilities;
}

void ToolCall::setInputResponses(const QJsonObject &inputResponses)
{
    m_inputResponses = inputResponses;
}

void ToolCall::deliverInput(const QString &key, const QJsonObject &result)
{
    if (!m_done)
        Q_EMIT inputReceived(key, result);
}

void ToolCall::failInput(const QString &key, const QString &reason)
{
    if (!m_done)
        Q_EMIT inputFailed(key, reason);
}

void ToolCall::cancel()
{
    if (m_done)
        return;
    m_done = true;
    m_cancelled = true;
    if (m_listener)
        m_listener->cancelled();
    Q_EMIT cancelled();
}

} // namespace heartline
