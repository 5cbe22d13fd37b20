// The disconnect log over a real in-process server (causes, transport, the filter), its ring
// cap and batched flush, and the CSV / JSON-lines export with RFC 4180 quoting.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/modelservertest.h"
#include "tests/support/rawhttpclient.h"
#include "ui/models/disconnectexport.h"
#include "ui/models/disconnectfiltermodel.h"
#include "ui/models/disconnectlogmodel.h"
#include "ui/models/uitick.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

DisconnectEvent sampleEvent(const QString &detail, qint64 wallMs = 1'700'000'000'123)
{
    DisconnectEvent event;
    event.sessionId = u"s1"_s;
    event.streamId = u"st1"_s;
    event.clientName = u"Claude, Desktop"_s;
    event.peer = u"127.0.0.1"_s;
    event.cause = DisconnectCause::ProxyIdleSuspected;
    event.detail = detail;
    event.durationMs = 60'000;
    event.bytes = 1536;
    event.heartbeats = 4;
    event.sinceLastWriteMs = 59'990;
    event.wallMs = wallMs;
    return event;
}

} // namespace

class tst_DisconnectLogModel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_DisconnectLogModel()
        : ModelServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void clientClosingItsStreamIsLoggedWithItsCause();
    void deletedSessionIsLoggedWithItsTransport();
    void filterByCause();
    void ringKeepsTheNewestCapacityRows();
    void burstPastTheCapacityIsOneRemovalAndOneInsertion();
    void csvQuoting_data();
    void csvQuoting();
    void csvHasHeaderAndCrlfRows();
    void jsonLinesRoundTrip();
};

void tst_DisconnectLogModel::clientClosingItsStreamIsLoggedWithItsCause()
{
    DisconnectLogModel model(m_server->monitor(), m_tick.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForSse([](const QList<SseItem> &items) {
        return std::count_if(items.cbegin(), items.cend(),
                             [](const SseItem &item) { return item.isHeartbeat(); })
               >= 2;
    }));
    stream.closeWriteSide();

    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000);
    const QModelIndex row = model.index(0, 0);
    QCOMPARE(row.data(DisconnectLogModel::CauseRole).toString(), u"client_closed"_s);
    QCOMPARE(model.index(0, DisconnectLogModel::Cause).data().toString(), u"client_closed"_s);
    QCOMPARE(row.data(DisconnectLogModel::SessionIdRole).toString(),
             QString::fromLatin1(session.id));
    QCOMPARE(model.index(0, DisconnectLogModel::Client).data().toString(),
             u"heartline-integration-test"_s);
    QCOMPARE(model.index(0, DisconnectLogModel::Transport).data().toString(), u"streamable-http"_s);
    QVERIFY(model.index(0, DisconnectLogModel::Heartbeats)
                .data(DisconnectLogModel::SortRole)
                .toULongLong()
            >= 2);
    QVERIFY(!model.index(0, DisconnectLogModel::Time).data().toString().isEmpty());
    QCOMPARE(model.events().size(), 1);
    QCOMPARE(model.events().first().cause, DisconnectCause::ClientClosed);
}

void tst_DisconnectLogModel::deletedSessionIsLoggedWithItsTransport()
{
    DisconnectLogModel model(m_server->monitor(), m_tick.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    // An open GET stream ends with the session, for the same reason, in the same words.
    RawHttpClient stream(m_port);
    QCOMPARE(openGetStream(stream, session), QString());
    RawHttpClient client(m_port);
    const HttpResponse deleted =
        client.request("DELETE", "/mcp", deleteHeaders(session.id, session.protocolHeader()));
    QVERIFY2(deleted.status == 200 || deleted.status == 204, qPrintable(deleted.describe()));

    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() >= 2, 5000);
    QStringList sessionColumn;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, 0).data(DisconnectLogModel::CauseRole).toString()
            == "session_deleted"_L1) {
            sessionColumn.append(model.index(row, DisconnectLogModel::Session).data().toString());
            QCOMPARE(model.index(row, DisconnectLogModel::Transport).data().toString(),
                     u"streamable-http"_s);
        }
    }
    // The two rows say which is the stream and which the session.
    sessionColumn.sort();
    const QString shortId = QString::fromLatin1(session.id.left(8));
    QCOMPARE(sessionColumn.size(), 2);
    QCOMPARE(sessionColumn.at(0), shortId + u" · session"_s);
    QVERIFY2(sessionColumn.at(1).startsWith(shortId + u" · stream "_s),
             qPrintable(sessionColumn.at(1)));
}

void tst_DisconnectLogModel::filterByCause()
{
    DisconnectLogModel model(m_server->monitor(), m_tick.get());
    DisconnectFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);

    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());
    stream.closeWriteSide();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000);
    QString error;
    QVERIFY(m_server->control()->closeSession(QString::fromLatin1(session.id), &error));
    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() >= 2, 5000);

    filter.setCauseFilter(u"session_deleted"_s);
    QVERIFY(filter.rowCount() >= 1);
    for (int row = 0; row < filter.rowCount(); ++row)
        QCOMPARE(filter.index(row, 0).data(DisconnectLogModel::CauseRole).toString(),
                 u"session_deleted"_s);
    filter.setCauseFilter(u"client_closed"_s);
    QCOMPARE(filter.rowCount(), 1);
    filter.setCauseFilter(u"too_large"_s);
    QCOMPARE(filter.rowCount(), 0);
    filter.setCauseFilter({});
    QCOMPARE(filter.rowCount(), model.rowCount());
}

