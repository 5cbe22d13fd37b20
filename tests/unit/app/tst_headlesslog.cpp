// The headless log: one line per Monitor event, in text for people and JSON lines for tools.
// Values come from clients (method names, client names), so the tests feed it text built to
// end a line early and forge a second event, and check that it cannot.

#include "app/headlesslog.h"
#include "server/api/monitor.h"
#include "tests/support/servertestmain.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

// A newline followed by what a real log line looks like: a timestamp, an event, a field.
const QString kForgingMethod =
    u"tools/call\n2026-01-01T00:00:00.000Z session_closed session=FORGED"_s;
// A quote, a backslash, a carriage return and a control character (ESC, as in a terminal
// escape sequence that would erase the line).
const QString kHostileClient = u"say \"hi\" C:\\temp\r\x1b[2Kforged"_s;

// What the events below print, in order, one line each.
const QStringList kEvents{u"session_opened"_s, u"session_ready"_s, u"message_in"_s, u"disconnect"_s,
                          u"session_closed"_s};

void reportHostileTraffic(Monitor *monitor)
{
    SessionInfo session;
    session.id = u"s1"_s;
    session.peer = u"127.0.0.1"_s;
    monitor->reportSessionOpened(session);

    session.clientName = kHostileClient;
    session.clientVersion = u"1.0"_s;
    session.revision = u"2025-11-25"_s;
    session.initialized = true;
    monitor->reportSessionUpdated(session);

    MessageEvent message;
    message.sessionId = session.id;
    message.direction = MessageEvent::Direction::In;
    message.method = kForgingMethod;
    message.id = u"7"_s;
    message.bytes = 42;
    monitor->reportMessage(message);

    DisconnectEvent disconnect;
    disconnect.sessionId = session.id;
    disconnect.clientName = kHostileClient;
    disconnect.peer = session.peer;
    disconnect.cause = DisconnectCause::ClientClosed;
    disconnect.detail = u"the client went away"_s;
    monitor->reportDisconnect(disconnect);

    monitor->reportSessionClosed(session.id);
}

// One text line read back strictly: `TIME EVENT key=value ...`, where a value is either
// bare (no space, quote, backslash or '=') or quoted with \" \\ \n \r \uXXXX escapes.
struct TextLine
{
    QString time;
    QString event;
    QList<QPair<QString, QString>> fields; // unescaped values
    QString error;

    QString value(const QString &key) const
    {
        for (const auto &field : fields) {
            if (field.first == key)
                return field.second;
        }
        return {};
    }
};

TextLine parseTextLine(const QString &line)
{
    TextLine parsed;
    static const QRegularExpression head(
        u"^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) ([a-z_]+)"_s);
    const QRegularExpressionMatch match = head.match(line);
    if (!match.hasMatch()) {
        parsed.error = u"no time and event at the start"_s;
        return parsed;
    }
    parsed.time = match.captured(1);
    parsed.event = match.captured(2);
    static const QRegularExpression key(u"\\G ([a-z_]+)="_s);
    qsizetype pos = match.capturedLength();
    while (pos < line.size()) {
        const QRegularExpressionMatch name = key.match(line, pos);
        if (!name.hasMatch()) {
            parsed.error = u"no field at column %1"_s.arg(pos);
            return parsed;
        }
        pos += name.capturedLength();
        QString value;
        if (line.at(pos) != u'"') {
            while (pos < line.size() && line.at(pos) != u' ') {
                const QChar c = line.at(pos++);
                if (c == u'"' || c == u'\\' || c == u'=' || c.unicode() < 0x20) {
                    parsed.error = u"a bare value holds '%1'"_s.arg(c);
                    return parsed;
                }
                value += c;
            }
        } else {
            ++pos;
            for (;;) {
                if (pos >= line.size()) {
                    parsed.error = u"an unterminated quoted value"_s;
                    return parsed;
                }
                const QChar c = line.at(pos++);
                if (c == u'"')
                    break;
                if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
                    parsed.error = u"a raw control character in a quoted value"_s;
                    return parsed;
                }
                if (c != u'\\') {
                    value += c;
                    continue;
                }
                const QChar escaped = pos < line.size() ? line.at(pos++) : QChar();
                if (escaped == u'"' || escaped == u'\\') {
                    value += escaped;
                } else if (escaped == u'n') {
                    value += u'\n';
                } else if (escaped == u'r') {
                    value += u'\r';
                } else if (escaped == u'u') {
                    bool ok = false;
                    const ushort code = line.mid(pos, 4).toUShort(&ok, 16);
                    if (!ok || line.mid(pos, 4).size() != 4) {
                        parsed.error = u"a bad \\u escape"_s;
                        return parsed;
                    }
                    value += QChar(code);
                    pos += 4;
                } else {
                    parsed.error = u"an unknown escape \\%1"_s.arg(escaped);
                    return parsed;
                }
            }
            if (pos < line.size() && line.at(pos) != u' ') {
                parsed.error = u"text right after a quoted value"_s;
                return parsed;
            }
        }
        parsed.fields.append({name.captured(1), value});
    }
    return parsed;
}

