// One upstream server shared by several downstream sessions, through the real server and the
// misbehaving-upstream fixture as a real child: what Heartline rewrites on the way (request
// ids, progress tokens, cancellations) keeps each session's traffic its own, and every change to
// the upstream's tools reaches every session as one list_changed.

#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kReadyMs = 15000;
// How long a second list_changed would take to follow the first if a change were announced
// twice: the registry coalesces within 10 ms and a restart takes the fixture well under this.
constexpr int kQuietMs = 600;

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// A session with its GET stream open, counting the tools/list_changed it is sent.
struct ListeningSession
{
    McpTestSession session;
    std::unique_ptr<RawHttpClient> stream;

    int listChangedCount() const
    {
        return countMethod(stream->response().sse, "notifications/tools/list_changed");
    }
};

enum class ToolChange {
    UpstreamListChanged,
    CrashAndAutomaticRestart,
    RestartByHand,
    ToolSwitchedOff,
    ToolSwitchedOn,
    ConfigChangeRestarts,
    ConfigDisablesATool,
};

} // namespace

Q_DECLARE_METATYPE(ToolChange)

class tst_UpstreamForwarding final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_UpstreamForwarding()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void twoSessionsWithTheSameIdAndTokenGetOnlyTheirOwn_data();
    void twoSessionsWithTheSameIdAndTokenGetOnlyTheirOwn();
    void cancellingOneOfTwoIdenticalCallsCancelsOnlyThatOneUpstream();
    void everyChangeOfTheToolsIsOneListChangedForEverySession_data();
    void everyChangeOfTheToolsIsOneListChangedForEverySession();
    void rootsListIsAnsweredFromTheConfiguredRootsForAClientWithout();
    void theClientsAuthorizationStaysHereTheConfiguredOneGoesUp();

private:
    bool startWithFixture(const QStringList &extraArgs = {});
    ListeningSession openListeningSession();
    // Starts a tools/call of fx__slow on a connection of its own; its answer is `text`.
    std::unique_ptr<RawHttpClient> startSlowCall(const McpTestSession &session, int ms,
                                                 const QString &text,
                                                 const QJsonValue &progressToken);
    void callTool(const McpTestSession &session, const QString &tool);
    bool isReadyWithoutExtra() const;
};

bool tst_UpstreamForwarding::startWithFixture(const QStringList &extraArgs)
{
    if (!startServer())
        return false;
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, extraArgs)});
    return waitUntil([this]() { return m_server->tools()->contains(u"fx__slow"_s); }, kReadyMs);
}

ListeningSession tst_UpstreamForwarding::openListeningSession()
{
    ListeningSession listening;
    listening.session = openSession(m_port);
    listening.stream = std::make_unique<RawHttpClient>(m_port);
    if (listening.session.ok()) {
        const QString error = openGetStream(*listening.stream, listening.session);
        if (!error.isEmpty())
            listening.session.error = error;
    }
    return listening;
}

std::unique_ptr<RawHttpClient>
tst_UpstreamForwarding::startSlowCall(const McpTestSession &session, int ms, const QString &text,
                                      const QJsonValue &progressToken)
{
    auto client = std::make_unique<RawHttpClient>(m_port);
    // Both sessions use id 1: only Heartline's own upstream ids keep the calls apart.
    client->send("POST", "/mcp", session.post(),
                 toolCallBody(1, u"fx__slow"_s, QJsonObject{{"ms"_L1, ms}, {"text"_L1, text}},
                              progressToken));
    return client;
}

void tst_UpstreamForwarding::callTool(const McpTestSession &session, const QString &tool)
{
    const QJsonObject answer =
        finalAnswer(postOnce(m_port, session.post(), toolCallBody(90, tool, {})));
    QVERIFY2(answer.contains("result"_L1), qPrintable(compact(answer)));
}

bool tst_UpstreamForwarding::isReadyWithoutExtra() const
{
    const UpstreamSupervisor *supervisor = m_server->upstreams()->supervisor(u"fx"_s);
    return supervisor && supervisor->state() == UpstreamState::Ready
           && m_server->tools()->contains(u"fx__echo"_s)
           && !m_server->tools()->contains(u"fx__extra"_s);
}

void tst_UpstreamForwarding::twoSessionsWithTheSameIdAndTokenGetOnlyTheirOwn_data()
{
    QTest::addColumn<QJsonValue>("token");
    QTest::newRow("string token") << QJsonValue(u"progress-1"_s);
    QTest::newRow("number token") << QJsonValue(1);
}

