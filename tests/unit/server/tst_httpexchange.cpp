#include "server/qt64/httpexchange.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"
#include "tests/support/testhttpserver.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::DisconnectCause)

namespace {

// Every request to /x becomes an HttpExchange the test drives by hand.
class ExchangeServer final
{
public:
    ExchangeServer()
    {
        m_server.route(
            u"/x"_s, [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
                m_exchanges.push_back(std::make_unique<HttpExchange>(std::move(responder)));
            });
    }

    bool listen() { return m_server.listen(); }

    // Connects `client`, asks for /x and returns the server's exchange for it.
    HttpExchange *exchangeFor(RawHttpClient &client)
    {
        const size_t before = m_exchanges.size();
        if (!client.connectTo(m_server.port()))
            return nullptr;
        client.send("GET", "/x");
        if (!waitUntil([&]() { return m_exchanges.size() > before; }))
            return nullptr;
        return m_exchanges.at(before).get();
    }

private:
    TestHttpServer m_server;
    std::vector<std::unique_ptr<HttpExchange>> m_exchanges;
};

} // namespace

class tst_HttpExchange : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sendReplyWritesAWholeResponse();
    void chunksStreamUntilEndChunked();
    void emptyChunkDoesNotEndTheBody();
    void abortDropsTheConnectionWithoutEndingTheBody();
    void clientLeavingIsReportedOnceAndStopsWrites();

private:
    ExchangeServer m_server;
};

void tst_HttpExchange::initTestCase()
{
    qRegisterMetaType<heartline::DisconnectCause>();
    QVERIFY(m_server.listen());
}

void tst_HttpExchange::sendReplyWritesAWholeResponse()
{
    RawHttpClient client;
    HttpExchange *exchange = m_server.exchangeFor(client);
    QVERIFY(exchange);
    QVERIFY(exchange->isConnected());
    QCOMPARE(exchange->peerAddress(), u"127.0.0.1"_s);

    exchange->sendReply({201, {{"Content-Type", "application/json"}}, R"({"ok":true})"});
    QTRY_VERIFY(client.response().complete);
    QCOMPARE(client.response().status, 201);
    QCOMPARE(client.response().header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(client.response().header("Content-Length"), QByteArray("11"));
    QCOMPARE(client.response().body, QByteArray(R"({"ok":true})"));
    // One answer per request: a second is dropped.
    exchange->sendReply({500, {}, "again"});
    QVERIFY(!exchange->beginChunked(200, {}));
    QCOMPARE(exchange->writeChunk("late"), qint64(-1));
}

void tst_HttpExchange::chunksStreamUntilEndChunked()
{
    RawHttpClient client;
    HttpExchange *exchange = m_server.exchangeFor(client);
    QVERIFY(exchange);

    QVERIFY(exchange->beginChunked(200, {{"Content-Type", "text/plain"}}));
    QVERIFY(exchange->writeChunk("hello ") > 0);
    QTRY_COMPARE(client.response().body, QByteArray("hello "));
    QVERIFY(!client.response().complete);
    QVERIFY(exchange->writeChunk("world") > 0);
    exchange->endChunked();
    QTRY_VERIFY(client.response().complete);
    QCOMPARE(client.response().header("Transfer-Encoding"), QByteArray("chunked"));
    QCOMPARE(client.response().body, QByteArray("hello world"));
    QCOMPARE(client.response().chunkSizes, (QList<qint64>{6, 5, 0}));
    QCOMPARE(exchange->writeChunk("after the end"), qint64(-1));
    QVERIFY(client.isConnected());
}

void tst_HttpExchange::emptyChunkDoesNotEndTheBody()
{
    RawHttpClient client;
    HttpExchange *exchange = m_server.exchangeFor(client);
    QVERIFY(exchange);

    QVERIFY(exchange->beginChunked(200, {}));
    QCOMPARE(exchange->writeChunk(QByteArrayView()), qint64(0)); // nothing to write, and no end
    QVERIFY(exchange->writeChunk("after nothing") > 0);
    QTRY_COMPARE(client.response().body, QByteArray("after nothing"));
    QVERIFY(!client.response().complete); // a "0\r\n\r\n" would have ended the body here
    QVERIFY(client.parseError().isEmpty());
    QCOMPARE(client.response().chunkSizes, QList<qint64>{13});
}

void tst_HttpExchange::abortDropsTheConnectionWithoutEndingTheBody()
{
    RawHttpClient client;
    HttpExchange *exchange = m_server.exchangeFor(client);
    QVERIFY(exchange);
    QSignalSpy disconnected(exchange, &HttpExchange::disconnected);

    QVERIFY(exchange->beginChunked(200, {}));
    QVERIFY(exchange->writeChunk("partial") > 0);
    QTRY_COMPARE(client.response().body, QByteArray("partial"));
    exchange->abort();
    QTRY_VERIFY(client.wasDisconnected());
    QVERIFY(!client.response().complete);
    QVERIFY(!exchange->isConnected());
    QCOMPARE(disconnected.size(), 0); // the server's own decision is not a client's disconnect
}

void tst_HttpExchange::clientLeavingIsReportedOnceAndStopsWrites()
{
    RawHttpClient client;
    HttpExchange *exchange = m_server.exchangeFor(client);
    QVERIFY(exchange);
    QSignalSpy disconnected(exchange, &HttpExchange::disconnected);
    QVERIFY(exchange->beginChunked(200, {}));

    client.disconnectFromHost();
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).value<DisconnectCause>(), DisconnectCause::ClientClosed);
    QTRY_VERIFY(!exchange->isConnected());
    QCOMPARE(exchange->writeChunk("nobody listens"), qint64(-1));
    exchange->endChunked();
    exchange->abort();
    QCOMPARE(exchange->bytesQueued(), 0);
    QCOMPARE(disconnected.size(), 1);
}

HEARTLINE_SERVER_TEST_MAIN(tst_HttpExchange)
#include "tst_httpexchange.moc"
