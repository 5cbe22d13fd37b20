#include "server/api/serverconfig.h"
#include "server/session/standaloneoutbox.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"
#include "tests/support/sseharness.h"

#include <QTest>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

// Messages that belong to no request: straight onto the standalone stream when one is open,
// otherwise into a bounded backlog that the next stream gets first.
class tst_StandaloneOutbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void queuesWithoutAStreamAndDropsTheOldest();
    void readsTheBacklogLimitOnEveryMessage();
    void attachSendsTheBacklogInOrderThenGoesStraightThrough();
    void detachOnlyLetsGoOfItsOwnStream();

private:
    static StandaloneOutbox::Stamp counting(QStringList *stampedOn)
    {
        return [stampedOn](const QString &streamId, const QByteArray &) {
            stampedOn->append(streamId);
            return QByteArray::number(stampedOn->size());
        };
    }
};

void tst_StandaloneOutbox::queuesWithoutAStreamAndDropsTheOldest()
{
    ServerConfig config;
    config.standaloneBacklog = 2;
    QStringList stamped;
    StandaloneOutbox outbox(&config, nullptr, counting(&stamped));
    QVERIFY(!outbox.isOpen());
    QCOMPARE(outbox.deliver("a"), StandaloneOutbox::Delivery::Queued);
    QCOMPARE(outbox.deliver("b"), StandaloneOutbox::Delivery::Queued);
    QCOMPARE(outbox.deliver("c"), StandaloneOutbox::Delivery::QueuedDroppingOldest);
    QVERIFY2(stamped.isEmpty(), "a queued message has no id until it goes out");
}

void tst_StandaloneOutbox::readsTheBacklogLimitOnEveryMessage()
{
    ServerConfig config;
    config.standaloneBacklog = 1;
    QStringList stamped;
    StandaloneOutbox outbox(&config, nullptr, counting(&stamped));
    QCOMPARE(outbox.deliver("a"), StandaloneOutbox::Delivery::Queued);
    config.standaloneBacklog = 3; // the setting changed while the session lives
    QCOMPARE(outbox.deliver("b"), StandaloneOutbox::Delivery::Queued);
}

void tst_StandaloneOutbox::attachSendsTheBacklogInOrderThenGoesStraightThrough()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);

    ServerConfig config;
    config.standaloneBacklog = 2;
    QStringList stamped;
    StandaloneOutbox outbox(&config, "message", counting(&stamped));
    outbox.deliver("a");
    outbox.deliver("b");
    outbox.deliver("c");
    outbox.attach(stream);
    QVERIFY(outbox.isOpen());
    QCOMPARE(outbox.deliver("d"), StandaloneOutbox::Delivery::Sent);
    QTRY_COMPARE(client.response().sseBlocks.size(), 4); // the opening comment and three events
    QCOMPARE(client.response().sseBlocks.at(1).text,
             QByteArray("event: message\nid: 1\ndata: b\n\n"));
    QCOMPARE(client.response().sseBlocks.at(2).text,
             QByteArray("event: message\nid: 2\ndata: c\n\n"));
    QCOMPARE(client.response().sseBlocks.at(3).text,
             QByteArray("event: message\nid: 3\ndata: d\n\n"));
    QCOMPARE(stamped, QStringList(3, stream->id()));
}

void tst_StandaloneOutbox::detachOnlyLetsGoOfItsOwnStream()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient first;
    RawHttpClient second;
    SseStream *attached = harness.openStream(first);
    SseStream *other = harness.openStream(second);
    QVERIFY(attached && other);

    ServerConfig config;
    QStringList stamped;
    StandaloneOutbox outbox(&config, nullptr, counting(&stamped));
    outbox.attach(attached);
    outbox.detach(other);
    QCOMPARE(outbox.stream(), attached);
    outbox.detach(attached);
    QVERIFY(!outbox.stream());
    QCOMPARE(outbox.deliver("a"), StandaloneOutbox::Delivery::Queued);
}

HEARTLINE_SERVER_TEST_MAIN(tst_StandaloneOutbox)
#include "tst_standaloneoutbox.moc"
