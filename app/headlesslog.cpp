#include "app/headlesslog.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// Past this, lines are written at once rather than at the end of the turn: a burst (thousands
// of streams closing together) costs a few large writes, not one huge buffer.
constexpr qsizetype kFlushAtBytes = 64 * 1024;

// Values come from clients (method names, client names), so a value must never be able to
// end its line or pass for another field: anything but plain printable text is quoted, and
// quotes, backslashes and control characters inside are escaped.
QString quoted(const QString &text)
{
    QString out = u"\""_s;
    for (const QChar c : text) {
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\r')
            out += u"\\r"_s;
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += u"\\u%1"_s.arg(uint(c.unicode()), 4, 16, QChar(u'0'));
        else
            out += c;
    }
    return out + u'"';
}

QString textValue(const QJsonValue &value)
{
    if (value.isString()) {
        const QString text = value.toString();
        const bool plain = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) {
            return c.unicode() > 0x20 && c.unicode() != 0x7f && c != u'"' && c != u'=' && c != u'\\'
                   && c.isPrint();
        });
        return plain ? text : quoted(text);
    }
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    if (value.isDouble())
        return QString::number(value.toInteger(qint64(value.toDouble())));
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

QJsonObject streamFields(const StreamInfo &stream)
{
    return {{"stream"_L1, stream.id},
            {"session"_L1, stream.sessionId},
            {"kind"_L1, streamKindName(stream.kind)},
            {"peer"_L1, stream.peer}};
}

} // namespace

HeadlessLog::HeadlessLog(Monitor *monitor, Format format, QIODevice *output, QObject *parent)
    : QObject(parent)
    , m_format(format)
    , m_output(output)
{
    connect(monitor, &Monitor::listening, this, [this](const QString &endpoint, int heartbeatMs) {
        print(u"ready"_s, {{"endpoint"_L1, endpoint}, {"heartbeat_ms"_L1, heartbeatMs}});
    });
    connect(monitor, &Monitor::heartbeatIntervalChanged, this, [this](int heartbeatMs) {
        print(u"heartbeat_interval"_s, {{"heartbeat_ms"_L1, heartbeatMs}});
    });
    connect(monitor, &Monitor::sessionOpened, this, [this](const SessionInfo &session) {
        QJsonObject fields{{"session"_L1, session.id},
                           {"transport"_L1, transportKindName(session.transport)},
                           {"peer"_L1, session.peer}};
        // A stateless request knows its revision and client from its first line on, and is
        // never "ready" later: say it all here (a session says it once initialized).
        if (session.transport == TransportKind::StreamableHttpStateless) {
            fields.insert("revision"_L1, session.revision);
            if (!session.clientName.isEmpty())
                fields.insert("client"_L1, session.clientName);
        }
        print(u"session_opened"_s, fields);
    });
    connect(monitor, &Monitor::sessionUpdated, this, [this](const SessionInfo &session) {
        print(session.initialized ? u"session_ready"_s : u"session_identified"_s,
              {{"session"_L1, session.id},
               {"client"_L1, session.clientName},
               {"client_version"_L1, session.clientVersion},
               {"revision"_L1, session.revision}});
    });
    connect(monitor, &Monitor::sessionClosed, this, [this](const QString &sessionId) {
        print(u"session_closed"_s, {{"session"_L1, sessionId}});
    });
    connect(monitor, &Monitor::streamOpened, this,
            [this](const StreamInfo &stream) { print(u"stream_opened"_s, streamFields(stream)); });
    connect(monitor, &Monitor::streamClosed, this, [this](const StreamClosedEvent &event) {
        QJsonObject fields = streamFields(event.stream);
        fields.insert("completed"_L1, event.completed);
        fields.insert("events"_L1, qint64(event.events));
        fields.insert("heartbeats"_L1, qint64(event.heartbeats));
        fields.insert("bytes"_L1, qint64(event.bytes));
        print(u"stream_closed"_s, fields);
    });
    connect(monitor, &Monitor::heartbeatSent, this, [this](const HeartbeatEvent &event) {
        print(u"heartbeat"_s, {{"stream"_L1, event.streamId},
                               {"session"_L1, event.sessionId},
                               {"seq"_L1, qint64(event.sequence)}});
    });
    connect(monitor, &Monitor::messageObserved, this, [this](const MessageEvent &event) {
        QJsonObject fields{{"session"_L1, event.sessionId}, {"bytes"_L1, event.bytes}};
        if (!event.method.isEmpty())
            fields.insert("method"_L1, event.method);
        if (!event.id.isEmpty())
            fields.insert("id"_L1, event.id);
        if (!event.streamId.isEmpty())
            fields.insert("stream"_L1, event.streamId);
        if (event.latencyMs >= 0)
            fields.insert("latency_ms"_L1, event.latencyMs);
        print(event.direction == MessageEvent::Direction::In ? u"message_in"_s : u"message_out"_s,
              fields);
    });
    connect(monitor, &Monitor::toolChanged, this, [this](const ToolEvent &event) {
        static const char *const changes[] = {"registered", "unregistered", "enabled", "disabled"};
        print(u"tool_"_s + QLatin1StringView(changes[int(event.change)]),
              {{"tool"_L1, event.name}});
    });
    connect(monitor, &Monitor::pingAnswered, this, [this](const QString &sessionId, qint64 rttMs) {
        print(u"ping"_s, {{"session"_L1, sessionId}, {"rtt_ms"_L1, rttMs}});
    });
    connect(monitor, &Monitor::disconnected, this, [this](const DisconnectEvent &event) {
        QJsonObject fields{{"cause"_L1, DisconnectCauses::name(event.cause)},
                           {"detail"_L1, event.detail}};
        if (!event.sessionId.isEmpty())
            fields.insert("session"_L1, event.sessionId);
        if (!event.streamId.isEmpty()) {
            fields.insert("stream"_L1, event.streamId);
            fields.insert("bytes"_L1, qint64(event.bytes));
            fields.insert("heartbeats"_L1, qint64(event.heartbeats));
            fields.insert("since_last_write_ms"_L1, event.sinceLastWriteMs);
        }
        if (!event.clientName.isEmpty())
            fields.insert("client"_L1, event.clientName);
        if (!event.peer.isEmpty())
            fields.insert("peer"_L1, event.peer);
        fields.insert("duration_ms"_L1, event.durationMs);
        print(u"disconnect"_s, fields);
    });
    connectUpstreams(monitor);
}

