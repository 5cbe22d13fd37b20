// The tools panel's model over a real in-process server: a row per tool, the check box
// switches the tool through Control, and real calls show as calls, errors and latency.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/modelservertest.h"
#include "ui/models/toolsmodel.h"
#include "ui/models/uitick.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

class tst_ToolsModel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_ToolsModel()
        : ModelServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void rowPerRegisteredTool();
    void uncheckingAToolDisablesItThroughControl();
    void toolsSwitchedElsewhereShowOnTheTick();
    void realCallsCountCallsErrorsAndLatency();
    void relistedCountsSessionsThatListedSinceTheChange();
    void relistedFollowsTheListSeenEventNotTraffic();

private:
    std::unique_ptr<ToolsModel> makeModel();
    QModelIndex cellOf(const ToolsModel &model, const QString &tool, int column) const;
    bool isEnabledInRegistry(const QString &tool) const;
};

std::unique_ptr<ToolsModel> tst_ToolsModel::makeModel()
{
    return tested(
        std::make_unique<ToolsModel>(m_server->monitor(), m_server->control(), m_tick.get()));
}

QModelIndex tst_ToolsModel::cellOf(const ToolsModel &model, const QString &tool, int column) const
{
    return model.index(model.rowOfTool(tool), column);
}

bool tst_ToolsModel::isEnabledInRegistry(const QString &tool) const
{
    for (const ToolInfo &entry : m_server->control()->tools()) {
        if (entry.name == tool)
            return entry.enabled;
    }
    return false;
}

void tst_ToolsModel::rowPerRegisteredTool()
{
    auto model = makeModel();
    QCOMPARE(model->rowCount(), int(m_server->control()->tools().size()));
    for (const QString &tool : {u"echo"_s, u"now"_s, u"sleep"_s}) {
        QVERIFY2(model->rowOfTool(tool) >= 0, qPrintable(tool));
        QCOMPARE(cellOf(*model, tool, ToolsModel::Name).data().toString(), tool);
        QCOMPARE(cellOf(*model, tool, ToolsModel::Enabled).data(Qt::CheckStateRole).toInt(),
                 int(Qt::Checked));
        QVERIFY(cellOf(*model, tool, ToolsModel::Enabled).flags() & Qt::ItemIsUserCheckable);
        QCOMPARE(cellOf(*model, tool, ToolsModel::Source).data().toString(), u"built-in"_s);
        QVERIFY(!cellOf(*model, tool, ToolsModel::Description).data().toString().isEmpty());
        QCOMPARE(cellOf(*model, tool, ToolsModel::Calls).data().toString(), u"0"_s);
    }
}

void tst_ToolsModel::uncheckingAToolDisablesItThroughControl()
{
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    QSignalSpy toggled(model.get(), &ToolsModel::toolEnabledChanged);

    QVERIFY(model->setData(cellOf(*model, u"echo"_s, ToolsModel::Enabled), Qt::Unchecked,
                           Qt::CheckStateRole));
    QVERIFY(!isEnabledInRegistry(u"echo"_s));
    QCOMPARE(toggled.count(), 1);
    QCOMPARE(toggled.first().at(0).toString(), u"echo"_s);
    QCOMPARE(toggled.first().at(1).toBool(), false);
    QCOMPARE(cellOf(*model, u"echo"_s, ToolsModel::Enabled).data(Qt::CheckStateRole).toInt(),
             int(Qt::Unchecked));
    QString error;
    QTRY_VERIFY_WITH_TIMEOUT(!listToolNames(m_port, session, &error).contains(u"echo"_s), 5000);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QVERIFY(model->setData(cellOf(*model, u"echo"_s, ToolsModel::Enabled), Qt::Checked,
                           Qt::CheckStateRole));
    QVERIFY(isEnabledInRegistry(u"echo"_s));
    QCOMPARE(toggled.count(), 2);
    // Only the check box column is editable this way.
    QVERIFY(!model->setData(cellOf(*model, u"echo"_s, ToolsModel::Name), Qt::Unchecked,
                            Qt::CheckStateRole));
}

void tst_ToolsModel::toolsSwitchedElsewhereShowOnTheTick()
{
    auto model = makeModel();
    QString error;
    QVERIFY(m_server->control()->setToolEnabled(u"now"_s, false, &error));
    QTRY_COMPARE_WITH_TIMEOUT(
        cellOf(*model, u"now"_s, ToolsModel::Enabled).data(Qt::CheckStateRole).toInt(),
        int(Qt::Unchecked), 5000);
}

