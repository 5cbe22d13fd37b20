// The Control facade against the real server: the live stream figures the window polls, and
// settings applied while the server runs (heartbeat, token, a new address, refusals).
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/stream/heartbeatscheduler.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QDateTime>
#include <QHostAddress>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

// The figures of the stream `streamId`, or a default StreamStats (empty id) when not open.
StreamStats statsOf(const Control *control, const QString &streamId)
{
    for (const StreamStats &stats : control->streamStats()) {
        if (stats.streamId == streamId)
            return stats;
    }
    return {};
}

QList<qint64> heartbeatArrivals(const RawHttpClient &client)
{
    QList<qint64> arrivals;
    for (const SseItem &item : client.response().heartbeats())
        arrivals.append(item.arrivedMs);
    return arrivals;
}

// A port nothing listens on right now (bound, read, released).
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool canConnect(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(2000);
}

int healthStatus(quint16 port)
{
    RawHttpClient client(port);
    return client.request("GET", "/healthz", {}, {}, 3000).status;
}

int metricsStatus(quint16 port, const QByteArray &token)
{
    RawHttpClient client(port);
    return client.request("GET", "/metrics", {{"Authorization", "Bearer " + token}}, {}, 3000)
        .status;
}

} // namespace

class tst_Control final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_Control()
        : InProcessServerTest(loopbackConfig(50, 10))
    {}

private Q_SLOTS:
    void streamStatsFollowAnOpenGetStream();
    void streamStatsShowWhatAClientLeavesUnread();
    void newHeartbeatIntervalSpacesTheNextBeats();
    void newTokenRefusesTheOldOne();
    void newPortIsServedAndTheOldOneRefused();
    void takenPortIsRefusedAndTheOldOneKeepsServing();
    void newHostOnTheSamePortIsServed();
    void invalidSettingsAreRefusedAndChangeNothing_data();
    void invalidSettingsAreRefusedAndChangeNothing();
    void settingsSayWhatTheServerRunsWith();

private:
    // Opens the session's GET stream on `client`; returns its stream id (from the Monitor).
    QString openGetStreamId(RawHttpClient &client, const McpTestSession &session);
};

QString tst_Control::openGetStreamId(RawHttpClient &client, const McpTestSession &session)
{
    QSignalSpy opened(m_server->monitor(), &Monitor::streamOpened);
    if (!openGetStream(client, session).isEmpty())
        return {};
    if (!waitUntil([&opened]() { return !opened.isEmpty(); }))
        return {};
    const StreamInfo stream = opened.first().first().value<StreamInfo>();
    return stream.kind == StreamKind::Standalone ? stream.id : QString();
}

void tst_Control::streamStatsFollowAnOpenGetStream()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    Control *control = m_server->control();
    QVERIFY(control->streamStats().isEmpty());

    RawHttpClient client(m_port);
    const QString streamId = openGetStreamId(client, session);
    QVERIFY(!streamId.isEmpty());
    const qint64 openedWallMs = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(client.waitForSse(
        [&client](const QList<SseItem> &) { return client.response().heartbeats().size() >= 3; },
        3000));

    StreamStats stats = statsOf(control, streamId);
    QCOMPARE(stats.streamId, streamId);
    QCOMPARE(stats.sessionId, QString::fromLatin1(session.id));
    QVERIFY2(stats.heartbeats >= 3, qPrintable(QString::number(stats.heartbeats)));
    QVERIFY(stats.heartbeats >= quint64(client.response().heartbeats().size()));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(stats.lastHeartbeatWallMs >= openedWallMs - 1000 && stats.lastHeartbeatWallMs <= now,
             qPrintable(QString::number(now - stats.lastHeartbeatWallMs)));
    QVERIFY(stats.lastWriteWallMs >= stats.lastHeartbeatWallMs);
    // The priming event carries no message.
    QCOMPARE(stats.messagesOut, 0u);
    QCOMPARE(stats.lastMessageWallMs, 0);
    // A client that reads everything leaves nothing queued.
    QTRY_COMPARE_WITH_TIMEOUT(statsOf(control, streamId).bytesQueued, 0, 2000);

    // A list change is announced on the GET stream: one message out.
    QString error;
    QVERIFY(control->setToolEnabled(u"now"_s, false, &error));
    QVERIFY(client.waitForSse([](const QList<SseItem> &items) {
        for (const SseItem &item : items) {
            if (item.isEvent()
                && item.message().value("method"_L1) == "notifications/tools/list_changed"_L1)
                return true;
        }
        return false;
    }));
    stats = statsOf(control, streamId);
    QCOMPARE(stats.messagesOut, 1u);
    QVERIFY(stats.lastMessageWallMs >= openedWallMs - 1000);
    QVERIFY(stats.lastMessageWallMs <= QDateTime::currentMSecsSinceEpoch());

    // Heartbeats keep counting, and the count only grows.
    const quint64 before = stats.heartbeats;
    QTRY_VERIFY_WITH_TIMEOUT(statsOf(control, streamId).heartbeats > before, 2000);

    // A closed stream leaves the figures.
    client.abort();
    QTRY_VERIFY_WITH_TIMEOUT(statsOf(control, streamId).streamId.isEmpty(), 3000);
}