// The user's upstream servers, each line naming its server: what a person running headless
// needs to see why a server is not serving (its state and last error, its stderr).
void HeadlessLog::connectUpstreams(Monitor *monitor)
{
    connect(monitor, &Monitor::upstreamStateChanged, this, [this](const UpstreamStatus &status) {
        QJsonObject fields{{"server"_L1, status.server},
                           {"state"_L1, upstreamStateName(status.state)}};
        if (!status.lastError.isEmpty())
            fields.insert("error"_L1, status.lastError);
        print(u"upstream_state"_s, fields);
    });
    connect(monitor, &Monitor::upstreamRemoved, this, [this](const QString &server) {
        print(u"upstream_removed"_s, {{"server"_L1, server}});
    });
    connect(monitor, &Monitor::upstreamRestartScheduled, this,
            [this](const UpstreamRestartEvent &event) {
                print(u"upstream_restart"_s, {{"server"_L1, event.server},
                                              {"attempt"_L1, event.attempt},
                                              {"delay_ms"_L1, event.delayMs}});
            });
    connect(monitor, &Monitor::upstreamListed, this, [this](const UpstreamListEvent &event) {
        QJsonObject fields{{"server"_L1, event.server}, {"tools"_L1, event.tools}};
        if (event.prompts >= 0)
            fields.insert("prompts"_L1, event.prompts);
        if (event.resources >= 0)
            fields.insert("resources"_L1, event.resources);
        print(u"upstream_listed"_s, fields);
    });
    connect(monitor, &Monitor::upstreamDiagnostic, this,
            [this](const UpstreamDiagnosticEvent &event) {
                print(u"upstream_stderr"_s, {{"server"_L1, event.server}, {"line"_L1, event.line}});
            });
    connect(monitor, &Monitor::upstreamCalled, this, [this](const UpstreamCallRecord &record) {
        QJsonObject fields{{"server"_L1, record.server},
                           {"upstream_tool"_L1, record.upstreamTool},
                           {"outcome"_L1, upstreamCallOutcomeName(record.outcome)},
                           {"latency_ms"_L1, record.latencyUs / 1000}};
        if (!record.exposedName.isEmpty())
            fields.insert("tool"_L1, record.exposedName);
        print(u"upstream_call"_s, fields);
    });
    connect(monitor, &Monitor::upstreamLogged, this, [this](const UpstreamLogEvent &event) {
        print(u"upstream_log"_s, {{"server"_L1, event.server},
                                  {"level"_L1, event.level},
                                  {"logger"_L1, event.logger},
                                  {"data"_L1, event.text}});
    });
    connect(monitor, &Monitor::upstreamProblem, this, [this](const UpstreamProblemEvent &event) {
        print(u"upstream_problem"_s, {{"server"_L1, event.server}, {"message"_L1, event.message}});
    });
}

HeadlessLog::~HeadlessLog()
{
    flush();
}

void HeadlessLog::flush()
{
    if (m_pending.isEmpty())
        return;
    m_output->write(m_pending);
    m_pending.resize(0); // keeps the capacity for the next turn
}

bool HeadlessLog::parseFormat(const QString &text, Format *format)
{
    if (text == "text"_L1)
        *format = Format::Text;
    else if (text == "json"_L1)
        *format = Format::Json;
    else
        return false;
    return true;
}

void HeadlessLog::print(const QString &event, const QJsonObject &fields)
{
    const QString time =
        QDateTime::fromMSecsSinceEpoch(Clock::wallMs(), Qt::UTC).toString(Qt::ISODateWithMs);
    QByteArray line;
    if (m_format == Format::Json) {
        QJsonObject object = fields;
        object.insert("time"_L1, time);
        object.insert("event"_L1, event);
        line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    } else {
        QString text = time + u' ' + event;
        for (auto it = fields.begin(); it != fields.end(); ++it)
            text += u' ' + it.key() + u'=' + textValue(it.value());
        line = text.toUtf8();
    }
    m_pending += line;
    m_pending += '\n';
    if (m_pending.size() >= kFlushAtBytes) {
        flush();
        return;
    }
    if (!m_flushQueued) {
        m_flushQueued = true;
        QTimer::singleShot(0, this, [this]() {
            m_flushQueued = false;
            flush();
        });
    }
}

} // namespace heartline
