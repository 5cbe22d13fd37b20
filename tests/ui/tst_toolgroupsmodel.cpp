// The tools panel's grouped tree over a real in-process server hosting the misbehaving-upstream
// fixture, with a real config file: built-in first and servers in config order, exposed and
// upstream names side by side, an upstream tool switched off reaches a connected client and
// the config file, and a server's own switch keeps its row while its tools go.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/modelservertest.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/testfiles.h"
#include "ui/models/toolgroupsmodel.h"
#include "ui/models/toolsmodel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kStartTimeoutMs = 15000;
constexpr char kListChanged[] = "notifications/tools/list_changed";

} // namespace

class tst_ToolGroupsModel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_ToolGroupsModel()
        : ModelServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void builtInFirstThenServersInConfigOrder();
    void anUpstreamToolSwitchedOffReachesClientsAndTheFile();
    void aServerSwitchedOffKeepsItsRow();
    void aSwitchThatCannotBeKeptIsRefusedWithTheReason();

private:
    // The config file with `servers` as its mcpServers, set as the server's; the models over it.
    void startWithConfig(const QStringList &servers);
    bool waitForTools(const QString &server, int atLeast);
    QJsonObject entryInFile(const QString &server) const;
    void cleanupBeforeStop() override;

    QTemporaryDir m_dir;
    QString m_configPath;
    std::unique_ptr<ToolsModel> m_tools;
    std::unique_ptr<ToolGroupsModel> m_groups;
};

void tst_ToolGroupsModel::startWithConfig(const QStringList &servers)
{
    QJsonObject entries;
    QList<UpstreamServerConfig> configs;
    for (const QString &name : servers) {
        entries.insert(name,
                       QJsonObject{{"command"_L1, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)}});
        configs.append(misbehavingUpstream(name));
    }
    m_configPath = m_dir.filePath(u"config.json"_s);
    QVERIFY(writeFileBytes(m_configPath,
                           QJsonDocument(QJsonObject{{"mcpServers"_L1, entries}}).toJson()));
    m_server->setConfigFilePath(m_configPath);
    m_server->upstreams()->apply(configs);
    m_tools = std::make_unique<ToolsModel>(m_server->monitor(), m_server->control(), m_tick.get());
    m_groups = tested(std::make_unique<ToolGroupsModel>(m_tools.get(), m_server->control(),
                                                        m_server->monitor(), m_tick.get()));
}

void tst_ToolGroupsModel::cleanupBeforeStop()
{
    ModelServerTest::cleanupBeforeStop();
    m_groups.reset();
    m_tools.reset();
}

bool tst_ToolGroupsModel::waitForTools(const QString &server, int atLeast)
{
    return QTest::qWaitFor(
        [&]() { return m_groups->rowCount(m_groups->groupIndex(server)) >= atLeast; },
        kStartTimeoutMs);
}

QJsonObject tst_ToolGroupsModel::entryInFile(const QString &server) const
{
    return QJsonDocument::fromJson(readFileBytes(m_configPath))
        .object()
        .value("mcpServers"_L1)
        .toObject()
        .value(server)
        .toObject();
}

void tst_ToolGroupsModel::builtInFirstThenServersInConfigOrder()
{
    startWithConfig({u"zeta"_s, u"alpha"_s});
    // Both servers have rows at once, before either has listed a tool.
    QCOMPARE(m_groups->groupKeys(), (QStringList{u"built-in"_s, u"zeta"_s, u"alpha"_s}));
    QVERIFY(waitForTools(u"zeta"_s, 3));
    QVERIFY(waitForTools(u"alpha"_s, 3));
    QCOMPARE(m_groups->groupKeys(), (QStringList{u"built-in"_s, u"zeta"_s, u"alpha"_s}));

    const QModelIndex builtIn = m_groups->groupIndex(u"built-in"_s, ToolsModel::Name);
    QCOMPARE(builtIn.data().toString(), u"Built-in"_s);
    QVERIFY(!(builtIn.siblingAtColumn(ToolsModel::Enabled).flags() & Qt::ItemIsUserCheckable));
    QVERIFY(m_groups->toolIndex(u"echo"_s).parent() == m_groups->groupIndex(u"built-in"_s));

    // A server's tools: exposed and upstream name, sorted by name, under the server's row.
    const QModelIndex zeta = m_groups->groupIndex(u"zeta"_s);
    QVERIFY(zeta.siblingAtColumn(ToolsModel::Enabled).flags() & Qt::ItemIsUserCheckable);
    const int children = m_groups->rowCount(zeta);
    QStringList names;
    for (int row = 0; row < children; ++row) {
        const QModelIndex name = m_groups->index(row, ToolsModel::Name, zeta);
        names.append(name.data().toString());
        QCOMPARE(u"zeta__"_s + name.siblingAtColumn(ToolsModel::UpstreamName).data().toString(),
                 name.data().toString());
        QCOMPARE(name.data(ToolGroupsModel::GroupKeyRole).toString(), u"zeta"_s);
    }
    QStringList sorted = names;
    sorted.sort();
    QCOMPARE(names, sorted);
    QVERIFY(names.contains(u"zeta__echo"_s));
    QVERIFY2(zeta.siblingAtColumn(ToolsModel::Description)
                 .data()
                 .toString()
                 .endsWith(u"%1 of %1 on"_s.arg(children)),
             qPrintable(zeta.siblingAtColumn(ToolsModel::Description).data().toString()));
}