void tst_Control::streamStatsShowWhatAClientLeavesUnread()
{
    // A 2025-03-26 batch of large echoes with one slow call: the reply turns into a stream
    // and writes a few megabytes at once to a client that reads nothing.
    ServerConfig config = testConfig();
    config.heartbeatMs = 0;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port, "2025-03-26");
    QVERIFY2(session.ok(), qPrintable(session.error));

    const QString text(60 * 1024, u'x');
    QByteArray batch = "[";
    for (int i = 1; i <= 50; ++i)
        batch += toolCallBody(i, u"echo"_s, {{"message"_L1, text}}) + ',';
    batch += toolCallBody(51, u"sleep"_s, {{"ms"_L1, 5000}}) + ']';
    QByteArray request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                         + QByteArray::number(batch.size()) + "\r\n";
    for (const auto &[name, value] : session.post())
        request += name + ": " + value + "\r\n";
    request += "\r\n" + batch;

    QTcpSocket quiet;
    quiet.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    quiet.setReadBufferSize(1);
    quiet.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(quiet.waitForConnected(2000));
    quiet.write(request);

    Control *control = m_server->control();
    QTRY_VERIFY_WITH_TIMEOUT(
        [control]() {
            for (const StreamStats &stats : control->streamStats()) {
                if (stats.bytesQueued > 0 && stats.messagesOut >= 50)
                    return true;
            }
            return false;
        }(),
        5000);
    quiet.abort();
}

void tst_Control::newHeartbeatIntervalSpacesTheNextBeats()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient client(m_port);
    QVERIFY(!openGetStreamId(client, session).isEmpty());
    QVERIFY(client.waitForSse(
        [&client](const QList<SseItem> &) { return client.response().heartbeats().size() >= 3; },
        3000));

    QSignalSpy intervalChanged(m_server->monitor(), &Monitor::heartbeatIntervalChanged);
    QSignalSpy listening(m_server->monitor(), &Monitor::listening);
    ServerConfig settings = m_server->control()->settings();
    QCOMPARE(settings.heartbeatMs, 50);
    settings.heartbeatMs = 500;
    QString error;
    QVERIFY2(m_server->control()->applySettings(settings, &error), qPrintable(error));
    QCOMPARE(m_server->control()->heartbeatInterval(), 500);
    QCOMPARE(m_server->control()->settings().heartbeatMs, 500);
    QCOMPARE(intervalChanged.size(), 1);
    QCOMPARE(intervalChanged.first().first().toInt(), 500);
    QVERIFY2(listening.isEmpty(), "the address did not change: no re-listen");

    const int seen = int(client.response().heartbeats().size());
    QVERIFY(client.waitForSse(
        [&client, seen](const QList<SseItem> &) {
            return client.response().heartbeats().size() >= seen + 3;
        },
        5000));
    const QList<qint64> arrivals = heartbeatArrivals(client);
    // The last two gaps come entirely after the change; at 50 ms they would be about 50.
    for (qsizetype i = arrivals.size() - 2; i < arrivals.size(); ++i) {
        const qint64 gap = arrivals.at(i) - arrivals.at(i - 1);
        QVERIFY2(gap >= 350, qPrintable(u"gap of %1 ms after the change to 500 ms"_s.arg(gap)));
    }
}

