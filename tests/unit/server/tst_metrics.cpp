#include "server/http/metrics.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::MonitorSnapshot)

namespace {

struct Sample
{
    QString family;
    QList<QPair<QString, QString>> labels; // unescaped values
    QString value;
};

// A strict reader of the Prometheus text exposition format 0.0.4: it fails on anything a
// scraper could misread, and returns the samples with their label values unescaped.
struct Exposition
{
    QList<Sample> samples;
    QHash<QString, QString> types;
    QHash<QString, QString> helps;
    QString error;

    // "name{a=\"b\"}" -> sample value; the key is built from the unescaped labels.
    QHash<QString, QString> byKey() const
    {
        QHash<QString, QString> values;
        for (const Sample &sample : samples)
            values.insert(key(sample.family, sample.labels), sample.value);
        return values;
    }

    static QString key(const QString &family, const QList<QPair<QString, QString>> &labels)
    {
        QStringList parts;
        for (const auto &label : labels)
            parts.append(label.first + u'=' + label.second);
        return family + u'{' + parts.join(u',') + u'}';
    }
};

// Reads `name="value",...}` at `pos`; false on any malformed label or escape.
bool readLabels(const QString &line, qsizetype *pos, QList<QPair<QString, QString>> *labels)
{
    static const QRegularExpression labelName(u"\\G[a-zA-Z_][a-zA-Z0-9_]*"_s);
    while (true) {
        const QRegularExpressionMatch name = labelName.match(line, *pos);
        if (!name.hasMatch())
            return false;
        *pos += name.capturedLength();
        if (line.mid(*pos, 2) != "=\""_L1)
            return false;
        *pos += 2;
        QString value;
        while (true) {
            if (*pos >= line.size())
                return false;
            const QChar c = line.at(*pos);
            ++*pos;
            if (c == u'"')
                break;
            if (c == u'\\') {
                if (*pos >= line.size())
                    return false;
                const QChar escaped = line.at(*pos);
                ++*pos;
                if (escaped == u'\\')
                    value += u'\\';
                else if (escaped == u'"')
                    value += u'"';
                else if (escaped == u'n')
                    value += u'\n';
                else
                    return false;
                continue;
            }
            value += c;
        }
        labels->append({name.captured(), value});
        if (*pos < line.size() && line.at(*pos) == u',') {
            ++*pos;
            continue;
        }
        if (*pos < line.size() && line.at(*pos) == u'}') {
            ++*pos;
            return true;
        }
        return false;
    }
}

Exposition parseExposition(const QByteArray &text)
{
    Exposition out;
    if (!text.endsWith('\n')) {
        out.error = u"the exposition does not end with a newline"_s;
        return out;
    }
    static const QRegularExpression metricName(u"\\A[a-zA-Z_:][a-zA-Z0-9_:]*"_s);
    static const QRegularExpression helpLine(u"\\A# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)\\z"_s);
    static const QRegularExpression typeLine(
        u"\\A# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)\\z"_s);
    static const QRegularExpression valueText(u"\\A-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\z"_s);
    QSet<QString> seenKeys;
    QSet<QString> closedFamilies; // families whose samples are over: they must stay together
    QString currentFamily;
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QString &line = lines.at(i);
        const QString where = u"line %1 '%2': "_s.arg(i + 1).arg(line);
        if (line.startsWith("# HELP "_L1)) {
            const QRegularExpressionMatch match = helpLine.match(line);
            if (!match.hasMatch() || out.helps.contains(match.captured(1))) {
                out.error = where + u"malformed or repeated HELP"_s;
                return out;
            }
            out.helps.insert(match.captured(1), match.captured(2));
            continue;
        }
        if (line.startsWith("# TYPE "_L1)) {
            const QRegularExpressionMatch match = typeLine.match(line);
            if (!match.hasMatch() || out.types.contains(match.captured(1))) {
                out.error = where + u"malformed or repeated TYPE"_s;
                return out;
            }
            out.types.insert(match.captured(1), match.captured(2));
            continue;
        }
        if (line.isEmpty() || line.startsWith(u'#'))
            continue; // blank lines and other comments carry nothing
        const QRegularExpressionMatch name = metricName.match(line);
        if (!name.hasMatch()) {
            out.error = where + u"no metric name"_s;
            return out;
        }
        Sample sample;
        sample.family = name.captured();
        qsizetype pos = name.capturedLength();
        if (pos < line.size() && line.at(pos) == u'{') {
            ++pos;
            if (!readLabels(line, &pos, &sample.labels)) {
                out.error = where + u"malformed labels"_s;
                return out;
            }
        }
        if (pos >= line.size() || line.at(pos) != u' ') {
            out.error = where + u"no space before the value"_s;
            return out;
        }
        sample.value = line.mid(pos + 1);
        if (!valueText.match(sample.value).hasMatch()) {
            out.error = where + u"the value is not a number"_s;
            return out;
        }
        if (!out.types.contains(sample.family) || !out.helps.contains(sample.family)) {
            out.error = where + u"sample before its # HELP and # TYPE"_s;
            return out;
        }
        if (out.types.value(sample.family) == "counter"_L1
            && !sample.family.endsWith("_total"_L1)) {
            out.error = where + u"a counter not named *_total"_s;
            return out;
        }
        if (sample.family != currentFamily) {
            if (closedFamilies.contains(sample.family)) {
                out.error = where + u"the family's samples are not together"_s;
                return out;
            }
            if (!currentFamily.isEmpty())
                closedFamilies.insert(currentFamily);
            currentFamily = sample.family;
        }
        const QString key = Exposition::key(sample.family, sample.labels);
        if (seenKeys.contains(key)) {
            out.error = where + u"duplicate series"_s;
            return out;
        }
        seenKeys.insert(key);
        out.samples.append(sample);
    }
    return out;
}

