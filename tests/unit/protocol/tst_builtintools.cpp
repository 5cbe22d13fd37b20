#include "server/protocol/catalog/argumentcheck.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/builtintools.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;
using heartline::EchoTool;
using heartline::NowTool;
using heartline::SleepTool;
using heartline::ToolCall;
using heartline::ToolRegistry;

namespace {

QString firstText(const QJsonObject &result)
{
    return result.value("content"_L1).toArray().first().toObject().value("text"_L1).toString();
}

const QJsonValue kNoToken(QJsonValue::Undefined);

} // namespace

class tst_BuiltinTools final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registersEchoSleepAndNow();
    void echoReturnsTheExactText_data();
    void echoReturnsTheExactText();
    void echoSchemaRequiresAMessage();
    void sleepFinishesThroughTheEventLoop_data();
    void sleepFinishesThroughTheEventLoop();
    void sleepReportsProgressOnlyWithAToken_data();
    void sleepReportsProgressOnlyWithAToken();
    void sleepStopsWhenCancelled();
    void sleepSchemaBoundsTheDuration_data();
    void sleepSchemaBoundsTheDuration();
    void nowReturnsStructuredLocalTime();
};

void tst_BuiltinTools::registersEchoSleepAndNow()
{
    ToolRegistry registry;
    heartline::registerBuiltinTools(&registry);

    QStringList names;
    for (const heartline::ToolEntry &entry : registry.entries()) {
        names.append(entry.definition.name);
        QCOMPARE(entry.source, u"built-in"_s);
        QVERIFY(entry.enabled);
        QCOMPARE(entry.definition.annotations.value("readOnlyHint"_L1), QJsonValue(true));
        QVERIFY(!entry.definition.title.isEmpty());
        QVERIFY(!entry.definition.description.isEmpty());
    }
    QCOMPARE(names, (QStringList{u"echo"_s, u"now"_s, u"sleep"_s}));
}

void tst_BuiltinTools::echoReturnsTheExactText_data()
{
    QTest::addColumn<QString>("message");

    QTest::newRow("ASCII") << u"hello"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("non-ASCII") << u"grüße – 世界 🎉"_s;
    QTest::newRow("JSON-looking") << u"{\"a\":[1,\"\\n\"]}"_s;
    QTest::newRow("whitespace kept") << u"  two\nlines\t "_s;
}