void tst_Control::newTokenRefusesTheOldOne()
{
    ServerConfig config = testConfig();
    config.token = u"first-token"_s;
    QVERIFY(startServer(config));
    QCOMPARE(metricsStatus(m_port, "first-token"), 200);
    QCOMPARE(metricsStatus(m_port, "second-token"), 401);

    ServerConfig settings = m_server->control()->settings();
    QCOMPARE(settings.token, u"first-token"_s);
    settings.token = u"second-token"_s;
    QString error;
    QVERIFY2(m_server->control()->applySettings(settings, &error), qPrintable(error));

    QCOMPARE(metricsStatus(m_port, "first-token"), 401);
    QCOMPARE(metricsStatus(m_port, "second-token"), 200);
    QCOMPARE(m_server->control()->settings().token, u"second-token"_s);
}

void tst_Control::newPortIsServedAndTheOldOneRefused()
{
    QVERIFY(startServer(testConfig()));
    const quint16 oldPort = m_port;
    // A stream open before the move keeps running on its connection.
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    QVERIFY(!openGetStreamId(stream, session).isEmpty());

    const quint16 newPort = freePort();
    QVERIFY(newPort != 0 && newPort != oldPort);
    QSignalSpy listening(m_server->monitor(), &Monitor::listening);
    ServerConfig settings = m_server->control()->settings();
    settings.port = newPort;
    QString error;
    QVERIFY2(m_server->control()->applySettings(settings, &error), qPrintable(error));

    QCOMPARE(m_server->port(), newPort);
    QCOMPARE(m_server->control()->settings().port, newPort);
    QCOMPARE(listening.size(), 1);
    QCOMPARE(listening.first().at(0).toString(), u"http://127.0.0.1:%1"_s.arg(newPort));
    QCOMPARE(listening.first().at(1).toInt(), 50);
    QCOMPARE(m_server->monitor()->snapshot().endpoint, u"http://127.0.0.1:%1"_s.arg(newPort));
    QCOMPARE(m_server->control()->status().value("endpoint"_L1).toString(),
             u"http://127.0.0.1:%1"_s.arg(newPort));

    QCOMPARE(healthStatus(newPort), 200);
    QVERIFY2(!canConnect(oldPort), "the old port should no longer accept connections");

    const qsizetype beats = stream.response().heartbeats().size();
    QVERIFY2(stream.waitForSse([&stream, beats](const QList<SseItem> &) {
        return stream.response().heartbeats().size() >= beats + 2;
    }),
             "a stream opened on the old port should keep its heartbeats");
    QVERIFY(!stream.wasDisconnected());

    // The session itself is reachable through the new port.
    const HttpResponse listed = postOnce(newPort, session.post(), requestBody(7, u"ping"_s));
    QCOMPARE(listed.status, 200);
}

void tst_Control::takenPortIsRefusedAndTheOldOneKeepsServing()
{
    QVERIFY(startServer(testConfig()));
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    QSignalSpy listening(m_server->monitor(), &Monitor::listening);

    ServerConfig settings = m_server->control()->settings();
    const ServerConfig before = settings;
    settings.port = squatter.serverPort();
    settings.heartbeatMs = 400; // not applied either: a refused change changes nothing
    QString error;
    QVERIFY(!m_server->control()->applySettings(settings, &error));
    QVERIFY2(error.contains(QString::number(squatter.serverPort())), qPrintable(error));

    QCOMPARE(m_server->port(), m_port);
    QCOMPARE(m_server->control()->settings().port, before.port);
    QCOMPARE(m_server->control()->heartbeatInterval(), 50);
    QVERIFY(listening.isEmpty());
    QCOMPARE(healthStatus(m_port), 200);
}

void tst_Control::newHostOnTheSamePortIsServed()
{
    // Only the host changes (127.0.0.1 to localhost here; to 0.0.0.0 in real use): the port
    // the old listener holds is the one the new one needs.
    QVERIFY(startServer(testConfig()));
    QSignalSpy listening(m_server->monitor(), &Monitor::listening);
    ServerConfig settings = m_server->control()->settings();
    settings.host = u"localhost"_s;
    settings.port = m_port;
    QString error;
    QVERIFY2(m_server->control()->applySettings(settings, &error), qPrintable(error));
    QCOMPARE(m_server->port(), m_port);
    QCOMPARE(m_server->control()->settings().host, u"localhost"_s);
    QCOMPARE(listening.size(), 1);
    QCOMPARE(healthStatus(m_port), 200);

    // A host that cannot be bound (not ours) is refused, and the port is served as before.
    settings.host = u"192.0.2.1"_s;
    settings.token = u"secret"_s;
    QVERIFY(!m_server->control()->applySettings(settings, &error));
    QCOMPARE(m_server->control()->settings().host, u"localhost"_s);
    QCOMPARE(listening.size(), 1);
    QCOMPARE(healthStatus(m_port), 200);
}