QList<QByteArray> linesOf(const QByteArray &output, QString *error)
{
    if (!output.endsWith('\n')) {
        *error = u"the output does not end with a newline"_s;
        return {};
    }
    return output.chopped(1).split('\n');
}

// An upstream's stderr is the child's own text: it may forge a line just as a client may.
const QString kForgingStderr =
    u"npm WARN\n2026-01-01T00:00:00.000Z upstream_state server=memory state=ready"_s;

// One of each upstream event, in the order of kUpstreamEvents.
void reportUpstreamLife(Monitor *monitor)
{
    UpstreamStatus status;
    status.server = u"memory"_s;
    status.state = UpstreamState::Crashed;
    status.label = upstreamStateLabel(status.state);
    status.lastError = u"exited with status 1"_s;
    monitor->reportUpstreamState(status);
    monitor->reportUpstreamRestartScheduled({u"memory"_s, 2, 2000, 0});
    status.state = UpstreamState::Ready;
    status.lastError.clear();
    monitor->reportUpstreamState(status);
    monitor->reportUpstreamListed({u"memory"_s, 5, 0, 2, 0});
    monitor->reportUpstreamDiagnostic({u"memory"_s, kForgingStderr, 0});
    UpstreamCallRecord call;
    call.server = u"memory"_s;
    call.upstreamTool = u"read_graph"_s;
    call.exposedName = u"memory__read_graph"_s;
    call.outcome = UpstreamCallOutcome::ToolError;
    call.latencyUs = 12'345;
    monitor->reportUpstreamCall(call);
    monitor->reportUpstreamLog(
        {u"memory"_s, u"warning"_s, u"memory/kg"_s, u"graph file missing"_s, 0});
    monitor->reportUpstreamProblem({u"memory"_s, u"a response for unknown id 9"_s, 0});
    monitor->reportUpstreamRemoved(u"memory"_s);
}

// What the log prints for the events `report` gives a fresh Monitor, line by line.
QList<QByteArray> printedLines(HeadlessLog::Format format, void (*report)(Monitor *),
                               QString *error)
{
    Monitor monitor;
    QBuffer output;
    output.open(QIODevice::WriteOnly);
    HeadlessLog log(&monitor, format, &output);
    report(&monitor);
    log.flush();
    return linesOf(output.data(), error);
}

// Counts the writes that reach it: the log's promise is one write per loop turn, not per line.
class CountingBuffer final : public QBuffer
{
public:
    int writes = 0;

protected:
    qint64 writeData(const char *data, qint64 length) override
    {
        ++writes;
        return QBuffer::writeData(data, length);
    }
};

const QStringList kUpstreamEvents{
    u"upstream_state"_s,  u"upstream_restart"_s, u"upstream_state"_s,
    u"upstream_listed"_s, u"upstream_stderr"_s,  u"upstream_call"_s,
    u"upstream_log"_s,    u"upstream_problem"_s, u"upstream_removed"_s};

} // namespace

class tst_HeadlessLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void textKeepsClientTextInsideItsField();
    void textLeavesPlainValuesBare();
    void jsonPrintsOneObjectPerLineWithExactStrings();
    void upstreamEventsNameTheirServer();
    void upstreamEventsInJson();
    void writesTheLinesOfALoopTurnAtOnce();
    void writesWhatIsLeftWhenDestroyed();
    void timestampsReadAsQtFormatsThem();
};

