#include "server/core/upstreamreporter.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/tools/upstream/upstreamhost.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

QString logText(const QJsonValue &data)
{
    if (data.isString())
        return data.toString();
    if (data.isObject())
        return QString::fromUtf8(QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact));
    if (data.isArray())
        return QString::fromUtf8(QJsonDocument(data.toArray()).toJson(QJsonDocument::Compact));
    // A bare number, bool or null: wrapped so that QJsonDocument can write it, then unwrapped.
    const QByteArray wrapped =
        QJsonDocument(QJsonArray{data}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

UpstreamCallOutcome outcomeOf(bool answered, bool isError)
{
    if (answered)
        return isError ? UpstreamCallOutcome::ToolError : UpstreamCallOutcome::Ok;
    // UpstreamForwarder: not answered and no error is the client's cancellation.
    return isError ? UpstreamCallOutcome::Failed : UpstreamCallOutcome::Cancelled;
}

} // namespace

UpstreamReporter::UpstreamReporter(UpstreamHost *host, Monitor *monitor, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_monitor(monitor)
{
    connect(host, &UpstreamHost::stateChanged, this, &UpstreamReporter::reportState);
    connect(host, &UpstreamHost::serverRemoved, this,
            [this](const QString &server) { m_monitor->reportUpstreamRemoved(server); });
    connect(host, &UpstreamHost::restartScheduled, this,
            [this](const QString &server, int attempt, int delayMs) {
                m_monitor->reportUpstreamRestartScheduled(
                    {server, attempt, delayMs, Clock::wallMs()});
            });
    connect(host, &UpstreamHost::toolsPublished, this, &UpstreamReporter::reportListed);
    connect(host, &UpstreamHost::diagnosticLine, this,
            [this](const QString &server, const QString &line) {
                m_monitor->reportUpstreamDiagnostic({server, line, Clock::wallMs()});
            });
    connect(host, &UpstreamHost::callEnded, this, &UpstreamReporter::reportCall);
    connect(host, &UpstreamHost::upstreamLogged, this,
            [this](const QString &server, LogLevel level, const QJsonValue &data,
                   const QString &logger) {
                m_monitor->reportUpstreamLog(
                    {server, LogLevels::name(level), logger, logText(data), Clock::wallMs()});
            });
    connect(host, &UpstreamHost::problem, this,
            [this](const QString &server, const QString &message) {
                m_monitor->reportUpstreamProblem({server, message, Clock::wallMs()});
            });
}

void UpstreamReporter::reportState(const QString &server, UpstreamState state,
                                   const QString &lastError)
{
    UpstreamStatus status;
    status.server = server;
    status.state = state;
    status.label = upstreamStateLabel(state);
    status.lastError = lastError;
    const UpstreamSupervisor *supervisor = m_host->supervisor(server);
    status.enabled = supervisor ? supervisor->isEnabled() : state != UpstreamState::Disabled;
    status.wallMs = Clock::wallMs();
    m_monitor->reportUpstreamState(status);
}

void UpstreamReporter::reportListed(const QString &server, int toolCount)
{
    UpstreamListEvent event;
    event.server = server;
    event.tools = toolCount;
    if (const UpstreamSupervisor *supervisor = m_host->supervisor(server)) {
        if (const UpstreamClient *client = supervisor->client()) {
            event.prompts = int(client->prompts().size());
            event.resources = int(client->resources().size());
        }
    }
    event.wallMs = Clock::wallMs();
    m_monitor->reportUpstreamListed(event);
}

void UpstreamReporter::reportCall(const QString &server, const QString &upstreamTool,
                                  bool answered, bool isError, qint64 elapsedUs)
{
    UpstreamCallRecord record;
    record.server = server;
    record.upstreamTool = upstreamTool;
    record.exposedName = exposedNameOf(server, upstreamTool);
    record.outcome = outcomeOf(answered, isError);
    record.latencyUs = elapsedUs;
    record.wallMs = Clock::wallMs();
    m_monitor->reportUpstreamCall(record);
}

QString UpstreamReporter::exposedNameOf(const QString &server, const QString &upstreamTool) const
{
    // The host maps exposed names to origins only; a server has few tools, so walk them.
    const QStringList exposed = m_host->exposedToolNames(server);
    for (const QString &name : exposed) {
        QString origin;
        if (m_host->serverOfTool(name, &origin) == server && origin == upstreamTool)
            return name;
    }
    return {};
}

} // namespace heartline