void tst_ToolGroupsModel::anUpstreamToolSwitchedOffReachesClientsAndTheFile()
{
    startWithConfig({u"fx"_s});
    QVERIFY(waitForTools(u"fx"_s, 3));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    const QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const QModelIndex box = m_groups->toolIndex(u"fx__echo"_s, ToolsModel::Enabled);
    QVERIFY(box.isValid());
    QVERIFY(m_groups->setData(box, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(box.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));

    QVERIFY(stream.waitForSse(
        [](const QList<SseItem> &items) { return countMethod(items, kListChanged) >= 1; },
        kStartTimeoutMs));
    QString error;
    const QStringList names = listToolNames(m_port, session, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!names.contains(u"fx__echo"_s));
    QVERIFY(names.contains(u"fx__slow"_s));
    const HttpResponse call =
        postOnce(m_port, session.post(), toolCallBody(7, u"fx__echo"_s, {{"text"_L1, "hi"_L1}}));
    QVERIFY2(call.jsonRpcErrorCode() == -32602, qPrintable(call.describe()));

    // Kept in the server's entry under the upstream's own name.
    QCOMPARE(entryInFile(u"fx"_s).value("disabledTools"_L1).toArray(), QJsonArray{u"echo"_s});
    const QModelIndex fx = m_groups->groupIndex(u"fx"_s, ToolsModel::Description);
    const int total = m_groups->rowCount(m_groups->groupIndex(u"fx"_s));
    QTRY_VERIFY(fx.data().toString().endsWith(u"%1 of %2 on"_s.arg(total - 1).arg(total)));
}

void tst_ToolGroupsModel::aServerSwitchedOffKeepsItsRow()
{
    startWithConfig({u"fx"_s});
    QVERIFY(waitForTools(u"fx"_s, 3));
    const QModelIndex serverBox = m_groups->groupIndex(u"fx"_s, ToolsModel::Enabled);
    QCOMPARE(serverBox.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

    QVERIFY(m_groups->setData(serverBox, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(entryInFile(u"fx"_s).value("enabled"_L1), QJsonValue(false));
    QTRY_COMPARE_WITH_TIMEOUT(m_groups->rowCount(m_groups->groupIndex(u"fx"_s)), 0, 5000);
    QVERIFY(!m_server->tools()->contains(u"fx__echo"_s));
    const QModelIndex off = m_groups->groupIndex(u"fx"_s, ToolsModel::Enabled);
    QVERIFY(off.isValid());
    QCOMPARE(off.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    QTRY_VERIFY(
        off.siblingAtColumn(ToolsModel::Description).data().toString().contains(u"switched off"_s));

    QVERIFY(m_groups->setData(off, Qt::Checked, Qt::CheckStateRole));
    QVERIFY(waitForTools(u"fx"_s, 3));
    QCOMPARE(entryInFile(u"fx"_s).value("enabled"_L1), QJsonValue(true));
}

void tst_ToolGroupsModel::aSwitchThatCannotBeKeptIsRefusedWithTheReason()
{
    startWithConfig({u"fx"_s});
    QVERIFY(waitForTools(u"fx"_s, 3));
    // Someone else's edit took the entry out of the file meanwhile.
    QVERIFY(writeFileBytes(m_configPath, R"({"mcpServers": {}})"));
    const QModelIndex box = m_groups->toolIndex(u"fx__echo"_s, ToolsModel::Enabled);
    QVERIFY(!m_groups->setData(box, Qt::Unchecked, Qt::CheckStateRole));
    QVERIFY2(m_groups->lastError().contains(u"no mcpServers entry 'fx'"_s),
             qPrintable(m_groups->lastError()));
    QCOMPARE(box.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
    QVERIFY(m_server->tools()->contains(u"fx__echo"_s));
    QVERIFY(!m_groups->setData(m_groups->groupIndex(u"fx"_s, ToolsModel::Enabled), Qt::Unchecked,
                               Qt::CheckStateRole));
    QVERIFY(m_server->upstreams()->supervisor(u"fx"_s)->isEnabled());
}

QTEST_MAIN(tst_ToolGroupsModel)
#include "tst_toolgroupsmodel.moc"