void tst_UpstreamForwarding::twoSessionsWithTheSameIdAndTokenGetOnlyTheirOwn()
{
    QFETCH(QJsonValue, token);
    QVERIFY(startWithFixture());
    const McpTestSession first = openSession(m_port);
    const McpTestSession second = openSession(m_port);
    QVERIFY2(first.ok() && second.ok(), qPrintable(first.error + second.error));

    // Overlapping calls: the fixture sends progress for both, interleaved, on one stdout.
    const auto firstCall = startSlowCall(first, 600, u"first's answer"_s, token);
    const auto secondCall = startSlowCall(second, 500, u"second's answer"_s, token);
    QVERIFY(waitUntil(
        [&]() { return firstCall->response().complete && secondCall->response().complete; },
        kReadyMs));

    const QList<std::pair<RawHttpClient *, QString>> calls{
        {firstCall.get(), u"first's answer"_s}, {secondCall.get(), u"second's answer"_s}};
    for (const auto &[call, expected] : calls) {
        const HttpResponse &response = call->response();
        const QJsonObject answer = finalAnswer(response);
        QCOMPARE(answer.value("id"_L1), QJsonValue(1));
        QCOMPARE(firstContentText(answer), expected);
        // Nine steps each: another call's progress here would repeat or reorder the values.
        QList<double> progress;
        for (const QJsonObject &message : messagesOf(response.sse)) {
            if (message.value("method"_L1) != "notifications/progress"_L1)
                continue;
            const QJsonObject params = message.value("params"_L1).toObject();
            // The client's exact token: same value, same JSON type.
            QCOMPARE(params.value("progressToken"_L1), token);
            progress.append(params.value("progress"_L1).toDouble());
        }
        QCOMPARE(progress.size(), 9);
        for (qsizetype i = 0; i < progress.size(); ++i)
            QCOMPARE(progress.at(i), double(i + 1));
    }
}

void tst_UpstreamForwarding::cancellingOneOfTwoIdenticalCallsCancelsOnlyThatOneUpstream()
{
    QVERIFY(startWithFixture());
    QSignalSpy fixtureStderr(m_server->upstreams(), &UpstreamHost::diagnosticLine);
    const McpTestSession first = openSession(m_port);
    const McpTestSession second = openSession(m_port);
    QVERIFY2(first.ok() && second.ok(), qPrintable(first.error + second.error));

    const auto firstCall = startSlowCall(first, 3000, u"first's answer"_s, u"same"_s);
    const auto secondCall = startSlowCall(second, 3000, u"second's answer"_s, u"same"_s);
    // Both calls are running upstream once each has had its first progress.
    const auto progressed = [](const RawHttpClient &call) {
        return countMethod(call.response().sse, "notifications/progress") > 0;
    };
    QVERIFY(
        waitUntil([&]() { return progressed(*firstCall) && progressed(*secondCall); }, kReadyMs));

    const HttpResponse accepted = postOnce(
        m_port, first.post(),
        notificationBody(u"notifications/cancelled"_s,
                         QJsonObject{{"requestId"_L1, 1}, {"reason"_L1, "changed my mind"_L1}}));
    QCOMPARE(accepted.status, 202);

    QVERIFY(waitUntil([&]() { return secondCall->response().complete; }, kReadyMs));
    QCOMPARE(firstContentText(finalAnswer(secondCall->response())), u"second's answer"_s);
    QVERIFY(firstContentText(finalAnswer(firstCall->response())).isEmpty());

    // The fixture writes each cancellation it receives on stderr, with the upstream id.
    const auto cancellations = [&fixtureStderr]() {
        QStringList lines;
        for (const QList<QVariant> &args : fixtureStderr) {
            if (args.at(1).toString().contains(u"cancelled upstream id"_s))
                lines.append(args.at(1).toString());
        }
        return lines;
    };
    QVERIFY(waitUntil([&]() { return !cancellations().isEmpty(); }, kReadyMs));
    QCOMPARE(cancellations().size(), 1);
    // Heartline's own id went upstream, not the client's 1 (which both calls share).
    QVERIFY2(!cancellations().constFirst().endsWith(u"[1]"_s),
             qPrintable(cancellations().constFirst()));
}