void tst_HeadlessLog::textKeepsClientTextInsideItsField()
{
    Monitor monitor;
    QBuffer output;
    QVERIFY(output.open(QIODevice::WriteOnly));
    HeadlessLog log(&monitor, HeadlessLog::Format::Text, &output);
    reportHostileTraffic(&monitor);
    log.flush();

    const QByteArray text = output.data();
    QVERIFY2(!text.contains('\r'), text.constData());
    QString error;
    const QList<QByteArray> lines = linesOf(text, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(lines.size() == kEvents.size(), text.constData());

    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines.at(i));
        const TextLine parsed = parseTextLine(line);
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error + u": "_s + line));
        QCOMPARE(parsed.event, kEvents.at(i));
        QVERIFY2(parsed.value(u"session"_s) == "s1"_L1, qPrintable(line));
    }

    // Quoted and escaped, exactly; read back, the original text.
    const QString messageLine = QString::fromUtf8(lines.at(2));
    QVERIFY2(
        messageLine.contains(
            u" method=\"tools/call\\n2026-01-01T00:00:00.000Z session_closed session=FORGED\""_s),
        qPrintable(messageLine));
    QCOMPARE(parseTextLine(messageLine).value(u"method"_s), kForgingMethod);
    QCOMPARE(parseTextLine(messageLine).value(u"id"_s), u"7"_s);

    for (const int at : {1, 3}) {
        const QString line = QString::fromUtf8(lines.at(at));
        QVERIFY2(line.contains(u" client=\"say \\\"hi\\\" C:\\\\temp\\r\\u001b[2Kforged\""_s),
                 qPrintable(line));
        QCOMPARE(parseTextLine(line).value(u"client"_s), kHostileClient);
    }
}

void tst_HeadlessLog::textLeavesPlainValuesBare()
{
    Monitor monitor;
    QBuffer output;
    QVERIFY(output.open(QIODevice::WriteOnly));
    HeadlessLog log(&monitor, HeadlessLog::Format::Text, &output);

    MessageEvent message;
    message.sessionId = u"0123abcd"_s;
    message.method = u"tools/list"_s;
    message.id = u"\"req-1\""_s; // a string id is displayed with its quotes
    message.bytes = 3;
    monitor.reportMessage(message);
    log.flush();

    const QString line = QString::fromUtf8(output.data()).chopped(1);
    QVERIFY2(line.contains(u" method=tools/list"_s), qPrintable(line));
    QVERIFY2(line.contains(u" session=0123abcd"_s), qPrintable(line));
    QVERIFY2(line.contains(u" id=\"\\\"req-1\\\"\""_s), qPrintable(line));
    const TextLine parsed = parseTextLine(line);
    QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error + u": "_s + line));
    QCOMPARE(parsed.value(u"id"_s), message.id);
}

void tst_HeadlessLog::jsonPrintsOneObjectPerLineWithExactStrings()
{
    Monitor monitor;
    QBuffer output;
    QVERIFY(output.open(QIODevice::WriteOnly));
    HeadlessLog log(&monitor, HeadlessLog::Format::Json, &output);
    reportHostileTraffic(&monitor);
    log.flush();

    const QByteArray text = output.data();
    QVERIFY2(!text.contains('\r'), text.constData());
    QString error;
    const QList<QByteArray> lines = linesOf(text, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(lines.size() == kEvents.size(), text.constData());

    QList<QJsonObject> objects;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(lines.at(i), &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError && document.isObject(),
                 lines.at(i).constData());
        const QJsonObject object = document.object();
        QCOMPARE(object.value("event"_L1).toString(), kEvents.at(i));
        QVERIFY2(
            QDateTime::fromString(object.value("time"_L1).toString(), Qt::ISODateWithMs).isValid(),
            lines.at(i).constData());
        QCOMPARE(object.value("session"_L1).toString(), u"s1"_s);
        objects.append(object);
    }
    QCOMPARE(objects.at(1).value("client"_L1).toString(), kHostileClient);
    QCOMPARE(objects.at(2).value("method"_L1).toString(), kForgingMethod);
    QCOMPARE(objects.at(2).value("id"_L1).toString(), u"7"_s);
    QCOMPARE(objects.at(3).value("client"_L1).toString(), kHostileClient);
    QCOMPARE(objects.at(3).value("cause"_L1).toString(), u"client_closed"_s);
}

