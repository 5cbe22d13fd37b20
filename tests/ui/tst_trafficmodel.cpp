// The traffic view's model over a real in-process server: a session's messages, pretty
// printed, newest last; other sessions kept aside; rings capped; one insertion per tick.
#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/modelservertest.h"
#include "ui/models/trafficmodel.h"
#include "ui/models/uitick.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

class tst_TrafficModel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_TrafficModel()
        : ModelServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void initializeRequestAndResponseArePrettyPrinted();
    void newMessagesOfTheShownSessionArriveInOneInsertionPerTick();
    void otherSessionsAreKeptAsideUntilShown();
    void ringKeepsTheNewestMessagesPerSession();
    void quietestSessionsGoBeyondTheSessionCapacity();
    void truncatedBodyIsMarked();

private:
    std::unique_ptr<TrafficModel> makeModel();
};

std::unique_ptr<TrafficModel> tst_TrafficModel::makeModel()
{
    return tested(std::make_unique<TrafficModel>(m_server->monitor(), m_tick.get()));
}

void tst_TrafficModel::initializeRequestAndResponseArePrettyPrinted()
{
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    model->setSessionId(QString::fromLatin1(session.id));

    // initialize in, its result out, notifications/initialized in.
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5000);
    const QModelIndex request = model->index(0, TrafficModel::Message);
    QCOMPARE(request.data().toString(), u"initialize #0"_s);
    QCOMPARE(request.data(TrafficModel::DirectionRole).toString(), u"in"_s);
    const QString requestJson = request.data(TrafficModel::PrettyJsonRole).toString();
    QVERIFY2(requestJson.contains(u"\n    \"method\": \"initialize\""_s), qPrintable(requestJson));
    QVERIFY(requestJson.contains(u"heartline-integration-test"_s));

    const QModelIndex response = model->index(1, TrafficModel::Message);
    QCOMPARE(response.data(TrafficModel::DirectionRole).toString(), u"out"_s);
    QVERIFY2(response.data().toString().startsWith(u"response #0"_s),
             qPrintable(response.data().toString()));
    const QString responseJson = response.data(TrafficModel::PrettyJsonRole).toString();
    QVERIFY2(responseJson.contains(u"\"protocolVersion\": \"2025-11-25\""_s),
             qPrintable(responseJson));
    QVERIFY(responseJson.contains(u"\n        \"capabilities\""_s));

    QCOMPARE(model->index(2, TrafficModel::Message).data().toString(),
             u"notifications/initialized"_s);
    QVERIFY(model->index(0, TrafficModel::Size).data().toString().endsWith(u"B"_s));
    QVERIFY(model->index(0, TrafficModel::Size).data(TrafficModel::SortRole).toLongLong() > 50);
    QVERIFY(!model->index(0, TrafficModel::Time).data().toString().isEmpty());
}

void tst_TrafficModel::newMessagesOfTheShownSessionArriveInOneInsertionPerTick()
{
    m_tick->setInterval(0);
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    model->setSessionId(QString::fromLatin1(session.id));
    QCOMPARE(model->rowCount(), 3);

    QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
    for (int i = 1; i <= 10; ++i)
        QCOMPARE(postOnce(m_port, session.post(), requestBody(i, u"ping"_s)).status, 200);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model->rowCount(), 3);
    m_tick->tickNow();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model->rowCount(), 23);
    QCOMPARE(model->index(21, TrafficModel::Message).data().toString(), u"ping #10"_s);
    QCOMPARE(model->index(22, TrafficModel::Message).data(TrafficModel::DirectionRole).toString(),
             u"out"_s);
    m_tick->tickNow();
    QCOMPARE(inserted.count(), 1);
}

void tst_TrafficModel::otherSessionsAreKeptAsideUntilShown()
{
    auto model = makeModel();
    const McpTestSession first = openSession(m_port);
    const McpTestSession second = openSession(m_port);
    QVERIFY(first.ok() && second.ok());
    model->setSessionId(QString::fromLatin1(first.id));
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5000);
    QCOMPARE(postOnce(m_port, second.post(), requestBody(7, u"ping"_s)).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(model->sessionIds().contains(QString::fromLatin1(second.id)), 5000);
    QCOMPARE(model->rowCount(), 3);

    model->setSessionId(QString::fromLatin1(second.id));
    QCOMPARE(model->rowCount(), 5);
    QCOMPARE(model->index(3, TrafficModel::Message).data().toString(), u"ping #7"_s);
    model->setSessionId({});
    QCOMPARE(model->rowCount(), 0);
}

void tst_TrafficModel::ringKeepsTheNewestMessagesPerSession()
{
    auto model = makeModel();
    model->setLimits(6, 10, 1024 * 1024);
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    model->setSessionId(QString::fromLatin1(session.id));
    for (int i = 1; i <= 8; ++i)
        QCOMPARE(postOnce(m_port, session.post(), requestBody(i, u"ping"_s)).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(
        model->index(5, TrafficModel::Message).data(TrafficModel::IdRole).toString(), u"8"_s, 5000);
    QCOMPARE(model->rowCount(), 6);
    QCOMPARE(model->index(4, TrafficModel::Message).data().toString(), u"ping #8"_s);
    QCOMPARE(model->index(0, TrafficModel::Message).data().toString(), u"ping #6"_s);
    // Shown again from the kept ring: the same six.
    model->setSessionId({});
    model->setSessionId(QString::fromLatin1(session.id));
    QCOMPARE(model->rowCount(), 6);
    QCOMPARE(model->index(0, TrafficModel::Message).data().toString(), u"ping #6"_s);
}

void tst_TrafficModel::quietestSessionsGoBeyondTheSessionCapacity()
{
    auto model = makeModel();
    model->setLimits(50, 2, 1024 * 1024);
    const McpTestSession first = openSession(m_port);
    const McpTestSession second = openSession(m_port);
    const McpTestSession third = openSession(m_port);
    QVERIFY(first.ok() && second.ok() && third.ok());
    QTRY_VERIFY_WITH_TIMEOUT(model->sessionIds().contains(QString::fromLatin1(third.id)), 5000);
    QCOMPARE(model->sessionIds().size(), 2);
    QVERIFY(!model->sessionIds().contains(QString::fromLatin1(first.id)));
}

void tst_TrafficModel::truncatedBodyIsMarked()
{
    auto model = makeModel();
    model->setSessionId(u"synthetic"_s);
    MessageEvent event;
    event.sessionId = u"synthetic"_s;
    event.direction = MessageEvent::Direction::Out;
    event.id = u"3"_s;
    event.bytes = 40'000;
    event.body = QByteArray(R"({"jsonrpc":"2.0","id":3,"result":{"text":"aaaa)");
    event.bodyTruncated = true;
    event.wallMs = 1;
    m_server->monitor()->reportMessage(event);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
    const QString text = model->index(0, 0).data(TrafficModel::PrettyJsonRole).toString();
    QVERIFY(text.startsWith(QString::fromLatin1(event.body)));
    QVERIFY2(text.contains(u"39.1 KiB"_s), qPrintable(text));
}

QTEST_MAIN(tst_TrafficModel)
#include "tst_trafficmodel.moc"
