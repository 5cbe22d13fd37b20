// The file descriptor limit (issue 12): the real heartline binary started with a low
// RLIMIT_NOFILE must answer the connections it has no descriptors for with 503, never run out.
// Qt 6.4 retries an accept() that failed with EMFILE on every turn of the loop: a server that
// ran out spun a whole core and left every new client hanging (seen at 10,000 streams under a
// 20,000 limit: two descriptors per connection). Here that shows as a connection with no
// answer, and the test fails on it.

#include "server/qt64/gatekeeper.h"
#include "tests/support/blockingconnection.h"
#include "tests/support/heartlineprocess.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using heartline::Gatekeeper;
using heartline::testing::BlockingConnection;
using heartline::testing::waitUntil;

namespace {

constexpr rlim_t kServerLimit = 256;
// Well past what 256 descriptors leave room for.
constexpr int kConnections = 160;

} // namespace

class tst_DescriptorLimit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void budgetNeverExceedsTheLimit_data();
    void budgetNeverExceedsTheLimit();
    void initTestCase();
    void cleanupTestCase();
    void connectionsPastTheLimitGet503AndTheServerRecovers();

private:
    QTemporaryDir m_home;
    std::unique_ptr<QProcess> m_server;
    quint16 m_port = 0;
};

void tst_DescriptorLimit::budgetNeverExceedsTheLimit_data()
{
    QTest::addColumn<quint64>("limit");
    for (const quint64 limit : {64ull, 256ull, 1024ull, 4096ull, 20000ull, 524288ull, 1ull << 40})
        QTest::newRow(qPrintable(QString::number(limit))) << limit;
}

void tst_DescriptorLimit::budgetNeverExceedsTheLimit()
{
    QFETCH(quint64, limit);
    const Gatekeeper::DescriptorBudget budget = Gatekeeper::descriptorBudget(limit);
    QVERIFY(budget.connections() >= 1);
    QVERIFY(budget.refusing >= 1 && budget.refusing <= Gatekeeper::kMaxRefusing);
    QVERIFY(budget.probedBelow <= budget.forConnections);
    // The connections' own, two per connection being refused, two for one closed unanswered,
    // and 32 at least for the server's own.
    const quint64 used = quint64(budget.forConnections) + 2 * quint64(budget.refusing) + 2 + 32;
    QVERIFY2(used <= qMax<quint64>(limit, 64),
             qPrintable(u"%1 descriptors used of %2"_s.arg(used).arg(limit)));
    // Half of them with a probe (two each), half without: three connections per four.
    if (limit >= 20000) // a large limit is mostly for connections
        QVERIFY(quint64(budget.connections()) >= qMin<quint64>(limit, 1u << 30) * 3 / 4 - 1000);
}

void tst_DescriptorLimit::initTestCase()
{
    QVERIFY(m_home.isValid());
    const QString config = m_home.filePath(u"heartline.json"_s);
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    // Caps far above the limit: only the descriptors bind.
    file.write(R"({"maxConnections": 100000, "maxConnectionsPerPeer": 100000})");
    file.close();

    m_server = std::make_unique<QProcess>();
    m_server->setChildProcessModifier([]() {
        const rlimit limit{kServerLimit, kServerLimit};
        setrlimit(RLIMIT_NOFILE, &limit);
    });
    m_server->setStandardErrorFile(m_home.filePath(u"stderr.log"_s));
    QString error;
    m_port = heartline::testing::startHeadlessHeartline(
        *m_server, QStringLiteral(HEARTLINE_BINARY), m_home.path(),
        {u"--port"_s, u"0"_s, u"--heartbeat-ms"_s, u"0"_s, u"--config"_s, config}, &error);
    QVERIFY2(m_port != 0, qPrintable(error));
}

void tst_DescriptorLimit::cleanupTestCase()
{
    if (m_server) {
        m_server->terminate();
        QVERIFY(waitUntil([this]() { return m_server->state() == QProcess::NotRunning; }, 10000));
    }
}

void tst_DescriptorLimit::connectionsPastTheLimitGet503AndTheServerRecovers()
{
    const int budget = int(Gatekeeper::descriptorBudget(kServerLimit).connections());
    const QByteArray open = u"GET /sse HTTP/1.1\r\nHost: 127.0.0.1:%1\r\nAccept: "
                            u"text/event-stream\r\n\r\n"_s.arg(m_port)
                                .toLatin1();
    std::vector<std::unique_ptr<BlockingConnection>> held;
    int streams = 0;
    int refused = 0;
    int closed = 0;
    for (int i = 0; i < kConnections; ++i) {
        auto connection = std::make_unique<BlockingConnection>(m_port);
        QVERIFY2(connection->isOpen(), qPrintable(u"connection %1 failed"_s.arg(i)));
        QVERIFY(connection->send(open));
        // Every connection is answered: a stream, a refusal, or - while a flood of refusals is
        // still being answered - a close. A read that times out (five seconds) is the hang
        // this test is for.
        const QByteArray answer = connection->readSome();
        if (answer.startsWith("HTTP/1.1 200")) {
            ++streams;
        } else if (answer.startsWith("HTTP/1.1 503")) {
            QVERIFY2(answer.contains("file descriptor limit"), answer.constData());
            ++refused;
        } else {
            QVERIFY2(answer.isEmpty() && connection->closedByPeer(),
                     qPrintable(u"connection %1 (%2 streams open): %3"_s.arg(i).arg(streams).arg(
                         answer.isEmpty() ? u"no answer"_s : QString::fromLatin1(answer))));
            ++closed;
        }
        held.push_back(std::move(connection));
    }
    QCOMPARE(streams, budget);
    QVERIFY(refused >= Gatekeeper::descriptorBudget(kServerLimit).refusing);
    QCOMPARE(streams + refused + closed, kConnections);

    // The log says why, once, and what to do about it.
    QFile stderrLog(m_home.filePath(u"stderr.log"_s));
    QVERIFY(stderrLog.open(QIODevice::ReadOnly));
    const QByteArray warnings = stderrLog.readAll();
    const QByteArray said =
        QByteArray("leaves room for ").append(QByteArray::number(budget)).append(" open connections");
    QVERIFY2(warnings.contains(said) && warnings.contains("ulimit -n"), warnings.constData());
    QCOMPARE(warnings.count(said), 1);

    // The streams end; the server takes new connections again at once.
    held.clear();
    QVERIFY(waitUntil(
        [this]() {
            BlockingConnection probe(m_port);
            return probe.send(u"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%1\r\n\r\n"_s.arg(m_port)
                                  .toLatin1())
                   && probe.readSome().startsWith("HTTP/1.1 200");
        },
        10000));
    QCOMPARE(m_server->state(), QProcess::Running);
}

HEARTLINE_SERVER_TEST_MAIN(tst_DescriptorLimit)
#include "tst_descriptorlimit.moc"