void tst_DisconnectLogModel::ringKeepsTheNewestCapacityRows()
{
    DisconnectLogModel model(m_server->monitor(), m_tick.get(), 3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    for (int i = 1; i <= 5; ++i) {
        const McpTestSession session = openSession(m_port);
        QVERIFY(session.ok());
        RawHttpClient client(m_port);
        client.request("DELETE", "/mcp", deleteHeaders(session.id, session.protocolHeader()));
        QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() > 0
                                     && model.events().constLast().sessionId
                                            == QString::fromLatin1(session.id),
                                 5000);
        QVERIFY(model.rowCount() <= 3);
    }
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.events().size(), 3);
}

void tst_DisconnectLogModel::burstPastTheCapacityIsOneRemovalAndOneInsertion()
{
    m_tick->setInterval(0);
    DisconnectLogModel model(m_server->monitor(), m_tick.get(), 10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    Monitor *monitor = m_server->monitor();
    for (int i = 0; i < 6; ++i)
        monitor->reportDisconnect(sampleEvent(u"first %1"_s.arg(i)));
    m_tick->tickNow();
    QCOMPARE(model.rowCount(), 6);

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 25; ++i)
        monitor->reportDisconnect(sampleEvent(u"burst %1"_s.arg(i)));
    QCOMPARE(inserted.count(), 0);
    m_tick->tickNow();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.events().constFirst().detail, u"burst 15"_s);
    QCOMPARE(model.events().constLast().detail, u"burst 24"_s);

    // A smaller burst pushes out only as many old rows as it brings.
    for (int i = 0; i < 3; ++i)
        monitor->reportDisconnect(sampleEvent(u"late %1"_s.arg(i)));
    m_tick->tickNow();
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(removed.count(), 2);
    QCOMPARE(removed.last().at(1).toInt(), 0);
    QCOMPARE(removed.last().at(2).toInt(), 2);
    QCOMPARE(model.events().constFirst().detail, u"burst 18"_s);
}

void tst_DisconnectLogModel::csvQuoting_data()
{
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QByteArray>("field");

    QTest::newRow("plain") << u"peer went away"_s << QByteArray("peer went away");
    QTest::newRow("comma") << u"a, b"_s << QByteArray("\"a, b\"");
    QTest::newRow("quote") << u"said \"bye\""_s << QByteArray("\"said \"\"bye\"\"\"");
    QTest::newRow("newline") << u"line1\nline2"_s << QByteArray("\"line1\nline2\"");
    QTest::newRow("carriage return") << u"a\rb"_s << QByteArray("\"a\rb\"");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("unicode") << u"café ✓"_s << QString(u"café ✓"_s).toUtf8();
}

void tst_DisconnectLogModel::csvQuoting()
{
    QFETCH(QString, detail);
    QFETCH(QByteArray, field);
    const QByteArray csv = toCsv({sampleEvent(detail)});
    const QByteArray expected = "2023-11-14T22:13:20.123Z,s1,st1,\"Claude, Desktop\",127.0.0.1,"
                                "proxy_idle_suspected,"
                                + field + ",60000,1536,4,59990\r\n";
    const qsizetype headerEnd = csv.indexOf("\r\n") + 2;
    QCOMPARE(csv.mid(headerEnd), expected);
}

void tst_DisconnectLogModel::csvHasHeaderAndCrlfRows()
{
    const QByteArray csv = toCsv({sampleEvent(u"one"_s), sampleEvent(u"two"_s)});
    QVERIFY(csv.startsWith("time,session,stream,client,peer,cause,detail,duration_ms,bytes,"
                           "heartbeats,since_last_write_ms\r\n"));
    QCOMPARE(csv.count("\r\n"), 3);
    QVERIFY(csv.endsWith("\r\n"));
    QCOMPARE(toCsv({}).count("\r\n"), 1);
}

void tst_DisconnectLogModel::jsonLinesRoundTrip()
{
    const QList<DisconnectEvent> events = {sampleEvent(u"has \"quotes\"\nand a newline"_s),
                                           sampleEvent(u"second"_s, 1'700'000'001'000)};
    const QByteArray lines = toJsonLines(events);
    QVERIFY(lines.endsWith('\n'));
    const QList<QByteArray> split = lines.trimmed().split('\n');
    QCOMPARE(split.size(), 2);
    QJsonParseError error;
    const QJsonObject first = QJsonDocument::fromJson(split.at(0), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(first.value("detail"_L1).toString(), events.at(0).detail);
    QCOMPARE(first.value("cause"_L1).toString(), u"proxy_idle_suspected"_s);
    QCOMPARE(first.value("client"_L1).toString(), u"Claude, Desktop"_s);
    QCOMPARE(first.value("time"_L1).toString(), u"2023-11-14T22:13:20.123Z"_s);
    QCOMPARE(first.value("durationMs"_L1).toInteger(), 60000);
    QCOMPARE(first.value("bytes"_L1).toInteger(), 1536);
    QCOMPARE(first.value("heartbeats"_L1).toInteger(), 4);
    const QJsonObject second = QJsonDocument::fromJson(split.at(1), &error).object();
    QCOMPARE(second.value("time"_L1).toString(), u"2023-11-14T22:13:21.000Z"_s);
}

QTEST_MAIN(tst_DisconnectLogModel)
#include "tst_disconnectlogmodel.moc"