void tst_HeadlessLog::upstreamEventsNameTheirServer()
{
    QString error;
    const QList<QByteArray> lines =
        printedLines(HeadlessLog::Format::Text, reportUpstreamLife, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(lines.size(), kUpstreamEvents.size());
    QList<TextLine> parsed;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines.at(i));
        parsed.append(parseTextLine(line));
        QVERIFY2(parsed.last().error.isEmpty(), qPrintable(parsed.last().error + u": "_s + line));
        QCOMPARE(parsed.last().event, kUpstreamEvents.at(i));
        QCOMPARE(parsed.last().value(u"server"_s), u"memory"_s);
    }
    QCOMPARE(parsed.at(0).value(u"state"_s), u"crashed"_s);
    QCOMPARE(parsed.at(0).value(u"error"_s), u"exited with status 1"_s);
    QCOMPARE(parsed.at(1).value(u"attempt"_s), u"2"_s);
    QCOMPARE(parsed.at(1).value(u"delay_ms"_s), u"2000"_s);
    QCOMPARE(parsed.at(2).value(u"state"_s), u"ready"_s);
    QVERIFY(!lines.at(2).contains("error=")); // no stale error on a good state
    QCOMPARE(parsed.at(3).value(u"tools"_s), u"5"_s);
    QCOMPARE(parsed.at(3).value(u"prompts"_s), u"0"_s);
    QCOMPARE(parsed.at(3).value(u"resources"_s), u"2"_s);
    QCOMPARE(parsed.at(4).value(u"line"_s), kForgingStderr); // the forged line stays inside
    QCOMPARE(parsed.at(5).value(u"tool"_s), u"memory__read_graph"_s);
    QCOMPARE(parsed.at(5).value(u"upstream_tool"_s), u"read_graph"_s);
    QCOMPARE(parsed.at(5).value(u"outcome"_s), u"tool_error"_s);
    QCOMPARE(parsed.at(5).value(u"latency_ms"_s), u"12"_s);
    QCOMPARE(parsed.at(6).value(u"level"_s), u"warning"_s);
    QCOMPARE(parsed.at(6).value(u"logger"_s), u"memory/kg"_s);
    QCOMPARE(parsed.at(6).value(u"data"_s), u"graph file missing"_s);
    QCOMPARE(parsed.at(7).value(u"message"_s), u"a response for unknown id 9"_s);
}

void tst_HeadlessLog::upstreamEventsInJson()
{
    QString error;
    const QList<QByteArray> lines =
        printedLines(HeadlessLog::Format::Json, reportUpstreamLife, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(lines.size(), kUpstreamEvents.size());
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QJsonObject object = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(object.value("event"_L1).toString(), kUpstreamEvents.at(i));
        QCOMPARE(object.value("server"_L1).toString(), u"memory"_s);
    }
    QCOMPARE(QJsonDocument::fromJson(lines.at(4)).object().value("line"_L1).toString(),
             kForgingStderr);
    QCOMPARE(QJsonDocument::fromJson(lines.at(5)).object().value("latency_ms"_L1).toInt(), 12);
}

void tst_HeadlessLog::writesTheLinesOfALoopTurnAtOnce()
{
    Monitor monitor;
    CountingBuffer output;
    QVERIFY(output.open(QIODevice::WriteOnly));
    HeadlessLog log(&monitor, HeadlessLog::Format::Text, &output);
    reportHostileTraffic(&monitor);
    QCOMPARE(output.writes, 0); // still in the turn that reported them

    QTRY_VERIFY_WITH_TIMEOUT(output.writes > 0, 5000);
    QCOMPARE(output.writes, 1);
    QString error;
    QCOMPARE(linesOf(output.data(), &error).size(), kEvents.size());
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // The next turn's lines go out on their own, after the first ones.
    SessionInfo next;
    next.id = u"s2"_s;
    next.peer = u"127.0.0.1"_s;
    monitor.reportSessionOpened(next);
    QTRY_VERIFY_WITH_TIMEOUT(output.writes == 2, 5000);
    const QList<QByteArray> all = linesOf(output.data(), &error);
    QCOMPARE(all.size(), kEvents.size() + 1);
    const TextLine last = parseTextLine(QString::fromUtf8(all.constLast()));
    QCOMPARE(last.event, u"session_opened"_s);
    QCOMPARE(last.value(u"session"_s), u"s2"_s);
}

void tst_HeadlessLog::writesWhatIsLeftWhenDestroyed()
{
    Monitor monitor;
    QBuffer output;
    QVERIFY(output.open(QIODevice::WriteOnly));
    {
        HeadlessLog log(&monitor, HeadlessLog::Format::Json, &output);
        reportHostileTraffic(&monitor);
    }
    QString error;
    QCOMPARE(linesOf(output.data(), &error).size(), kEvents.size());
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

HEARTLINE_SERVER_TEST_MAIN(tst_HeadlessLog)
void tst_HeadlessLog::timestampsReadAsQtFormatsThem()
{
    // One formatter walked through times in the order a log meets them, and some it should
    // not (the clock stepped back): every answer is what QDateTime would have printed, so a
    // second carried over from the previous call, or milliseconds padded wrongly, fail here.
    const qint64 base =
        QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59), Qt::UTC).toMSecsSinceEpoch();
    const QList<qint64> times{base,        base + 7,    base + 7,   base + 42, base + 999,
                              base + 1000, base + 1001, base + 310, base - 1,  base + 86400001,
                              0,           -1,          -999,       -1000,     -1001};
    LogTimestamp timestamp;
    for (const qint64 ms : times) {
        const QByteArray expected =
            QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
        QCOMPARE(timestamp.at(ms), expected);
    }
}

#include "tst_headlesslog.moc"
