// Forwarding to the user's MCP servers as sessions see it, end to end: the real server, the
// misbehaving-upstream fixture as real children, clients over raw HTTP. `"instances":
// "per-session"` gives each session a process of its own (the fixture's `pid` tool says which
// one answered) that goes with the session; a client's _meta reaches the upstream (the
// fixture's `meta` tool answers with what it got).

#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamchannel.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/processgroup.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

UpstreamServerConfig perSessionFixture(const QString &name)
{
    UpstreamServerConfig config;
    config.name = name;
    config.command = QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM);
    config.instances = UpstreamServerConfig::Instances::PerSession;
    return config;
}

qint64 pidOf(const UpstreamSupervisor *supervisor)
{
    if (!supervisor || !supervisor->client())
        return 0;
    const QString described = supervisor->client()->channel()->describe();
    return described.section(u"(pid "_s, 1).section(u')', 0, 0).toLongLong();
}

// The pid the fixture answered `tools/call pid` with, through Heartline; 0 on any failure.
qint64 calledPid(quint16 port, const RawHeaders &headers, const QByteArray &body)
{
    const QJsonObject answer = finalAnswer(postOnce(port, headers, body));
    if (answer.value("result"_L1).toObject().value("isError"_L1).toBool()) {
        qWarning() << "pid call failed:" << QJsonDocument(answer).toJson(QJsonDocument::Compact);
        return 0;
    }
    return firstContentText(answer).toLongLong();
}

qint64 calledPid(quint16 port, const McpTestSession &session, int id)
{
    return calledPid(port, session.post(), toolCallBody(id, u"ps__pid"_s, {}));
}

} // namespace

class tst_UpstreamSessions final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_UpstreamSessions()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void eachSessionGetsItsOwnProcessUntilTheSessionEnds();
    void removingTheServerStopsEveryCopy();
    void aStatelessCallUsesTheListingInstance();
    void theClientsMetaReachesTheUpstreamWithHeartlinesProgressToken();

private:
    // The per-session server `ps` hosted and listed; its listing instance's pid.
    qint64 hostPerSessionServer();
};

qint64 tst_UpstreamSessions::hostPerSessionServer()
{
    if (!startServer())
        return 0;
    m_server->upstreams()->apply({perSessionFixture(u"ps"_s)});
    if (!QTest::qWaitFor([this] { return m_server->tools()->contains(u"ps__pid"_s); }, 15000))
        return 0;
    return pidOf(m_server->upstreams()->supervisor(u"ps"_s));
}

void tst_UpstreamSessions::eachSessionGetsItsOwnProcessUntilTheSessionEnds()
{
    const qint64 listing = hostPerSessionServer();
    QVERIFY(listing > 0);
    const McpTestSession a = openSession(m_port);
    const McpTestSession b = openSession(m_port);
    QVERIFY2(a.ok() && b.ok(), qPrintable(a.error + b.error));

    const qint64 pidA = calledPid(m_port, a, 1);
    const qint64 pidB = calledPid(m_port, b, 1);
    QVERIFY(pidA > 0 && pidB > 0);
    QVERIFY2(pidA != pidB, "two sessions shared one per-session process");
    QVERIFY(pidA != listing && pidB != listing);
    // Each copy is a process group of its own (setsid), like the shared instance.
    QCOMPARE(processGroupOf(pidA), pidA);
    QCOMPARE(calledPid(m_port, a, 2), pidA); // the session's later calls go to its copy
    QCOMPARE(calledPid(m_port, b, 2), pidB);
    QCOMPARE(pidOf(m_server->upstreams()->sessionInstance(u"ps"_s, QString::fromLatin1(a.id))),
             pidA);

    // DELETE ends session a: its copy's group goes, b's copy and the listing instance stay.
    const HttpResponse deleted =
        RawHttpClient(m_port).request("DELETE", "/mcp", deleteHeaders(a.id, a.protocolHeader()));
    QVERIFY2(deleted.status >= 200 && deleted.status < 300,
             qPrintable(QString::number(deleted.status)));
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pidA).isEmpty(), 10000);
    QVERIFY(m_server->upstreams()->sessionInstance(u"ps"_s, QString::fromLatin1(a.id)) == nullptr);
    QVERIFY(isAlive(pidB));
    QVERIFY(isAlive(listing));
    QCOMPARE(calledPid(m_port, b, 3), pidB); // the other session keeps its copy
}

void tst_UpstreamSessions::removingTheServerStopsEveryCopy()
{
    const qint64 listing = hostPerSessionServer();
    QVERIFY(listing > 0);
    const McpTestSession a = openSession(m_port);
    QVERIFY2(a.ok(), qPrintable(a.error));
    const qint64 pidA = calledPid(m_port, a, 1);
    QVERIFY(pidA > 0);

    m_server->upstreams()->apply({});
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pidA).isEmpty(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(listing).isEmpty(), 10000);
}

void tst_UpstreamSessions::aStatelessCallUsesTheListingInstance()
{
    const qint64 listing = hostPerSessionServer();
    QVERIFY(listing > 0);
    const QJsonObject meta{
        {"io.modelcontextprotocol/protocolVersion"_L1, "2026-07-28"_L1},
        {"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject()},
        {"io.modelcontextprotocol/clientInfo"_L1,
         QJsonObject{{"name"_L1, "stateless-test"_L1}, {"version"_L1, "1"_L1}}}};
    RawHeaders headers = postHeaders({}, "2026-07-28");
    headers.append({QByteArray("Mcp-Method"), QByteArray("tools/call")});
    headers.append({QByteArray("Mcp-Name"), QByteArray("ps__pid")});
    const QByteArray body = requestBody(
        1, u"tools/call"_s,
        {{"name"_L1, "ps__pid"_L1}, {"arguments"_L1, QJsonObject()}, {"_meta"_L1, meta}});
    // No session, no copy: the one instance that lists the tools answers.
    QCOMPARE(calledPid(m_port, headers, body), listing);
}

void tst_UpstreamSessions::theClientsMetaReachesTheUpstreamWithHeartlinesProgressToken()
{
    QVERIFY(startServer());
    UpstreamServerConfig config = perSessionFixture(u"fx"_s);
    config.instances = UpstreamServerConfig::Instances::Shared;
    m_server->upstreams()->apply({config});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__meta"_s), 15000);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    QJsonObject body = QJsonDocument::fromJson(toolCallBody(4, u"fx__meta"_s, {})).object();
    QJsonObject params = body.value("params"_L1).toObject();
    params.insert("_meta"_L1,
                  QJsonObject{{"progressToken"_L1, "client-token"_L1},
                              {"com.example/trace"_L1, QJsonObject{{"id"_L1, "abc"_L1}}},
                              {"note"_L1, 42}});
    body.insert("params"_L1, params);
    const QJsonObject answer =
        finalAnswer(postOnce(m_port, session.post(), QJsonDocument(body).toJson()));
    const QJsonObject seen = QJsonDocument::fromJson(firstContentText(answer).toUtf8()).object();
    QVERIFY2(!seen.isEmpty(), QJsonDocument(answer).toJson().constData());
    QCOMPARE(seen.value("com.example/trace"_L1).toObject().value("id"_L1).toString(), u"abc"_s);
    QCOMPARE(seen.value("note"_L1).toInt(), 42);
    // Heartline's own token upstream (an integer, its request id), never the client's.
    QVERIFY2(seen.value("progressToken"_L1).isDouble(),
             QJsonDocument(seen).toJson(QJsonDocument::Compact).constData());
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamSessions)
#include "tst_upstreamsessions.moc"