void tst_UpstreamForwarding::everyChangeOfTheToolsIsOneListChangedForEverySession_data()
{
    QTest::addColumn<ToolChange>("change");
    QTest::newRow("upstream list_changed") << ToolChange::UpstreamListChanged;
    QTest::newRow("crash and automatic restart") << ToolChange::CrashAndAutomaticRestart;
    QTest::newRow("UpstreamHost::restart") << ToolChange::RestartByHand;
    QTest::newRow("tool switched off") << ToolChange::ToolSwitchedOff;
    QTest::newRow("tool switched on") << ToolChange::ToolSwitchedOn;
    QTest::newRow("config change restarts") << ToolChange::ConfigChangeRestarts;
    QTest::newRow("config disables a tool") << ToolChange::ConfigDisablesATool;
}

void tst_UpstreamForwarding::everyChangeOfTheToolsIsOneListChangedForEverySession()
{
    QFETCH(ToolChange, change);
    QVERIFY(startWithFixture());
    std::vector<ListeningSession> sessions;
    for (int i = 0; i < 2; ++i) {
        sessions.push_back(openListeningSession());
        QVERIFY2(sessions.back().session.ok(), qPrintable(sessions.back().session.error));
    }
    const McpTestSession &caller = sessions.front().session;
    Control *control = m_server->control();
    QString error;

    // A state the change will visibly undo: fx__extra exists until the fixture restarts, and
    // fx__echo is off before it is switched on.
    const bool restarts = change == ToolChange::CrashAndAutomaticRestart
                          || change == ToolChange::RestartByHand
                          || change == ToolChange::ConfigChangeRestarts;
    if (restarts) {
        callTool(caller, u"fx__change_tools"_s);
        QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__extra"_s), kReadyMs);
    } else if (change == ToolChange::ToolSwitchedOn) {
        QVERIFY2(control->setToolEnabled(u"fx__echo"_s, false, &error), qPrintable(error));
    }
    if (restarts || change == ToolChange::ToolSwitchedOn) {
        for (const ListeningSession &listening : sessions)
            QTRY_COMPARE_WITH_TIMEOUT(listening.listChangedCount(), 1, kReadyMs);
    }
    QList<int> before;
    for (const ListeningSession &listening : sessions)
        before.append(listening.listChangedCount());

    std::function<bool()> settled = [this]() { return isReadyWithoutExtra(); };
    UpstreamServerConfig changed = misbehavingUpstream(u"fx"_s);
    switch (change) {
    case ToolChange::UpstreamListChanged:
        callTool(caller, u"fx__change_tools"_s);
        settled = [this]() { return m_server->tools()->contains(u"fx__extra"_s); };
        break;
    case ToolChange::CrashAndAutomaticRestart:
        callTool(caller, u"fx__crash"_s); // answered at once with a tool error
        break;
    case ToolChange::RestartByHand:
        QVERIFY2(m_server->upstreams()->restart(u"fx"_s, &error), qPrintable(error));
        break;
    case ToolChange::ToolSwitchedOff:
        QVERIFY2(control->setToolEnabled(u"fx__echo"_s, false, &error), qPrintable(error));
        settled = [this]() { return !m_server->tools()->isEnabled(u"fx__echo"_s); };
        break;
    case ToolChange::ToolSwitchedOn:
        QVERIFY2(control->setToolEnabled(u"fx__echo"_s, true, &error), qPrintable(error));
        settled = [this]() { return m_server->tools()->isEnabled(u"fx__echo"_s); };
        break;
    case ToolChange::ConfigChangeRestarts:
        changed.args = QStringList{u"--stderr-lines"_s, u"1"_s};
        m_server->upstreams()->apply({changed});
        break;
    case ToolChange::ConfigDisablesATool:
        changed.disabledTools = QStringList{u"echo"_s};
        m_server->upstreams()->apply({changed});
        settled = [this]() { return !m_server->tools()->isEnabled(u"fx__echo"_s); };
        break;
    }
    QVERIFY(waitUntil(settled, kReadyMs));

    for (qsizetype i = 0; i < qsizetype(sessions.size()); ++i)
        QTRY_VERIFY_WITH_TIMEOUT(sessions.at(size_t(i)).listChangedCount() > before.at(i),
                                 kReadyMs);
    // One announcement for the whole change, however many steps it took upstream.
    const auto anySecond = [&]() {
        for (qsizetype i = 0; i < qsizetype(sessions.size()); ++i) {
            if (sessions.at(size_t(i)).listChangedCount() > before.at(i) + 1)
                return true;
        }
        return false;
    };
    QVERIFY(!waitUntil(anySecond, kQuietMs));

    for (qsizetype i = 0; i < qsizetype(sessions.size()); ++i) {
        const ListeningSession &listening = sessions.at(size_t(i));
        QCOMPARE(listening.listChangedCount(), before.at(i) + 1);

        const QStringList names = listToolNames(m_port, listening.session, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        switch (change) {
        case ToolChange::UpstreamListChanged:
            QVERIFY(names.contains(u"fx__extra"_s));
            break;
        case ToolChange::ToolSwitchedOff:
        case ToolChange::ConfigDisablesATool:
            QVERIFY(!names.contains(u"fx__echo"_s));
            QVERIFY(names.contains(u"fx__slow"_s));
            break;
        case ToolChange::ToolSwitchedOn:
            QVERIFY(names.contains(u"fx__echo"_s));
            break;
        default: // a restart: the fresh process has no extra tool
            QVERIFY(!names.contains(u"fx__extra"_s));
            QVERIFY(names.contains(u"fx__echo"_s));
        }
    }
}

// The upstream asks roots/list while a client's call is in flight; that client declared no
// roots capability, so Heartline answers from the server's configured roots itself.
void tst_UpstreamForwarding::rootsListIsAnsweredFromTheConfiguredRootsForAClientWithout()
{
    QVERIFY(startServer());
    UpstreamServerConfig config = misbehavingUpstream(u"fx"_s);
    config.roots = {u"file:///home/ada/notes"_s, u"file:///srv/"_s};
    m_server->upstreams()->apply({config});
    QVERIFY(waitUntil([this]() { return m_server->tools()->contains(u"fx__roots"_s); }, kReadyMs));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const QJsonObject answer =
        finalAnswer(postOnce(m_port, session.post(), toolCallBody(3, u"fx__roots"_s, {})));
    const QJsonObject expected{
        {"roots"_L1,
         QJsonArray{QJsonObject{{"uri"_L1, "file:///home/ada/notes"_L1}, {"name"_L1, "notes"_L1}},
                    QJsonObject{{"uri"_L1, "file:///srv/"_L1}, {"name"_L1, "/srv/"_L1}}}}};
    QCOMPARE(firstContentText(answer), compact(expected));
}

// A remote upstream that wants its own bearer token gets the configured one on every request,
// never the token the downstream client showed Heartline: with Heartline's token passed on,
// the upstream would refuse with 401 and its tools would never be served.
void tst_UpstreamForwarding::theClientsAuthorizationStaysHereTheConfiguredOneGoesUp()
{
    ServerConfig upstreamConfig = loopbackConfig(0, 50);
    upstreamConfig.token = u"upstream-token"_s;
    std::unique_ptr<HeartlineServer> upstream = startInProcessServer(upstreamConfig);
    QVERIFY(upstream);

    ServerConfig front = testConfig();
    front.token = u"front-token"_s;
    QVERIFY(startServer(front));
    UpstreamServerConfig remote;
    remote.name = u"remote"_s;
    remote.transport = UpstreamServerConfig::Transport::StreamableHttp;
    remote.url = upstream->mcpUrl();
    remote.headers.insert(u"Authorization"_s, u"Bearer upstream-token"_s);
    m_server->upstreams()->apply({remote});
    QVERIFY2(
        waitUntil([this]() { return m_server->tools()->contains(u"remote__echo"_s); }, kReadyMs),
        qPrintable(m_server->upstreams()->supervisor(u"remote"_s)->lastError()));

    const RawHeaders bearer{{"Authorization", "Bearer front-token"}};
    const McpTestSession session = openSession(m_port, kLatestRevision, true, bearer);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const HttpResponse response =
        postOnce(m_port, session.post() + bearer,
                 toolCallBody(4, u"remote__echo"_s, QJsonObject{{"message"_L1, "through"_L1}}));
    QCOMPARE(firstContentText(finalAnswer(response)), u"through"_s);
    // And the other way round: Heartline's own token is not the upstream's.
    const McpTestSession wrong = openSession(upstream->port(), kLatestRevision, true, bearer);
    QVERIFY(!wrong.ok());
    m_server->upstreams()->apply({});
    stopInProcessServer(upstream);
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamForwarding)
#include "tst_upstreamforwarding.moc"