void tst_Control::invalidSettingsAreRefusedAndChangeNothing_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("heartbeatMs");
    QTest::addColumn<int>("maxConnections");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("every interface without a token")
        << u"0.0.0.0"_s << QString() << 50 << 100 << u"token"_s;
    QTest::newRow("a LAN address without a token")
        << u"192.168.1.20"_s << QString() << 50 << 100 << u"token"_s;
    QTest::newRow("not an address") << u"my-laptop"_s << u"t"_s << 50 << 100 << u"IP address"_s;
    QTest::newRow("heartbeat too fast")
        << u"127.0.0.1"_s << QString() << 5 << 100 << u"heartbeat"_s;
    QTest::newRow("negative heartbeat")
        << u"127.0.0.1"_s << QString() << -1 << 100 << u"heartbeat"_s;
    QTest::newRow("no connections")
        << u"127.0.0.1"_s << QString() << 50 << 0 << u"maxConnections"_s;
}

void tst_Control::invalidSettingsAreRefusedAndChangeNothing()
{
    QFETCH(QString, host);
    QFETCH(QString, token);
    QFETCH(int, heartbeatMs);
    QFETCH(int, maxConnections);
    QFETCH(QString, mentions);

    QVERIFY(startServer(testConfig()));
    QSignalSpy listening(m_server->monitor(), &Monitor::listening);
    ServerConfig settings = m_server->control()->settings();
    settings.host = host;
    settings.token = token;
    settings.heartbeatMs = heartbeatMs;
    settings.maxConnections = maxConnections;
    QString error;
    QVERIFY(!m_server->control()->applySettings(settings, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));

    const ServerConfig now = m_server->control()->settings();
    QCOMPARE(now.host, u"127.0.0.1"_s);
    QCOMPARE(now.heartbeatMs, 50);
    QCOMPARE(now.maxConnections, testConfig().maxConnections);
    QVERIFY(listening.isEmpty());
    QCOMPARE(healthStatus(m_port), 200);
}

void tst_Control::settingsSayWhatTheServerRunsWith()
{
    ServerConfig config = testConfig();
    config.allowedOrigins = {u"https://app.example"_s};
    QVERIFY(startServer(config));
    Control *control = m_server->control();
    QCOMPARE(control->settings().allowedOrigins, config.allowedOrigins);
    // The port asked for (0: any free one) is what the settings keep; applying them again,
    // or with the port actually bound, is no change and no re-listen.
    QCOMPARE(control->settings().port, 0);
    QSignalSpy listening(m_server->monitor(), &Monitor::listening);
    QString error;
    QVERIFY2(control->applySettings(control->settings(), &error), qPrintable(error));
    ServerConfig bound = control->settings();
    bound.port = m_port;
    QVERIFY2(control->applySettings(bound, &error), qPrintable(error));
    QVERIFY(listening.isEmpty());
    QCOMPARE(m_server->port(), m_port);

    // The heartbeat set on its own is what the settings say.
    control->setHeartbeatInterval(300);
    QCOMPARE(control->settings().heartbeatMs, 300);

    // Origins apply live: a browser at the new origin gets through, the old one does not.
    ServerConfig changed = control->settings();
    changed.allowedOrigins = {u"https://other.example"_s};
    QVERIFY2(control->applySettings(changed, &error), qPrintable(error));
    RawHttpClient client(m_port);
    RawHeaders headers = postHeaders();
    headers.push_back({"Origin", "https://app.example"});
    QCOMPARE(client.request("POST", "/mcp", headers, initializeBody(kLatestRevision)).status, 403);
    headers.last().second = "https://other.example";
    QCOMPARE(client.request("POST", "/mcp", headers, initializeBody(kLatestRevision)).status, 200);
}

HEARTLINE_SERVER_TEST_MAIN(tst_Control)
#include "tst_control.moc"
