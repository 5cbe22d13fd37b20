#include "server/protocol/catalog/tool.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::LogLevel;
using heartline::ToolCall;
using heartline::ToolDefinition;

class tst_ToolCall final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void progressEchoesTokenWithItsJsonType_data();
    void progressEchoesTokenWithItsJsonType();
    void progressWithoutTokenIsNeverReported();
    void progressMustStrictlyIncrease();
    void totalAndMessageAreOptional();
    void nothingIsReportedAfterFinish();
    void finishIsDeliveredOnce();
    void cancelEndsTheCallWithoutResult();
    void cancelAfterFinishIsIgnored();
    void failIsAResultWithIsError();
    void definitionServesSchemasVerbatim();
};

void tst_ToolCall::progressEchoesTokenWithItsJsonType_data()
{
    QTest::addColumn<QJsonValue>("token");
    QTest::addColumn<QByteArray>("tokenOnTheWire");

    QTest::newRow("integer") << QJsonValue(1) << QByteArray("1");
    QTest::newRow("zero") << QJsonValue(0) << QByteArray("0");
    QTest::newRow("string of digits") << QJsonValue(u"1"_s) << QByteArray(R"("1")");
    QTest::newRow("2^53+1") << QJsonValue(qint64(9007199254740993LL))
                            << QByteArray("9007199254740993");
}

void tst_ToolCall::progressEchoesTokenWithItsJsonType()
{
    QFETCH(QJsonValue, token);
    QFETCH(QByteArray, tokenOnTheWire);

    ToolCall call(u"t"_s, {}, token);
    QVERIFY(call.wantsProgress());
    QSignalSpy progress(&call, &ToolCall::progressReported);
    call.reportProgress(1);
    QCOMPARE(progress.size(), 1);
    const QJsonObject params = progress.first().first().toJsonObject();
    QCOMPARE(QJsonDocument(QJsonObject{{"t"_L1, params.value("progressToken"_L1)}})
                 .toJson(QJsonDocument::Compact),
             "{\"t\":" + tokenOnTheWire + "}");
}

void tst_ToolCall::progressWithoutTokenIsNeverReported()
{
    ToolCall call(u"t"_s, {}, QJsonValue(QJsonValue::Undefined));
    QVERIFY(!call.wantsProgress());
    QSignalSpy progress(&call, &ToolCall::progressReported);
    call.reportProgress(1, 10);
    call.reportProgress(2, 10);
    QCOMPARE(progress.size(), 0);
}

void tst_ToolCall::progressMustStrictlyIncrease()
{
    ToolCall call(u"t"_s, {}, QJsonValue(u"tok"_s));
    QSignalSpy progress(&call, &ToolCall::progressReported);
    call.reportProgress(0);
    call.reportProgress(0); // equal: dropped
    call.reportProgress(2.5);
    call.reportProgress(1); // lower: dropped
    call.reportProgress(2.5);
    call.reportProgress(3);

    QList<double> sent;
    for (const QList<QVariant> &args : progress)
        sent.append(args.first().toJsonObject().value("progress"_L1).toDouble());
    QCOMPARE(sent, (QList<double>{0, 2.5, 3}));
}

void tst_ToolCall::totalAndMessageAreOptional()
{
    ToolCall call(u"t"_s, {}, QJsonValue(7));
    QSignalSpy progress(&call, &ToolCall::progressReported);
    call.reportProgress(1);
    call.reportProgress(2, 10, u"two of ten"_s);

    QCOMPARE(progress.size(), 2);
    const QJsonObject bare = progress.at(0).first().toJsonObject();
    QCOMPARE(bare, (QJsonObject{{"progressToken"_L1, 7}, {"progress"_L1, 1}}));
    const QJsonObject full = progress.at(1).first().toJsonObject();
    QCOMPARE(full, (QJsonObject{{"progressToken"_L1, 7},
                                {"progress"_L1, 2},
                                {"total"_L1, 10},
                                {"message"_L1, u"two of ten"_s}}));
}

