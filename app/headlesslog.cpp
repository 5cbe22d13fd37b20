#include "app/headlesslog.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>
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

// Appends the field's value as the text format prints it, straight into the pending bytes.
void appendTextValue(QByteArray &out, const LogField &field)
{
    switch (field.kind) {
    case LogField::Kind::Text: {
        const QString &text = field.text;
        const bool plain = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) {
            const char16_t u = c.unicode();
            if (u < 0x7f) // printable ASCII is decided here; Unicode tables only past it
                return u > 0x20 && u != u'"' && u != u'=' && u != u'\\';
            return u != 0x7f && c.isPrint();
        });
        out += plain ? text.toUtf8() : quoted(text).toUtf8();
        return;
    }
    case LogField::Kind::Flag:
        out += field.number ? QByteArrayView("true") : QByteArrayView("false");
        return;
    case LogField::Kind::Number:
        out += QByteArray::number(field.number);
        return;
    }
}

QJsonValue jsonValue(const LogField &field)
{
    switch (field.kind) {
    case LogField::Kind::Text:
        return field.text;
    case LogField::Kind::Flag:
        return field.number != 0;
    case LogField::Kind::Number:
        break;
    }
    return field.number;
}

LogFields streamFields(const StreamInfo &stream)
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
        LogFields fields{{"session"_L1, session.id},
                         {"transport"_L1, transportKindName(session.transport)},
                         {"peer"_L1, session.peer}};
        // A stateless request knows its revision and client from its first line on, and is
        // never "ready" later: say it all here (a session says it once initialized).
        if (session.transport == TransportKind::StreamableHttpStateless) {
            fields.append({"revision"_L1, session.revision});
            if (!session.clientName.isEmpty())
                fields.append({"client"_L1, session.clientName});
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
        LogFields fields = streamFields(event.stream);
        fields.append({"completed"_L1, event.completed});
        fields.append({"events"_L1, qint64(event.events)});
        fields.append({"heartbeats"_L1, qint64(event.heartbeats)});
        fields.append({"bytes"_L1, qint64(event.bytes)});
        print(u"stream_closed"_s, fields);
    });
    connect(monitor, &Monitor::heartbeatSent, this, [this](const HeartbeatEvent &event) {
        print(u"heartbeat"_s, {{"stream"_L1, event.streamId},
                               {"session"_L1, event.sessionId},
                               {"seq"_L1, qint64(event.sequence)}});
    });
    connect(monitor, &Monitor::messageObserved, this, [this](const MessageEvent &event) {
        LogFields fields{{"session"_L1, event.sessionId}, {"bytes"_L1, event.bytes}};
        if (!event.method.isEmpty())
            fields.append({"method"_L1, event.method});
        if (!event.id.isEmpty())
            fields.append({"id"_L1, event.id});
        if (!event.streamId.isEmpty())
            fields.append({"stream"_L1, event.streamId});
        if (event.latencyMs >= 0)
            fields.append({"latency_ms"_L1, event.latencyMs});
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
        LogFields fields{{"cause"_L1, DisconnectCauses::name(event.cause)},
                         {"detail"_L1, event.detail}};
        if (!event.sessionId.isEmpty())
            fields.append({"session"_L1, event.sessionId});
        if (!event.streamId.isEmpty()) {
            fields.append({"stream"_L1, event.streamId});
            fields.append({"bytes"_L1, qint64(event.bytes)});
            fields.append({"heartbeats"_L1, qint64(event.heartbeats)});
            fields.append({"since_last_write_ms"_L1, event.sinceLastWriteMs});
        }
        if (!event.clientName.isEmpty())
            fields.append({"client"_L1, event.clientName});
        if (!event.peer.isEmpty())
            fields.append({"peer"_L1, event.peer});
        fields.append({"duration_ms"_L1, event.durationMs});
        print(u"disconnect"_s, fields);
    });
    connectUpstreams(monitor);
}

// The user's upstream servers, each line naming its server: what a person running headless
// needs to see why a server is not serving (its state and last error, its stderr).
void HeadlessLog::connectUpstreams(Monitor *monitor)
{
    connect(monitor, &Monitor::upstreamStateChanged, this, [this](const UpstreamStatus &status) {
        LogFields fields{{"server"_L1, status.server},
                         {"state"_L1, upstreamStateName(status.state)}};
        if (!status.lastError.isEmpty())
            fields.append({"error"_L1, status.lastError});
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
        LogFields fields{{"server"_L1, event.server}, {"tools"_L1, event.tools}};
        if (event.prompts >= 0)
            fields.append({"prompts"_L1, event.prompts});
        if (event.resources >= 0)
            fields.append({"resources"_L1, event.resources});
        print(u"upstream_listed"_s, fields);
    });
    connect(monitor, &Monitor::upstreamDiagnostic, this,
            [this](const UpstreamDiagnosticEvent &event) {
                print(u"upstream_stderr"_s, {{"server"_L1, event.server}, {"line"_L1, event.line}});
            });
    connect(monitor, &Monitor::upstreamCalled, this, [this](const UpstreamCallRecord &record) {
        LogFields fields{{"server"_L1, record.server},
                         {"upstream_tool"_L1, record.upstreamTool},
                         {"outcome"_L1, upstreamCallOutcomeName(record.outcome)},
                         {"latency_ms"_L1, record.latencyUs / 1000}};
        if (!record.exposedName.isEmpty())
            fields.append({"tool"_L1, record.exposedName});
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

const QByteArray &LogTimestamp::at(qint64 wallMs)
{
    if (wallMs == m_ms)
        return m_text;
    const qint64 ms = ((wallMs % 1000) + 1000) % 1000; // before 1970 too
    const qint64 second = wallMs - ms;
    if (second != m_second) {
        m_second = second;
        m_text = QDateTime::fromMSecsSinceEpoch(second, Qt::UTC)
                     .toString(Qt::ISODateWithMs)
                     .toUtf8(); // "...:55.000Z"
    }
    m_ms = wallMs;
    char *digits = m_text.data() + m_text.size() - 4;
    digits[0] = char('0' + ms / 100);
    digits[1] = char('0' + ms / 10 % 10);
    digits[2] = char('0' + ms % 10);
    return m_text;
}

const QByteArray &HeadlessLog::timestamp()
{
    return m_timestamp.at(Clock::wallMs());
}

void HeadlessLog::print(const QString &event, LogFields fields)
{
    if (m_format == Format::Json) {
        QJsonObject object;
        for (const LogField &field : std::as_const(fields))
            object.insert(field.key, jsonValue(field));
        object.insert("time"_L1, QString::fromUtf8(timestamp()));
        object.insert("event"_L1, event);
        m_pending += QJsonDocument(object).toJson(QJsonDocument::Compact);
    } else {
        // Keys in name order, as they always were. Written straight into the pending bytes:
        // a line per message and per heartbeat, each once built as a QString and converted.
        std::sort(fields.begin(), fields.end(),
                  [](const LogField &a, const LogField &b) { return a.key < b.key; });
        m_pending += timestamp();
        m_pending += ' ';
        m_pending += event.toUtf8();
        for (const LogField &field : std::as_const(fields)) {
            m_pending += ' ';
            m_pending += QByteArrayView(field.key.data(), field.key.size());
            m_pending += '=';
            appendTextValue(m_pending, field);
        }
    }
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