void tst_BuiltinTools::echoReturnsTheExactText()
{
    QFETCH(QString, message);

    ToolCall call(u"echo"_s, {{"message"_L1, message}}, kNoToken);
    QSignalSpy finished(&call, &ToolCall::finished);
    EchoTool().call(&call);

    QCOMPARE(finished.size(), 1);
    const QJsonObject result = finished.first().first().toJsonObject();
    const QJsonObject expected{
        {"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, message}}}}};
    QCOMPARE(result, expected);
}

void tst_BuiltinTools::echoSchemaRequiresAMessage()
{
    const QJsonObject schema = EchoTool().definition().inputSchema;
    QVERIFY(heartline::checkArguments(schema, {}).contains("'message'"_L1));
    QVERIFY(!heartline::checkArguments(schema, {{"message"_L1, 5}}).isEmpty());
    QVERIFY(
        !heartline::checkArguments(schema, {{"message"_L1, "x"_L1}, {"extra"_L1, 1}}).isEmpty());
    QVERIFY(heartline::checkArguments(schema, {{"message"_L1, "x"_L1}}).isEmpty());
}

void tst_BuiltinTools::sleepFinishesThroughTheEventLoop_data()
{
    QTest::addColumn<int>("ms");

    QTest::newRow("0 ms") << 0;
    QTest::newRow("1 ms") << 1;
    QTest::newRow("40 ms") << 40;
}

void tst_BuiltinTools::sleepFinishesThroughTheEventLoop()
{
    QFETCH(int, ms);

    ToolCall call(u"sleep"_s, {{"ms"_L1, ms}}, kNoToken);
    QSignalSpy finished(&call, &ToolCall::finished);
    QElapsedTimer elapsed;
    elapsed.start();
    SleepTool().call(&call);
    QCOMPARE(finished.size(), 0); // call() must never block, not even for 0 ms

    QVERIFY(finished.wait(5000));
    QVERIFY2(elapsed.elapsed() >= ms - 1, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(firstText(finished.first().first().toJsonObject()), u"Slept %1 ms."_s.arg(ms));
}

void tst_BuiltinTools::sleepReportsProgressOnlyWithAToken_data()
{
    QTest::addColumn<QJsonValue>("token");
    QTest::addColumn<int>("ms");
    QTest::addColumn<int>("every"); // 0: not given, the tool's default applies
    QTest::addColumn<bool>("expectProgress");

    QTest::newRow("integer token") << QJsonValue(1) << 300 << 10 << true;
    QTest::newRow("string token") << QJsonValue(u"p-1"_s) << 300 << 10 << true;
    QTest::newRow("no token") << kNoToken << 300 << 10 << false;
    QTest::newRow("interval longer than the sleep") << QJsonValue(1) << 30 << 0 << false;
}

void tst_BuiltinTools::sleepReportsProgressOnlyWithAToken()
{
    QFETCH(QJsonValue, token);
    QFETCH(int, ms);
    QFETCH(int, every);
    QFETCH(bool, expectProgress);

    QJsonObject arguments{{"ms"_L1, ms}};
    if (every > 0)
        arguments.insert("progressEveryMs"_L1, every);
    ToolCall call(u"sleep"_s, arguments, token);
    QList<QJsonObject> progress;
    bool finishedSeen = false;
    bool progressAfterFinish = false;
    connect(&call, &ToolCall::progressReported, this, [&](const QJsonObject &params) {
        progressAfterFinish = progressAfterFinish || finishedSeen;
        progress.append(params);
    });
    QSignalSpy finished(&call, &ToolCall::finished);
    connect(&call, &ToolCall::finished, this, [&] { finishedSeen = true; });
    SleepTool().call(&call);
    QVERIFY(finished.wait(5000));
    QVERIFY(!progressAfterFinish);

    if (!expectProgress) {
        QCOMPARE(progress.size(), 0);
        return;
    }
    QVERIFY2(progress.size() >= 2, qPrintable(QString::number(progress.size())));
    double previous = -1;
    for (const QJsonObject &params : std::as_const(progress)) {
        QCOMPARE(params.value("progressToken"_L1), token);
        QCOMPARE(params.value("progressToken"_L1).type(), token.type());
        QCOMPARE(params.value("total"_L1).toDouble(), double(ms));
        const double value = params.value("progress"_L1).toDouble();
        QVERIFY2(value > previous, qPrintable(u"%1 after %2"_s.arg(value).arg(previous)));
        QVERIFY(value <= ms);
        QVERIFY(!params.value("message"_L1).toString().isEmpty());
        previous = value;
    }
}

void tst_BuiltinTools::sleepStopsWhenCancelled()
{
    ToolCall call(u"sleep"_s, {{"ms"_L1, 200}, {"progressEveryMs"_L1, 10}}, QJsonValue(1));
    QSignalSpy finished(&call, &ToolCall::finished);
    QSignalSpy progress(&call, &ToolCall::progressReported);
    SleepTool().call(&call);
    QVERIFY(progress.wait(5000));

    call.cancel();
    const qsizetype progressAtCancel = progress.size();
    // The tool's own deadline is gone: nothing left that could still finish the call.
    for (const QTimer *timer : call.findChildren<QTimer *>()) {
        if (timer->isSingleShot())
            QVERIFY(!timer->isActive());
    }
    // Timers fire in deadline order, so once this one has, the 200 ms one would have too.
    QTimer afterDeadline;
    afterDeadline.setSingleShot(true);
    QSignalSpy deadlinePassed(&afterDeadline, &QTimer::timeout);
    afterDeadline.start(400);
    QVERIFY(deadlinePassed.wait(5000));
    QCOMPARE(finished.size(), 0);
    QCOMPARE(progress.size(), progressAtCancel);
}

void tst_BuiltinTools::sleepSchemaBoundsTheDuration_data()
{
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("0 ms") << QJsonObject{{"ms"_L1, 0}} << true;
    QTest::newRow("one day") << QJsonObject{{"ms"_L1, SleepTool::kMaxMs}} << true;
    QTest::newRow("more than a day") << QJsonObject{{"ms"_L1, SleepTool::kMaxMs + 1}} << false;
    QTest::newRow("negative") << QJsonObject{{"ms"_L1, -1}} << false;
    QTest::newRow("fractional") << QJsonObject{{"ms"_L1, 1.5}} << false;
    QTest::newRow("missing") << QJsonObject{} << false;
    QTest::newRow("progress every 10 ms")
        << QJsonObject{{"ms"_L1, 5}, {"progressEveryMs"_L1, 10}} << true;
    QTest::newRow("progress every 9 ms")
        << QJsonObject{{"ms"_L1, 5}, {"progressEveryMs"_L1, 9}} << false;
    QTest::newRow("unknown argument") << QJsonObject{{"ms"_L1, 5}, {"seconds"_L1, 1}} << false;
}

void tst_BuiltinTools::sleepSchemaBoundsTheDuration()
{
    QFETCH(QJsonObject, arguments);
    QFETCH(bool, accepted);

    const QString problem =
        heartline::checkArguments(SleepTool().definition().inputSchema, arguments);
    QVERIFY2(problem.isEmpty() == accepted, qPrintable(problem));
}

void tst_BuiltinTools::nowReturnsStructuredLocalTime()
{
    ToolCall call(u"now"_s, {}, kNoToken);
    QSignalSpy finished(&call, &ToolCall::finished);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    NowTool().call(&call);
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(finished.size(), 1);

    const QJsonObject result = finished.first().first().toJsonObject();
    QVERIFY(!result.value("isError"_L1).toBool());
    const QJsonObject structured = result.value("structuredContent"_L1).toObject();
    QCOMPARE(structured.size(), 4);
    QVERIFY(structured.value("iso8601"_L1).isString());
    QVERIFY(structured.value("timeZone"_L1).isString());
    QVERIFY(structured.value("utcOffsetSeconds"_L1).isDouble());
    QVERIFY(structured.value("unixMs"_L1).isDouble());

    const qint64 unixMs = structured.value("unixMs"_L1).toInteger();
    QVERIFY(before <= unixMs && unixMs <= after);
    const QString iso8601 = structured.value("iso8601"_L1).toString();
    const QDateTime parsed = QDateTime::fromString(iso8601, Qt::ISODateWithMs);
    QVERIFY2(parsed.isValid(), qPrintable(iso8601));
    // The offset is spelled out, never left for the reader to guess from their own zone.
    static const QRegularExpression offsetPattern(u"(?:Z|([+-])(\\d\\d):(\\d\\d))\\z"_s);
    const QRegularExpressionMatch offset = offsetPattern.match(iso8601);
    QVERIFY2(offset.hasMatch(), qPrintable(iso8601));
    const int spelledOffset =
        (offset.captured(1) == u"-"_s ? -1 : 1)
        * (offset.captured(2).toInt() * 3600 + offset.captured(3).toInt() * 60);
    QCOMPARE(spelledOffset, structured.value("utcOffsetSeconds"_L1).toInt());
    QCOMPARE(parsed.toMSecsSinceEpoch(), unixMs);
    QCOMPARE(parsed.offsetFromUtc(), structured.value("utcOffsetSeconds"_L1).toInt());
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(unixMs);
    QCOMPARE(structured.value("utcOffsetSeconds"_L1).toInt(), local.offsetFromUtc());
    QCOMPARE(structured.value("timeZone"_L1).toString(),
             QString::fromUtf8(QTimeZone::systemTimeZoneId()));
    QVERIFY(!structured.value("timeZone"_L1).toString().isEmpty());

    // Clients older than 2025-06-18 only read the text, which carries the same object.
    QCOMPARE(QJsonDocument::fromJson(firstText(result).toUtf8()).object(), structured);
    const heartline::ToolDefinition definition = NowTool().definition();
    QCOMPARE(heartline::checkArguments(definition.outputSchema, structured), QString());
    for (const QJsonValue &required : definition.outputSchema.value("required"_L1).toArray())
        QVERIFY(structured.contains(required.toString()));
}

QTEST_GUILESS_MAIN(tst_BuiltinTools)
#include "tst_builtintools.moc"
