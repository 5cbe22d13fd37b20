#include "server/qt64/peercloseprobe.h"
#include "tests/support/loopbacksocketpair.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <sys/socket.h>

using namespace heartline;
using namespace heartline::testing;

// A real loopback connection per test: the probe reads the kernel's TCP state, so nothing
// short of real sockets tests it.
class tst_PeerCloseProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void peerFinIsFinished();
    void peerResetIsReset();
    void serverCloseReachesThePeerWhileTheSocketLives_data();
    void serverCloseReachesThePeerWhileTheSocketLives();
    void deletingTheSocketClosesTheDuplicate();
    void deletingTheProbeClosesItsDuplicate();
    void isFoundOnItsSocket();

private:
    static int openDescriptors() { return int(QDir(QStringLiteral("/proc/self/fd")).count()); }

    LoopbackSocketPair m_pair;
    QTcpSocket *m_client = nullptr;
    QTcpSocket *m_accepted = nullptr;
    PeerCloseProbe *m_probe = nullptr;
};

void tst_PeerCloseProbe::init()
{
    QVERIFY(m_pair.open());
    m_client = m_pair.client();
    m_accepted = m_pair.accepted();
    m_probe = PeerCloseProbe::attach(m_accepted);
    QVERIFY(m_probe);
    QVERIFY(m_probe->holdsDescriptor());
}

void tst_PeerCloseProbe::cleanup()
{
    m_pair.close();
    m_client = nullptr;
    m_accepted = nullptr;
}

void tst_PeerCloseProbe::peerFinIsFinished()
{
    QSignalSpy disconnected(m_accepted, &QTcpSocket::disconnected);
    m_client->disconnectFromHost();
    QTRY_VERIFY(!disconnected.isEmpty());
    QCOMPARE(m_accepted->error(), QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(m_probe->peerClose(), PeerCloseProbe::PeerClose::Finished);
    QVERIFY(!m_probe->holdsDescriptor());
}

void tst_PeerCloseProbe::peerResetIsReset()
{
    QSignalSpy disconnected(m_accepted, &QTcpSocket::disconnected);
    const struct linger linger = {1, 0};
    QCOMPARE(setsockopt(int(m_client->socketDescriptor()), SOL_SOCKET, SO_LINGER, &linger,
                        sizeof linger),
             0);
    m_client->abort();
    QTRY_VERIFY(!disconnected.isEmpty());
    // Qt says the same as for a FIN; the probe knows better.
    QCOMPARE(m_accepted->error(), QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(m_probe->peerClose(), PeerCloseProbe::PeerClose::Reset);
    QVERIFY(!m_probe->holdsDescriptor());
}

void tst_PeerCloseProbe::serverCloseReachesThePeerWhileTheSocketLives_data()
{
    QTest::addColumn<bool>("abort");
    QTest::newRow("disconnectFromHost") << false;
    QTest::newRow("abort") << true;
}

void tst_PeerCloseProbe::serverCloseReachesThePeerWhileTheSocketLives()
{
    // The socket object is not deleted here: only the probe letting go of its duplicate lets
    // the kernel end the connection.
    QFETCH(bool, abort);
    QSignalSpy clientDisconnected(m_client, &QTcpSocket::disconnected);
    if (abort)
        m_accepted->abort();
    else
        m_accepted->disconnectFromHost();
    QCOMPARE(m_accepted->state(), QAbstractSocket::UnconnectedState);
    QTRY_VERIFY_WITH_TIMEOUT(!clientDisconnected.isEmpty(), 1000);
    QVERIFY(!m_probe->holdsDescriptor());
    QCOMPARE(m_probe->peerClose(), PeerCloseProbe::PeerClose::Unknown);
}

void tst_PeerCloseProbe::deletingTheSocketClosesTheDuplicate()
{
    const int before = openDescriptors();
    QSignalSpy clientDisconnected(m_client, &QTcpSocket::disconnected);
    delete m_accepted; // still connected: Qt aborts, the probe goes with its socket
    m_accepted = nullptr;
    QCOMPARE(openDescriptors(), before - 2);
    QTRY_VERIFY_WITH_TIMEOUT(!clientDisconnected.isEmpty(), 1000);
}

void tst_PeerCloseProbe::deletingTheProbeClosesItsDuplicate()
{
    const int before = openDescriptors();
    delete m_probe;
    QCOMPARE(openDescriptors(), before - 1);
    QCOMPARE(m_accepted->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(PeerCloseProbe::of(m_accepted), nullptr);
}

void tst_PeerCloseProbe::isFoundOnItsSocket()
{
    QCOMPARE(PeerCloseProbe::of(m_accepted), m_probe);
    QCOMPARE(PeerCloseProbe::of(m_client), nullptr);
    QCOMPARE(PeerCloseProbe::of(nullptr), nullptr);
}

HEARTLINE_SERVER_TEST_MAIN(tst_PeerCloseProbe)
#include "tst_peercloseprobe.moc"