MonitorSnapshot busySnapshot()
{
    MonitorSnapshot snapshot;
    snapshot.sessions = {SessionInfo{}, SessionInfo{}, SessionInfo{}};
    snapshot.streams = {StreamInfo{}, StreamInfo{}};
    snapshot.heartbeatIntervalMs = 15000;
    snapshot.counters.sessionsOpened = 11;
    snapshot.counters.streamsOpened = 12;
    snapshot.counters.heartbeats = 13;
    snapshot.counters.messagesIn = 14;
    snapshot.counters.messagesOut = 15;
    snapshot.counters.disconnectsByCause.insert(u"slow_consumer"_s, 16);
    snapshot.counters.disconnectsByCause.insert(u"client_closed"_s, 17);
    snapshot.counters.toolCalls.insert({u"echo"_s, u"ok"_s}, 18);
    snapshot.counters.toolCalls.insert({u"echo"_s, u"tool_error"_s}, 19);
    return snapshot;
}

} // namespace

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void renderIsValidExposition_data();
    void renderIsValidExposition();
    void countsComeFromTheSnapshot_data();
    void countsComeFromTheSnapshot();
    void everyDisconnectCauseHasASeries();
    void labelValuesAreEscaped_data();
    void labelValuesAreEscaped();
    void heartbeatIntervalIsNeverNegative();
};

void tst_Metrics::renderIsValidExposition_data()
{
    QTest::addColumn<MonitorSnapshot>("snapshot");

    QTest::newRow("empty") << MonitorSnapshot();
    QTest::newRow("busy") << busySnapshot();
    MonitorSnapshot awkward = busySnapshot();
    awkward.counters.toolCalls.insert({u"a\"b\\c\nd"_s, u"ok"_s}, 1);
    awkward.counters.toolCalls.insert({u"caf\u00e9 \u2713"_s, u"cancelled"_s}, 2);
    QTest::newRow("awkward tool names") << awkward;
}

void tst_Metrics::renderIsValidExposition()
{
    QFETCH(MonitorSnapshot, snapshot);

    const QByteArray text = Metrics::render(snapshot, 3, 2);
    const Exposition exposition = parseExposition(text);
    QVERIFY2(exposition.error.isEmpty(),
             qPrintable(exposition.error + u'\n' + QString::fromUtf8(text)));
    QVERIFY(!exposition.samples.isEmpty());
    // Every family announced has a type, and every type has help.
    QCOMPARE(QSet<QString>(exposition.types.keyBegin(), exposition.types.keyEnd()),
             QSet<QString>(exposition.helps.keyBegin(), exposition.helps.keyEnd()));
}