void tst_ToolsModel::realCallsCountCallsErrorsAndLatency()
{
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    for (int i = 1; i <= 2; ++i) {
        const HttpResponse response =
            postOnce(m_port, session.post(),
                     toolCallBody(i, u"echo"_s, QJsonObject{{"message"_L1, "hello"_L1}}));
        QCOMPARE(response.status, 200);
    }
    const HttpResponse sleeping =
        postOnce(m_port, session.post(), toolCallBody(3, u"sleep"_s, QJsonObject{{"ms"_L1, 60}}));
    QCOMPARE(sleeping.status, 200);
    // An argument of the wrong type: the call fails.
    const HttpResponse failing = postOnce(
        m_port, session.post(), toolCallBody(4, u"echo"_s, QJsonObject{{"message"_L1, 42}}));
    QCOMPARE(failing.status, 200);

    QTRY_COMPARE_WITH_TIMEOUT(
        cellOf(*model, u"echo"_s, ToolsModel::Calls).data(ToolsModel::SortRole).toULongLong(), 3ULL,
        5000);
    QCOMPARE(cellOf(*model, u"echo"_s, ToolsModel::Errors).data(ToolsModel::SortRole).toULongLong(),
             1ULL);
    QCOMPARE(cellOf(*model, u"echo"_s, ToolsModel::Calls).data().toString(), u"3"_s);
    QTRY_COMPARE_WITH_TIMEOUT(
        cellOf(*model, u"sleep"_s, ToolsModel::Calls).data(ToolsModel::SortRole).toULongLong(),
        1ULL, 5000);
    QCOMPARE(
        cellOf(*model, u"sleep"_s, ToolsModel::Errors).data(ToolsModel::SortRole).toULongLong(),
        0ULL);
    QVERIFY(
        cellOf(*model, u"sleep"_s, ToolsModel::MeanLatency).data(ToolsModel::SortRole).toLongLong()
        >= 50);
    QVERIFY(
        cellOf(*model, u"sleep"_s, ToolsModel::MeanLatency).data().toString().endsWith(u" ms"_s));
    QCOMPARE(cellOf(*model, u"now"_s, ToolsModel::MeanLatency).data().toString(), QString());

    // A model built later starts from the Monitor's totals.
    m_tester.reset();
    ToolsModel late(m_server->monitor(), m_server->control(), m_tick.get());
    QCOMPARE(cellOf(late, u"echo"_s, ToolsModel::Calls).data(ToolsModel::SortRole).toULongLong(),
             3ULL);
    QCOMPARE(cellOf(late, u"echo"_s, ToolsModel::Errors).data(ToolsModel::SortRole).toULongLong(),
             1ULL);
}

void tst_ToolsModel::relistedCountsSessionsThatListedSinceTheChange()
{
    auto model = makeModel();
    const McpTestSession first = openSession(m_port);
    const McpTestSession second = openSession(m_port);
    QVERIFY(first.ok() && second.ok());
    const QModelIndex relisted = cellOf(*model, u"echo"_s, ToolsModel::Relisted);
    QTRY_COMPARE_WITH_TIMEOUT(relisted.data().toString(), u"0 of 2 sessions"_s, 5000);

    QString error;
    listToolNames(m_port, first, &error);
    QTRY_COMPARE_WITH_TIMEOUT(relisted.data().toString(), u"1 of 2 sessions"_s, 5000);

    QVERIFY(model->setToolEnabled(u"echo"_s, false));
    QTRY_COMPARE_WITH_TIMEOUT(relisted.data().toString(), u"0 of 2 sessions"_s, 5000);
    // Another tool's change leaves echo's count alone.
    QCOMPARE(cellOf(*model, u"now"_s, ToolsModel::Relisted).data().toString(),
             u"1 of 2 sessions"_s);
    listToolNames(m_port, second, &error);
    QTRY_COMPARE_WITH_TIMEOUT(relisted.data().toString(), u"1 of 2 sessions"_s, 5000);
    QVERIFY(relisted.data(Qt::ToolTipRole).toString().contains(u"heartline-integration-test"_s));
}

void tst_ToolsModel::relistedFollowsTheListSeenEventNotTraffic()
{
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    const QString id = QString::fromLatin1(session.id);
    Monitor *monitor = m_server->monitor();
    const QModelIndex relisted = cellOf(*model, u"echo"_s, ToolsModel::Relisted);
    m_tick->tickNow();
    QCOMPARE(relisted.data().toString(), u"0 of 1 sessions"_s);

    // Traffic that names tools/list is not a list the client received.
    MessageEvent sniffed;
    sniffed.sessionId = id;
    sniffed.direction = MessageEvent::Direction::In;
    sniffed.method = u"tools/list"_s;
    sniffed.id = u"7"_s;
    sniffed.wallMs = QDateTime::currentMSecsSinceEpoch();
    monitor->reportMessage(sniffed);
    m_tick->tickNow();
    QCOMPARE(relisted.data().toString(), u"0 of 1 sessions"_s);

    // The session reporting the current generation is.
    const quint64 before = m_server->tools()->generation();
    monitor->reportToolsListSeen({id, before, QDateTime::currentMSecsSinceEpoch()});
    m_tick->tickNow();
    QCOMPARE(relisted.data().toString(), u"1 of 1 sessions"_s);

    // After echo changes, only a list of that generation or later counts for echo.
    QVERIFY(model->setToolEnabled(u"echo"_s, false));
    QVERIFY(m_server->tools()->generation() > before);
    m_tick->tickNow();
    QCOMPARE(relisted.data().toString(), u"0 of 1 sessions"_s);
    monitor->reportToolsListSeen({id, before, QDateTime::currentMSecsSinceEpoch()});
    m_tick->tickNow();
    QCOMPARE(relisted.data().toString(), u"0 of 1 sessions"_s);
    monitor->reportToolsListSeen(
        {id, m_server->tools()->generation(), QDateTime::currentMSecsSinceEpoch()});
    m_tick->tickNow();
    QCOMPARE(relisted.data().toString(), u"1 of 1 sessions"_s);
}

QTEST_MAIN(tst_ToolsModel)
#include "tst_toolsmodel.moc"
