// /readyz's verdict and body, from the Monitor's upstream states alone: which states count as
// ready, that a disabled server is never waited for, and the JSON a probe reads.

#include "server/http/readiness.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

UpstreamStatus status(const QString &server, UpstreamState state, bool enabled = true,
                      const QString &lastError = {})
{
    UpstreamStatus status;
    status.server = server;
    status.state = state;
    status.enabled = enabled;
    status.lastError = lastError;
    return status;
}

} // namespace

class tst_Readiness final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noUpstreamsIsReady();
    void onlyReadyCountsForAnEnabledServer_data();
    void onlyReadyCountsForAnEnabledServer();
    void aDisabledServerIsNotWaitedFor();
    void bodyListsEveryServerWithItsError();
};

void tst_Readiness::noUpstreamsIsReady()
{
    QVERIFY(Readiness::isReady({}));
    QCOMPARE(Readiness::render({}), QByteArray("{\"ready\":true,\"servers\":{}}"));
}

void tst_Readiness::onlyReadyCountsForAnEnabledServer_data()
{
    QTest::addColumn<UpstreamState>("state");
    QTest::addColumn<bool>("ready");

    QTest::newRow("ready") << UpstreamState::Ready << true;
    QTest::newRow("starting") << UpstreamState::Starting << false;
    QTest::newRow("degraded") << UpstreamState::Degraded << false;
    QTest::newRow("crashed") << UpstreamState::Crashed << false;
    QTest::newRow("crash loop") << UpstreamState::CrashLoop << false;
    QTest::newRow("stopped") << UpstreamState::Stopped << false;
    QTest::newRow("config error") << UpstreamState::ConfigError << false;
}

void tst_Readiness::onlyReadyCountsForAnEnabledServer()
{
    QFETCH(UpstreamState, state);
    QFETCH(bool, ready);

    const QList<UpstreamStatus> upstreams{status(u"ok"_s, UpstreamState::Ready),
                                          status(u"x"_s, state)};
    QCOMPARE(Readiness::isReady(upstreams), ready);
    QCOMPARE(QJsonDocument::fromJson(Readiness::render(upstreams))
                 .object()
                 .value("ready"_L1)
                 .toBool(),
             ready);
}

void tst_Readiness::aDisabledServerIsNotWaitedFor()
{
    QVERIFY(Readiness::isReady({status(u"ok"_s, UpstreamState::Ready),
                                status(u"off"_s, UpstreamState::Disabled, false)}));
    // Switched off while its entry is broken: still not waited for.
    QVERIFY(Readiness::isReady({status(u"off"_s, UpstreamState::ConfigError, false, u"bad"_s)}));
}

void tst_Readiness::bodyListsEveryServerWithItsError()
{
    const QJsonObject body =
        QJsonDocument::fromJson(
            Readiness::render({status(u"memory"_s, UpstreamState::Ready),
                               status(u"gh"_s, UpstreamState::Crashed, true,
                                      u"exited with status 1"_s),
                               status(u"off"_s, UpstreamState::Disabled, false)}))
            .object();
    QCOMPARE(body.value("ready"_L1).toBool(), false);
    const QJsonObject servers = body.value("servers"_L1).toObject();
    QCOMPARE(servers.size(), 3);
    QCOMPARE(servers.value("memory"_L1).toObject(), QJsonObject({{"state"_L1, "ready"_L1}}));
    QCOMPARE(servers.value("gh"_L1).toObject(),
             QJsonObject({{"state"_L1, "crashed"_L1}, {"error"_L1, "exited with status 1"_L1}}));
    QCOMPARE(servers.value("off"_L1).toObject().value("state"_L1).toString(), u"disabled"_s);
}

QTEST_APPLESS_MAIN(tst_Readiness)
#include "tst_readiness.moc"