void tst_Metrics::countsComeFromTheSnapshot_data()
{
    QTest::addColumn<QString>("series");
    QTest::addColumn<QString>("value");

    QTest::newRow("sessions") << u"heartline_sessions{}"_s << u"3"_s;
    QTest::newRow("sessions opened") << u"heartline_sessions_opened_total{}"_s << u"11"_s;
    QTest::newRow("streams") << u"heartline_streams{}"_s << u"2"_s;
    QTest::newRow("streams opened") << u"heartline_streams_opened_total{}"_s << u"12"_s;
    QTest::newRow("heartbeats") << u"heartline_heartbeats_total{}"_s << u"13"_s;
    QTest::newRow("interval") << u"heartline_heartbeat_interval_milliseconds{}"_s << u"15000"_s;
    QTest::newRow("messages in") << u"heartline_messages_total{direction=in}"_s << u"14"_s;
    QTest::newRow("messages out") << u"heartline_messages_total{direction=out}"_s << u"15"_s;
    QTest::newRow("slow consumer")
        << u"heartline_disconnects_total{cause=slow_consumer}"_s << u"16"_s;
    QTest::newRow("client closed")
        << u"heartline_disconnects_total{cause=client_closed}"_s << u"17"_s;
    QTest::newRow("cause never seen")
        << u"heartline_disconnects_total{cause=too_large}"_s << u"0"_s;
    QTest::newRow("tool ok") << u"heartline_tool_calls_total{tool=echo,outcome=ok}"_s << u"18"_s;
    QTest::newRow("tool error") << u"heartline_tool_calls_total{tool=echo,outcome=tool_error}"_s
                                << u"19"_s;
    QTest::newRow("tools registered") << u"heartline_tools{state=registered}"_s << u"7"_s;
    QTest::newRow("tools enabled") << u"heartline_tools{state=enabled}"_s << u"5"_s;
}

void tst_Metrics::countsComeFromTheSnapshot()
{
    QFETCH(QString, series);
    QFETCH(QString, value);

    const Exposition exposition = parseExposition(Metrics::render(busySnapshot(), 7, 5));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QHash<QString, QString> values = exposition.byKey();
    QVERIFY2(values.contains(series), qPrintable(QStringList(values.keys()).join(u'\n')));
    QCOMPARE(values.value(series), value);
}

void tst_Metrics::everyDisconnectCauseHasASeries()
{
    const Exposition exposition = parseExposition(Metrics::render(MonitorSnapshot(), 0, 0));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QHash<QString, QString> values = exposition.byKey();
    for (DisconnectCause cause : DisconnectCauses::all()) {
        const QString series =
            u"heartline_disconnects_total{cause="_s + DisconnectCauses::name(cause) + u'}';
        QVERIFY2(values.contains(series), qPrintable(series));
        QCOMPARE(values.value(series), u"0"_s);
    }
}

void tst_Metrics::labelValuesAreEscaped_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QByteArray>("onTheWire");

    QTest::newRow("quote") << u"say \"hi\""_s << QByteArray(R"(tool="say \"hi\"")");
    QTest::newRow("backslash") << u"C:\\tools"_s << QByteArray(R"(tool="C:\\tools")");
    QTest::newRow("newline") << u"two\nlines"_s << QByteArray(R"(tool="two\nlines")");
    QTest::newRow("backslash then n") << u"a\\nb"_s << QByteArray(R"(tool="a\\nb")");
    QTest::newRow("utf-8") << u"caf\u00e9"_s << QByteArray("tool=\"caf\xc3\xa9\"");
}

void tst_Metrics::labelValuesAreEscaped()
{
    QFETCH(QString, tool);
    QFETCH(QByteArray, onTheWire);

    MonitorSnapshot snapshot;
    snapshot.counters.toolCalls.insert({tool, u"ok"_s}, 4);
    const QByteArray text = Metrics::render(snapshot, 1, 1);
    QVERIFY2(text.contains(
                 QByteArray("heartline_tool_calls_total{" + onTheWire + ",outcome=\"ok\"} 4\n")),
             text.constData());
    const Exposition exposition = parseExposition(text);
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QString series = u"heartline_tool_calls_total{tool="_s + tool + u",outcome=ok}"_s;
    QCOMPARE(exposition.byKey().value(series), u"4"_s);
}

void tst_Metrics::heartbeatIntervalIsNeverNegative()
{
    MonitorSnapshot snapshot;
    snapshot.heartbeatIntervalMs = -1;
    const Exposition exposition = parseExposition(Metrics::render(snapshot, 0, 0));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    QCOMPARE(exposition.byKey().value(u"heartline_heartbeat_interval_milliseconds{}"_s), u"0"_s);
}

QTEST_APPLESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
