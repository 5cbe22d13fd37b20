#include "server/api/upstreamstate.h"
#include "server/tools/upstream/upstreamsupervisor.h"
#include "tests/support/fakeupstreamchannel.h"
#include "tests/support/servertestmain.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using heartline::UpstreamClient;
using heartline::UpstreamServerConfig;
using heartline::UpstreamState;
using heartline::UpstreamSupervisor;
using heartline::UpstreamSupervisorPolicy;
using heartline::testing::FakeUpstreamChannel;
using ChannelMaker = heartline::testing::FakeChannelMaker;

namespace {

UpstreamServerConfig configNamed(const QString &name)
{
    UpstreamServerConfig config;
    config.name = name;
    config.command = u"fake-server"_s;
    return config;
}

UpstreamSupervisorPolicy fastPolicy()
{
    UpstreamSupervisorPolicy policy;
    policy.restartBaseDelayMs = 10;
    policy.stableAfterMs = 60'000;
    return policy;
}

QList<UpstreamState> statesOf(const QSignalSpy &spy)
{
    QList<UpstreamState> states;
    for (const QList<QVariant> &arguments : spy)
        states.append(arguments.at(0).value<UpstreamState>());
    return states;
}

} // namespace

class TestUpstreamSupervisor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<UpstreamState>(); }

    void stateNamesAreStable()
    {
        QCOMPARE(heartline::upstreamStateName(UpstreamState::CrashLoop), u"crash_loop"_s);
        QCOMPARE(heartline::upstreamStateName(UpstreamState::ConfigError), u"config_error"_s);
        const QStringList expected{u"disabled"_s, u"config_error"_s, u"starting"_s, u"ready"_s,
                                   u"degraded"_s, u"crashed"_s, u"crash_loop"_s, u"stopped"_s};
        for (int i = 0; i < expected.size(); ++i) {
            const auto state = UpstreamState(i);
            QCOMPARE(heartline::upstreamStateName(state), expected.at(i));
            UpstreamState parsed = UpstreamState::Ready;
            QVERIFY(heartline::parseUpstreamState(expected.at(i), &parsed));
            QCOMPARE(parsed, state);
            QVERIFY(!heartline::upstreamStateLabel(state).isEmpty());
        }
        UpstreamState untouched = UpstreamState::Ready;
        QVERIFY(!heartline::parseUpstreamState(u"crash-loop"_s, &untouched));
    }

    void startsAndAnnouncesItsReadyClient()
    {
        ChannelMaker maker;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, fastPolicy());
        QSignalSpy states(&supervisor, &UpstreamSupervisor::stateChanged);
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        QCOMPARE(supervisor.state(), UpstreamState::Stopped);
        QVERIFY(!supervisor.client());

        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        QCOMPARE(statesOf(states), (QList<UpstreamState>{UpstreamState::Starting,
                                                         UpstreamState::Ready}));
        QVERIFY(supervisor.client());
        QCOMPARE(ready.at(0).at(0).value<UpstreamClient *>(), supervisor.client());
        QCOMPARE(supervisor.client()->state(), UpstreamClient::State::Ready);
        QCOMPARE(supervisor.restartCount(), 0);
        QCOMPARE(maker.made.size(), 1);
    }

    void backsOffThenStaysInCrashLoop()
    {
        ChannelMaker maker;
        maker.failOpen = true;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, fastPolicy());
        QSignalSpy states(&supervisor, &UpstreamSupervisor::stateChanged);
        QSignalSpy scheduled(&supervisor, &UpstreamSupervisor::restartScheduled);
        supervisor.start();
        QTRY_COMPARE_WITH_TIMEOUT(supervisor.state(), UpstreamState::CrashLoop, 10'000);

        QList<std::pair<int, int>> delays;
        for (const QList<QVariant> &arguments : scheduled)
            delays.append({arguments.at(0).toInt(), arguments.at(1).toInt()});
        QCOMPARE(delays, (QList<std::pair<int, int>>{{1, 10}, {2, 20}, {3, 40}, {4, 80}, {5, 160}}));
        QCOMPARE(maker.made.size(), 6); // the first start and five restarts
        QCOMPARE(supervisor.restartCount(), 5);
        QCOMPARE(supervisor.lastError(), u"exited with status 1"_s);
        QList<UpstreamState> expected;
        for (int i = 0; i < 5; ++i)
            expected << UpstreamState::Starting << UpstreamState::Crashed;
        expected << UpstreamState::Starting << UpstreamState::CrashLoop;
        QCOMPARE(statesOf(states), expected);

        // It stays down: nothing more is scheduled or made.
        QVERIFY(!scheduled.wait(400));
        QCOMPARE(maker.made.size(), 6);
        QCOMPARE(supervisor.state(), UpstreamState::CrashLoop);
    }

    void aStartByHandLeavesCrashLoop_data()
    {
        QTest::addColumn<bool>("useRestart");
        QTest::newRow("restart()") << true;
        QTest::newRow("start()") << false;
    }

    void aStartByHandLeavesCrashLoop()
    {
        QFETCH(bool, useRestart);
        ChannelMaker maker;
        maker.failOpen = true;
        UpstreamSupervisorPolicy policy = fastPolicy();
        policy.restartBaseDelayMs = 1;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, policy);
        supervisor.start();
        QTRY_COMPARE_WITH_TIMEOUT(supervisor.state(), UpstreamState::CrashLoop, 10'000);

        maker.failOpen = false;
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        if (useRestart)
            supervisor.restart();
        else
            supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        QCOMPARE(supervisor.state(), UpstreamState::Ready);
        QCOMPARE(supervisor.failuresInRow(), 0);
        QVERIFY(supervisor.lastError().isEmpty());

        // Failures count afresh: the next crash waits the base delay again, not a crash loop.
        QSignalSpy scheduled(&supervisor, &UpstreamSupervisor::restartScheduled);
        maker.current()->crash();
        QCOMPARE(supervisor.state(), UpstreamState::Crashed);
        QCOMPARE(scheduled.size(), 1);
        QCOMPARE(scheduled.at(0).at(0).toInt(), 1);
    }

    void aStablePeriodResetsTheFailureCount_data()
    {
        QTest::addColumn<int>("stableAfterMs");
        QTest::addColumn<bool>("waitForStable");
        QTest::addColumn<int>("secondDelayMs");
        QTest::newRow("stable") << 30 << true << 10;
        QTest::newRow("not yet stable") << 60'000 << false << 20;
    }

    void aStablePeriodResetsTheFailureCount()
    {
        QFETCH(int, stableAfterMs);
        QFETCH(bool, waitForStable);
        QFETCH(int, secondDelayMs);
        ChannelMaker maker;
        UpstreamSupervisorPolicy policy = fastPolicy();
        policy.stableAfterMs = stableAfterMs;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, policy);
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        QSignalSpy scheduled(&supervisor, &UpstreamSupervisor::restartScheduled);
        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        maker.current()->crash();
        QCOMPARE(supervisor.failuresInRow(), 1);
        QTRY_COMPARE(ready.size(), 2);
        if (waitForStable)
            QTRY_COMPARE(supervisor.failuresInRow(), 0);
        else
            QCOMPARE(supervisor.failuresInRow(), 1);
        maker.current()->crash();
        QCOMPARE(scheduled.size(), 2);
        QCOMPARE(scheduled.at(0).at(1).toInt(), 10);
        QCOMPARE(scheduled.at(1).at(1).toInt(), secondDelayMs);
        QTRY_COMPARE(ready.size(), 3);
        QCOMPARE(supervisor.restartCount(), 2);
    }

    void restartNeverStaysCrashed()
    {
        ChannelMaker maker;
        UpstreamServerConfig config = configNamed(u"s"_s);
        config.restart = UpstreamServerConfig::Restart::Never;
        UpstreamSupervisor supervisor(config, maker.factory(), {}, fastPolicy());
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        QSignalSpy scheduled(&supervisor, &UpstreamSupervisor::restartScheduled);
        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        maker.current()->crash(u"killed by signal 9"_s);
        QCOMPARE(supervisor.state(), UpstreamState::Crashed);
        QCOMPARE(supervisor.lastError(), u"killed by signal 9"_s);
        QVERIFY(!supervisor.client());
        QVERIFY(!scheduled.wait(200));
        QCOMPARE(maker.made.size(), 1);
        QCOMPARE(supervisor.state(), UpstreamState::Crashed);
    }

    void aCrashFailsCallsAtOnceAndARestartAnnouncesANewClient()
    {
        ChannelMaker maker;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, fastPolicy());
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        QStringList order;
        QObject::connect(&supervisor, &UpstreamSupervisor::clientLost, &supervisor,
                         [&order] { order.append(u"lost"_s); });
        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        UpstreamClient::Reply reply;
        reply.onError = [&order](int, const QString &message, const QJsonValue &) {
            order.append(message);
        };
        supervisor.client()->request(u"tools/call"_s, {}, reply);
        maker.current()->crash(u"exited with status 3"_s);
        QCOMPARE(order, (QStringList{u"upstream server fake upstream closed: exited with status 3"_s,
                                     u"lost"_s}));
        QTRY_COMPARE(ready.size(), 2);
        QVERIFY(supervisor.client());
        QCOMPARE(ready.at(1).at(0).value<UpstreamClient *>(), supervisor.client());
        QCOMPARE(maker.made.size(), 2);
        QVERIFY(!maker.made.first()); // the crashed channel went with its client
    }

    void aConfigProblemIsNeverStarted()
    {
        ChannelMaker maker;
        UpstreamServerConfig config = configNamed(u"s"_s);
        config.problem = u"env.TOKEN: ${TOKEN} is not set"_s;
        UpstreamSupervisor supervisor(config, maker.factory(), {}, fastPolicy());
        QCOMPARE(supervisor.state(), UpstreamState::ConfigError);
        QCOMPARE(supervisor.lastError(), config.problem);
        supervisor.start();
        supervisor.restart();
        supervisor.setEnabled(false);
        supervisor.setEnabled(true);
        supervisor.stop();
        QCOMPARE(supervisor.state(), UpstreamState::ConfigError);
        QCOMPARE(maker.made.size(), 0);
    }

    void disabledStopsAndStaysDownUntilEnabled()
    {
        ChannelMaker maker;
        UpstreamServerConfig config = configNamed(u"s"_s);
        config.enabled = false;
        UpstreamSupervisor supervisor(config, maker.factory(), {}, fastPolicy());
        QCOMPARE(supervisor.state(), UpstreamState::Disabled);
        supervisor.start();
        supervisor.restart();
        QCOMPARE(maker.made.size(), 0);

        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        QSignalSpy lost(&supervisor, &UpstreamSupervisor::clientLost);
        supervisor.setEnabled(true);
        QTRY_COMPARE(ready.size(), 1);
        QPointer<FakeUpstreamChannel> channel = maker.current();
        supervisor.setEnabled(false);
        QCOMPARE(supervisor.state(), UpstreamState::Disabled);
        QCOMPARE(lost.size(), 1);
        QVERIFY(!supervisor.client());
        QTRY_VERIFY(!channel); // closed, then gone
        QCOMPARE(maker.made.size(), 1);
    }

    void stopByHandIsNoFailure()
    {
        ChannelMaker maker;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, fastPolicy());
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        QSignalSpy lost(&supervisor, &UpstreamSupervisor::clientLost);
        QSignalSpy scheduled(&supervisor, &UpstreamSupervisor::restartScheduled);
        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        QPointer<FakeUpstreamChannel> channel = maker.current();
        supervisor.stop();
        QCOMPARE(supervisor.state(), UpstreamState::Stopped);
        QCOMPARE(lost.size(), 1);
        QCOMPARE(channel->closeCount, 1);
        QTRY_VERIFY(!channel);
        QCOMPARE(scheduled.size(), 0);
        QCOMPARE(supervisor.failuresInRow(), 0);
    }

    void degradedWhileNotAnsweringPings()
    {
        ChannelMaker maker;
        UpstreamClient::Options options;
        options.pingIntervalMs = 20;
        options.pingTimeoutMs = 40;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), options, fastPolicy());
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        maker.current()->ignorePings = true;
        QTRY_COMPARE(supervisor.state(), UpstreamState::Degraded);
        QCOMPARE(supervisor.lastError(), u"not answering pings"_s);
        QVERIFY(supervisor.client()); // still serving, just slow
        maker.current()->ignorePings = false;
        QTRY_COMPARE(supervisor.state(), UpstreamState::Ready);
        QCOMPARE(ready.size(), 1); // no restart, no new client
    }

    void keepsABoundedRingOfCappedDiagnosticLines()
    {
        ChannelMaker maker;
        UpstreamSupervisorPolicy policy = fastPolicy();
        policy.diagnosticLineCount = 5;
        policy.diagnosticLineChars = 10;
        UpstreamSupervisor supervisor(configNamed(u"s"_s), maker.factory(), {}, policy);
        QSignalSpy lines(&supervisor, &UpstreamSupervisor::diagnosticLine);
        QSignalSpy ready(&supervisor, &UpstreamSupervisor::clientReady);
        supervisor.start();
        QTRY_COMPARE(ready.size(), 1);
        for (int i = 0; i < 1000; ++i)
            maker.current()->writeDiagnostic(u"line %1"_s.arg(i));
        maker.current()->writeDiagnostic(u"0123456789abcde"_s);
        QCOMPARE(supervisor.diagnosticLines(),
                 (QStringList{u"line 996"_s, u"line 997"_s, u"line 998"_s, u"line 999"_s,
                              u"0123456789… (5 more characters)"_s}));
        QCOMPARE(lines.size(), 1001);
        QCOMPARE(lines.last().at(0).toString(), u"0123456789… (5 more characters)"_s);
    }

    void deletingTheSupervisorClosesItsChannel()
    {
        ChannelMaker maker;
        auto supervisor = std::make_unique<UpstreamSupervisor>(configNamed(u"s"_s),
                                                               maker.factory(),
                                                               UpstreamClient::Options(),
                                                               fastPolicy());
        QSignalSpy ready(supervisor.get(), &UpstreamSupervisor::clientReady);
        supervisor->start();
        QTRY_COMPARE(ready.size(), 1);
        QPointer<FakeUpstreamChannel> channel = maker.current();
        supervisor.reset();
        QVERIFY(channel);
        QCOMPARE(channel->closeCount, 1);
        QTRY_VERIFY(!channel);
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestUpstreamSupervisor)
#include "tst_upstreamsupervisor.moc"
