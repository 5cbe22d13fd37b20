#include "server/tools/upstream/stdiochannel.h"
#include "tests/support/processgroup.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

const QString kUpstream = QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM);
constexpr int kWaitMs = 10000;

// Short grace periods: the shutdown paths are the same, the tests take milliseconds.
StdioChannel::Options quickOptions()
{
    StdioChannel::Options options;
    options.stdinCloseGraceMs = 200;
    options.terminateGraceMs = 200;
    return options;
}

QJsonObject request(int id, const QString &method, const QJsonObject &params = {})
{
    return {{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, id}, {u"method"_s, method}, {u"params"_s, params}};
}

QJsonObject toolCall(int id, const QString &tool, const QJsonObject &arguments = {})
{
    return request(id, u"tools/call"_s, {{u"name"_s, tool}, {u"arguments"_s, arguments}});
}

// The channel under test with a spy on each of its signals.
struct Harness
{
    explicit Harness(const QStringList &flags,
                     const StdioChannel::Options &options = quickOptions(),
                     const QString &command = kUpstream)
        : channel(std::make_unique<StdioChannel>(command, flags, options))
        , opened(channel.get(), &UpstreamChannel::opened)
        , messages(channel.get(), &UpstreamChannel::messageReceived)
        , problems(channel.get(), &UpstreamChannel::protocolProblem)
        , diagnostics(channel.get(), &UpstreamChannel::diagnosticLine)
        , closed(channel.get(), &UpstreamChannel::closed)
    {}

    // The message with `id` among those received (empty when none).
    QJsonObject response(int id) const
    {
        for (const QList<QVariant> &arguments : messages) {
            const QJsonObject message = arguments.at(0).toJsonObject();
            if (message.value(u"id"_s) == QJsonValue(id))
                return message;
        }
        return {};
    }

    QString closedReason() const
    {
        return closed.isEmpty() ? QString() : closed.at(0).at(0).toString();
    }
    bool closedExpected() const { return !closed.isEmpty() && closed.at(0).at(1).toBool(); }

    QStringList diagnosticLines() const
    {
        QStringList lines;
        for (const QList<QVariant> &arguments : diagnostics)
            lines.append(arguments.at(0).toString());
        return lines;
    }

    // The pid the fixture's --fork-grandchild reports on stderr (0 until it has).
    qint64 grandchildPid() const
    {
        static const QRegularExpression pattern(u"^grandchild pid (\\d+)$"_s);
        for (const QString &line : diagnosticLines()) {
            if (const auto match = pattern.match(line); match.hasMatch())
                return match.captured(1).toLongLong();
        }
        return 0;
    }

    std::unique_ptr<StdioChannel> channel;
    QSignalSpy opened;
    QSignalSpy messages;
    QSignalSpy problems;
    QSignalSpy diagnostics;
    QSignalSpy closed;
};

} // namespace