void tst_ToolCall::nothingIsReportedAfterFinish()
{
    ToolCall call(u"t"_s, {}, QJsonValue(1));
    QSignalSpy progress(&call, &ToolCall::progressReported);
    QSignalSpy logged(&call, &ToolCall::logged);
    call.reportProgress(1);
    call.log(LogLevel::Info, u"before"_s);
    call.finishWithText(u"done"_s);
    call.reportProgress(2);
    call.log(LogLevel::Emergency, u"after"_s);

    QCOMPARE(progress.size(), 1);
    QCOMPARE(logged.size(), 1);
    QCOMPARE(logged.first().at(1).toJsonValue(), QJsonValue(u"before"_s));
    QCOMPARE(logged.first().at(2).toString(), u"t"_s);
}

void tst_ToolCall::finishIsDeliveredOnce()
{
    ToolCall call(u"t"_s, {}, {});
    QSignalSpy finished(&call, &ToolCall::finished);
    call.finishWithText(u"first"_s);
    call.finishWithText(u"second"_s);
    call.fail(u"third"_s);

    QVERIFY(call.isDone());
    QVERIFY(!call.isCancelled());
    QCOMPARE(finished.size(), 1);
    const QJsonObject result = finished.first().first().toJsonObject();
    QCOMPARE(result.value("content"_L1).toArray().first().toObject().value("text"_L1).toString(),
             u"first"_s);
    QVERIFY(!result.contains("isError"_L1));
}

void tst_ToolCall::cancelEndsTheCallWithoutResult()
{
    ToolCall call(u"t"_s, {}, QJsonValue(1));
    QSignalSpy cancelled(&call, &ToolCall::cancelled);
    QSignalSpy finished(&call, &ToolCall::finished);
    QSignalSpy progress(&call, &ToolCall::progressReported);
    call.cancel();
    call.cancel();
    call.finishWithText(u"late"_s);
    call.reportProgress(1);

    QCOMPARE(cancelled.size(), 1);
    QVERIFY(call.isCancelled());
    QVERIFY(call.isDone());
    QCOMPARE(finished.size(), 0);
    QCOMPARE(progress.size(), 0);
}

void tst_ToolCall::cancelAfterFinishIsIgnored()
{
    ToolCall call(u"t"_s, {}, {});
    QSignalSpy cancelled(&call, &ToolCall::cancelled);
    call.finishWithText(u"done"_s);
    call.cancel();

    QCOMPARE(cancelled.size(), 0);
    QVERIFY(!call.isCancelled());
}

void tst_ToolCall::failIsAResultWithIsError()
{
    ToolCall call(u"t"_s, {}, {});
    QSignalSpy finished(&call, &ToolCall::finished);
    call.fail(u"disk full"_s);

    QCOMPARE(finished.size(), 1);
    const QJsonObject expected{{"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1},
                                                                     {"text"_L1, "disk full"_L1}}}},
                               {"isError"_L1, true}};
    QCOMPARE(finished.first().first().toJsonObject(), expected);
}

void tst_ToolCall::definitionServesSchemasVerbatim()
{
    const QJsonObject input =
        QJsonDocument::fromJson(R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
            "type":"object","$defs":{"p":{"type":"string"}},
            "properties":{"a":{"$ref":"#/$defs/p"}},"additionalProperties":false})")
            .object();
    ToolDefinition definition{u"t"_s, {}, {}, input, {}, {}};
    QCOMPARE(definition.toJson(), (QJsonObject{{"name"_L1, "t"_L1}, {"inputSchema"_L1, input}}));

    definition.title = u"T"_s;
    definition.description = u"d"_s;
    definition.outputSchema = QJsonObject{{"type"_L1, "object"_L1}};
    definition.annotations = QJsonObject{{"readOnlyHint"_L1, true}};
    const QJsonObject json = definition.toJson();
    QCOMPARE(json.value("title"_L1).toString(), u"T"_s);
    QCOMPARE(json.value("description"_L1).toString(), u"d"_s);
    QCOMPARE(json.value("outputSchema"_L1).toObject(), definition.outputSchema);
    QCOMPARE(json.value("annotations"_L1).toObject(), definition.annotations);
    QCOMPARE(json.value("inputSchema"_L1).toObject(), input);
}

QTEST_GUILESS_MAIN(tst_ToolCall)
#include "tst_toolcall.moc"