class TestStdioChannel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echoRoundTrip()
    {
        Harness h({});
        h.channel->open();
        QVERIFY(h.opened.wait(kWaitMs));
        const qint64 pid = h.channel->processId();
        QVERIFY(pid > 0);
        QCOMPARE(h.channel->describe(), u"%1 (pid %2)"_s.arg(kUpstream).arg(pid));
        // setsid(): the child leads a process group of its own, whose id is its pid.
        QCOMPARE(testing::processGroupOf(pid), pid);

        h.channel->send(request(1, u"initialize"_s, {{u"protocolVersion"_s, u"2025-06-18"_s}}));
        h.channel->send(toolCall(2, u"echo"_s, {{u"text"_s, u"line one\nline \"two\""_s}}));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(2).isEmpty(), kWaitMs);
        QCOMPARE(h.response(1).value(u"result"_s)[u"protocolVersion"_s].toString(),
                 u"2025-06-18"_s);
        QCOMPARE(h.response(2).value(u"result"_s)[u"content"_s][0][u"text"_s].toString(),
                 u"line one\nline \"two\""_s);
        QVERIFY(h.problems.isEmpty());
        QVERIFY(h.closed.isEmpty());
    }

    void aBatchArrivesAsOneMessagePerElement()
    {
        Harness h({u"--batch-replies"_s});
        h.channel->open();
        h.channel->send(request(7, u"ping"_s));
        QTRY_COMPARE_WITH_TIMEOUT(h.messages.size(), 2, kWaitMs);
        QCOMPARE(h.messages.at(0).at(0).toJsonObject().value(u"method"_s).toString(),
                 u"notifications/message"_s);
        QCOMPARE(h.messages.at(1).at(0).toJsonObject().value(u"id"_s).toInt(), 7);
        QVERIFY(h.problems.isEmpty());
    }

    void aGarbageLineIsAProblemAndTheNextMessageStillArrives()
    {
        Harness h({u"--garbage-stdout"_s});
        h.channel->open();
        h.channel->send(request(1, u"ping"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(1).isEmpty(), kWaitMs);
        QCOMPARE(h.problems.size(), 1);
        QVERIFY2(h.problems.at(0).at(0).toString().contains(u"this line is not JSON"_s),
                 qPrintable(h.problems.at(0).at(0).toString()));
        h.channel->send(request(2, u"ping"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(2).isEmpty(), kWaitMs);
        QCOMPARE(h.problems.size(), 2);
        QCOMPARE(h.messages.size(), 2);
    }

    void aFloodArrivesWholeAndInOrder()
    {
        // Thousands of lines cross every pipe-read boundary: none may be split, lost or merged.
        Harness h({u"--flood"_s, u"5000"_s});
        h.channel->open();
        h.channel->send(request(1, u"ping"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(1).isEmpty(), kWaitMs);
        QCOMPARE(h.messages.size(), 5001);
        for (int i = 0; i < 5000; ++i) {
            const QJsonObject message = h.messages.at(i).at(0).toJsonObject();
            QCOMPARE(message.value(u"params"_s)[u"data"_s].toString(), u"flood %1"_s.arg(i));
        }
        QVERIFY(h.problems.isEmpty());
    }

    void whatIsSentBeforeTheServerReadsWaitsForIt()
    {
        Harness h({u"--slow-start"_s, u"300"_s});
        h.channel->open();
        h.channel->send(request(1, u"ping"_s)); // before opened(), before the server reads
        h.channel->send(toolCall(2, u"echo"_s, {{u"text"_s, u"late"_s}}));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(2).isEmpty(), kWaitMs);
        QVERIFY(!h.response(1).isEmpty());
    }

    void aHugeLineIsOneProblemInBoundedMemory()
    {
        StdioChannel::Options options = quickOptions();
        QCOMPARE(options.maxLineBytes, 16 * 1024 * 1024); // the default, tested as it ships
        Harness h({u"--huge-line"_s, u"100"_s}, options);
        h.channel->open();
        h.channel->send(request(1, u"ping"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(1).isEmpty(), 20000);
        QCOMPARE(h.problems.size(), 1);
        QVERIFY2(h.problems.at(0).at(0).toString().startsWith(
                     u"stdout line longer than 16777216 bytes"_s),
                 qPrintable(h.problems.at(0).at(0).toString().left(200)));
        QVERIFY(h.channel->peakBufferedStdoutBytes() <= options.maxLineBytes);
        QVERIFY(h.channel->peakBufferedStdoutBytes() > 0);
        QCOMPARE(h.channel->bufferedStdoutBytes(), 0);
        QCOMPARE(h.messages.size(), 1);
    }

    void stderrArrivesLineByLineAndALastPartialLineOnExit()
    {
        Harness h({u"--stderr-lines"_s, u"3"_s});
        h.channel->open();
        QTRY_COMPARE_WITH_TIMEOUT(h.diagnostics.size(), 3, kWaitMs);
        QCOMPARE(h.diagnosticLines(),
                 (QStringList{u"stderr line 0"_s, u"stderr line 1"_s, u"stderr line 2"_s}));
        h.channel->send(toolCall(1, u"crash"_s)); // "about to crash" without a newline, exit 3
        QVERIFY(h.closed.wait(kWaitMs));
        QCOMPARE(h.diagnosticLines().last(), u"about to crash"_s);
        QCOMPARE(h.closedReason(), u"exited with status 3"_s);
        QVERIFY(!h.closedExpected());
        QCOMPARE(h.channel->processId(), 0);
        QCOMPARE(h.channel->describe(), kUpstream + u" --stderr-lines 3"_s); // no pid once reaped
    }

    void aLongStderrLineIsCut()
    {
        StdioChannel::Options options = quickOptions();
        options.maxStderrLineBytes = 8;
        Harness h({u"--stderr-lines"_s, u"2"_s}, options);
        h.channel->open();
        QTRY_COMPARE_WITH_TIMEOUT(h.diagnostics.size(), 2, kWaitMs);
        QCOMPARE(h.diagnosticLines(), (QStringList{u"stderr l [cut]"_s, u"stderr l [cut]"_s}));
    }

    void aMissingCommandSaysWhichPathWasSearched()
    {
        StdioChannel::Options options = quickOptions();
        options.environment.insert(u"PATH"_s, u"/nonexistent/bin:/also/not"_s);
        Harness h({u"-y"_s, u"x"_s}, options, u"npx-heartline-test"_s);
        h.channel->open();
        QCOMPARE(h.closed.size(), 0); // never from inside open()
        QVERIFY(h.closed.wait(kWaitMs));
        QCOMPARE(h.closedReason(),
                 u"`npx-heartline-test` not found in PATH=/nonexistent/bin:/also/not"_s);
        QVERIFY(!h.closedExpected());
        QCOMPARE(h.opened.size(), 0);
    }

    void aStartThatFailsSaysCouldNotStart()
    {
        StdioChannel::Options options = quickOptions();
        options.workingDirectory = u"/nonexistent/working/dir"_s;
        Harness h({}, options);
        h.channel->open();
        QVERIFY(h.closed.wait(kWaitMs));
        QVERIFY2(h.closedReason().startsWith(u"could not start: "_s), qPrintable(h.closedReason()));
        QVERIFY(!h.closedExpected());
        QCOMPARE(h.opened.size(), 0);
    }

    void anUnexpectedExitIsReportedAndTheChannelCanOpenAgain()
    {
        Harness h({u"--crash-after"_s, u"100"_s});
        h.channel->open();
        QVERIFY(h.closed.wait(kWaitMs));
        QCOMPARE(h.closedReason(), u"exited with status 4"_s);
        QVERIFY(!h.closedExpected());
        h.channel->send(request(1, u"ping"_s)); // dropped, not crashing

        h.channel->open();
        QTRY_COMPARE_WITH_TIMEOUT(h.opened.size(), 2, kWaitMs);
        h.channel->send(request(2, u"ping"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!h.response(2).isEmpty(), kWaitMs);
        QVERIFY(h.response(1).isEmpty());
    }

    void aWellBehavedServerClosesOnStdinEof()
    {
        StdioChannel::Options options = quickOptions();
        options.stdinCloseGraceMs = 5000; // long enough that only stdin EOF can end it
        Harness h({}, options);
        h.channel->open();
        QVERIFY(h.opened.wait(kWaitMs));
        h.channel->close();
        QVERIFY(h.closed.isEmpty()); // only once reaped
        QVERIFY(h.closed.wait(kWaitMs));
        QCOMPARE(h.closedReason(), u"exited with status 0"_s);
        QVERIFY(h.closedExpected());
        h.channel->send(request(1, u"ping"_s)); // after closed(): dropped
        QCOMPARE(h.closed.size(), 1);
    }

    void closeEscalatesAndEndsTheWholeGroup_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("reason");
        QTest::newRow("child exits on stdin EOF")
            << QStringList{u"--fork-grandchild"_s} << u"exited with status 0"_s;
        QTest::newRow("stdin EOF ignored: SIGTERM")
            << QStringList{u"--fork-grandchild"_s, u"--ignore-stdin-eof"_s}
            << u"killed by signal 15"_s;
        QTest::newRow("SIGTERM ignored too: SIGKILL")
            << QStringList{u"--fork-grandchild"_s, u"--ignore-stdin-eof"_s, u"--ignore-sigterm"_s}
            << u"killed by signal 9"_s;
    }

    void closeEscalatesAndEndsTheWholeGroup()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, reason);
        Harness h(flags);
        h.channel->open();
        QTRY_VERIFY_WITH_TIMEOUT(h.grandchildPid() > 0, kWaitMs);
        const qint64 group = h.channel->processId();
        const qint64 grandchild = h.grandchildPid();
        QCOMPARE(testing::processGroupOf(grandchild), group);
        QCOMPARE(testing::livingProcessesInGroup(group).size(), 2);

        h.channel->close();
        QVERIFY(h.closed.wait(kWaitMs));
        QCOMPARE(h.closedReason(), reason);
        QVERIFY(h.closedExpected());
        QTRY_VERIFY_WITH_TIMEOUT(testing::livingProcessesInGroup(group).isEmpty(), kWaitMs);
        QVERIFY(!testing::isAlive(grandchild));
    }

    void noProcessOfTheGroupSurvivesTheChildsCrash()
    {
        Harness h({u"--fork-grandchild"_s, u"--ignore-sigterm"_s});
        h.channel->open();
        QTRY_VERIFY_WITH_TIMEOUT(h.grandchildPid() > 0, kWaitMs);
        const qint64 group = h.channel->processId();
        const qint64 grandchild = h.grandchildPid();
        QVERIFY(testing::isAlive(grandchild));

        h.channel->send(toolCall(1, u"crash"_s));
        QVERIFY(h.closed.wait(kWaitMs));
        QCOMPARE(h.closedReason(), u"exited with status 3"_s);
        QVERIFY(!h.closedExpected());
        QTRY_VERIFY_WITH_TIMEOUT(testing::livingProcessesInGroup(group).isEmpty(), kWaitMs);
        QVERIFY(!testing::isAlive(grandchild));
    }

    void destroyingARunningChannelLeavesNoProcess()
    {
        Harness h({u"--fork-grandchild"_s, u"--ignore-stdin-eof"_s, u"--ignore-sigterm"_s});
        h.channel->open();
        QTRY_VERIFY_WITH_TIMEOUT(h.grandchildPid() > 0, kWaitMs);
        const qint64 group = h.channel->processId();
        const qint64 grandchild = h.grandchildPid();
        QCOMPARE(testing::livingProcessesInGroup(group).size(), 2);

        h.channel.reset();
        QTRY_VERIFY_WITH_TIMEOUT(testing::livingProcessesInGroup(group).isEmpty(), kWaitMs);
        QVERIFY(!testing::isAlive(grandchild));
        QVERIFY(h.closed.isEmpty()); // a destroyed channel reports nothing
    }

    void describeQuotesLikeAShell()
    {
        QCOMPARE(
            StdioChannel::quotedCommandLine({u"npx"_s, u"-y"_s,
                                             u"@modelcontextprotocol/server-filesystem"_s,
                                             u"/home/u/my notes"_s, u"it's"_s, u""_s, u"$HOME"_s}),
            u"npx -y @modelcontextprotocol/server-filesystem '/home/u/my notes' 'it'\\''s' '' '$HOME'"_s);
        StdioChannel channel(u"uvx"_s, {u"mcp-server-git"_s, u"--repository"_s, u"a b"_s}, {});
        QCOMPARE(channel.describe(), u"uvx mcp-server-git --repository 'a b'"_s);
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestStdioChannel)
#include "tst_stdiochannel.moc"
