// The Servers panel over a real in-process server hosting the misbehaving-upstream fixture:
// its actions follow the selected server's state and act through Control, "Show log" holds
// the server's stderr and every new line, narrowed by the search, and Remove takes the entry out
// of a real config file (ConfigEntryFile, as the app gives it) and nothing else.
#include "app/configentryfile.h"
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/tools/upstream/upstreamconfigparser.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/modelservertest.h"
#include "tests/support/processgroup.h"
#include "tests/support/testfiles.h"
#include "ui/models/serversmodel.h"
#include "ui/window/serverspanel.h"
#include "ui/window/statebadgedelegate.h"
#include "ui/window/upstreamlogdialog.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kStartTimeoutMs = 15000;

} // namespace

class tst_ServersPanel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_ServersPanel()
        : ModelServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void actionsFollowTheSelectedServersState();
    void theLogHoldsStderrAndEveryNewLine();
    void noFigureIsCutOnceItGrows();
    void theLogSearchNarrowsTheLinesAndCopiesThem();
    void withoutAConfigFileEntriesCannotBeEdited();
    void removeTakesOnlyThatEntryOutOfTheFile();
    void entryFileSavesRenamesAndRefuses();
    void aProgramRunsOnlyOnceApprovedAndAsksAgainAfterAnOutsideEdit();
    void headlessTrustsTheFile();

private:
    void makePanel(ServerEntryStore *store = nullptr);
    bool waitForState(const QString &server, UpstreamState state);
    void cleanupBeforeStop() override;

    std::unique_ptr<ServersModel> m_model;
    std::unique_ptr<ServersPanel> m_panel;
};

void tst_ServersPanel::makePanel(ServerEntryStore *store)
{
    m_model = tested(
        std::make_unique<ServersModel>(m_server->monitor(), m_server->control(), m_tick.get()));
    m_panel =
        std::make_unique<ServersPanel>(m_model.get(), m_server->monitor(), m_server->control(),
                                       AppServices{store, nullptr, nullptr});
    m_panel->resize(1200, 300);
    m_panel->show();
    // Settled before any row exists: a view that gains the focus later makes its first row
    // current (Qt's focus-in), which would select a server behind the test's back.
    QVERIFY(QTest::qWaitForWindowActive(m_panel.get()));
}

void tst_ServersPanel::cleanupBeforeStop()
{
    m_panel.reset();
    m_model.reset();
    ModelServerTest::cleanupBeforeStop();
}

bool tst_ServersPanel::waitForState(const QString &server, UpstreamState state)
{
    return QTest::qWaitFor(
        [&]() {
            const int row = m_model->rowOfServer(server);
            return row >= 0 && m_model->serverAt(row).state == state;
        },
        kStartTimeoutMs);
}

void tst_ServersPanel::actionsFollowTheSelectedServersState()
{
    makePanel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Ready));
    // Nothing selected: nothing to act on.
    QVERIFY(!m_panel->stopAction()->isEnabled());
    QVERIFY(!m_panel->logAction()->isEnabled());

    m_panel->selectServer(u"fx"_s);
    QCOMPARE(m_panel->selectedServer(), u"fx"_s);
    QVERIFY(m_panel->stopAction()->isEnabled());
    QVERIFY(m_panel->restartAction()->isEnabled());
    QVERIFY(!m_panel->startAction()->isEnabled());
    QVERIFY(m_panel->logAction()->isEnabled());

    m_panel->stopAction()->trigger();
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Stopped));
    QCOMPARE(m_server->upstreams()->supervisor(u"fx"_s)->state(), UpstreamState::Stopped);
    QTRY_VERIFY(m_panel->startAction()->isEnabled());
    QVERIFY(!m_panel->stopAction()->isEnabled());
    QVERIFY(m_panel->message().isEmpty());

    m_panel->startAction()->trigger();
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Ready));
    QTRY_VERIFY(m_panel->stopAction()->isEnabled());

    // Refused by Control (the server left the config under the person's cursor): said above
    // the table, and the rest goes on.
    m_server->upstreams()->apply({});
    QVERIFY(!m_model->restart(u"fx"_s));
    QVERIFY(!m_model->lastError().isEmpty());
}

void tst_ServersPanel::noFigureIsCutOnceItGrows()
{
    // The columns are sized when the row appears (0 tools, no pid yet); the values grow after.
    makePanel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Ready));
    QTRY_VERIFY(m_model->serverAt(0).toolCount() >= 8);
    const QFontMetrics metrics(m_panel->view()->font());
    for (int column = 0; column < ServersModel::LastError; ++column) {
        const QString text = m_model->index(0, column).data().toString();
        const int extra =
            column == ServersModel::State ? StateBadgeDelegate::kHorizontalPadding : 0;
        QVERIFY2(metrics.horizontalAdvance(text) + extra < m_panel->view()->columnWidth(column),
                 qPrintable(u"column %1: '%2' in %3 px"_s.arg(column).arg(text).arg(
                     m_panel->view()->columnWidth(column))));
    }
    // And what they grow to: a server with a hundred tools, a million calls, a day up.
    const QList<QPair<int, QString>> grown = {{ServersModel::Tools, u"128/128"_s},
                                              {ServersModel::Calls, u"1000000"_s},
                                              {ServersModel::Uptime, u"23 h 59 min"_s},
                                              {ServersModel::Target, u"pid 4194304"_s}};
    for (const auto &[column, text] : grown)
        QVERIFY2(metrics.horizontalAdvance(text) < m_panel->view()->columnWidth(column),
                 qPrintable(text));
}

void tst_ServersPanel::theLogHoldsStderrAndEveryNewLine()
{
    makePanel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--stderr-lines"_s, u"3"_s})});
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Ready));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server->control()->upstreams().value(0).state == UpstreamState::Ready
            && m_server->upstreams()->supervisor(u"fx"_s)->diagnosticLines().size() >= 3,
        5000);

    UpstreamLogDialog *log = m_panel->showLog(u"fx"_s);
    QVERIFY(log);
    QVERIFY(log->isVisible());
    QCOMPARE(log->windowTitle(), u"Log of fx"_s);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(log->shownText().contains(u"stderr line %1"_s.arg(i)),
                 qPrintable(log->shownText()));
    // Asked again: the same window, not a second one.
    QCOMPARE(m_panel->showLog(u"fx"_s), log);

    // A restart writes the lines again: they arrive live, after the ones already there.
    const qsizetype before = log->lines().size();
    QVERIFY(m_model->restart(u"fx"_s));
    QTRY_VERIFY_WITH_TIMEOUT(log->lines().size() >= before + 3, kStartTimeoutMs);
    QCOMPARE(log->lines().mid(before).filter(u"stderr line"_s).size(), 3);
    QCOMPARE(log->shownText().count(u"stderr line 2"_s), 2);
}

void tst_ServersPanel::theLogSearchNarrowsTheLinesAndCopiesThem()
{
    makePanel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--stderr-lines"_s, u"12"_s})});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->upstreams()->supervisor(u"fx"_s)->diagnosticLines().size()
                                 >= 12,
                             kStartTimeoutMs);
    UpstreamLogDialog *log = m_panel->showLog(u"fx"_s);
    log->setSearchText(u"LINE 1"_s); // case does not matter
    // "stderr line 1", "stderr line 10", "stderr line 11"
    QCOMPARE(log->shownText().split(u'\n').size(), 3);
    QVERIFY(!log->shownText().contains(u"stderr line 2"_s));
    log->copyShown();
    QCOMPARE(QApplication::clipboard()->text(), log->shownText());

    log->setSearchText({});
    QVERIFY(log->shownText().split(u'\n').size() >= 12);
}

void tst_ServersPanel::withoutAConfigFileEntriesCannotBeEdited()
{
    makePanel(nullptr);
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QTRY_COMPARE(m_model->rowCount(), 1);
    m_panel->selectServer(u"fx"_s);
    QVERIFY(!m_panel->addAction()->isEnabled());
    QVERIFY(!m_panel->editAction()->isEnabled());
    QVERIFY(!m_panel->removeAction()->isEnabled());
    QVERIFY(!m_panel->openConfigAction()->isEnabled());
    QVERIFY(m_panel->removeAction()->toolTip().contains(u"config file"_s));
    QVERIFY(!m_panel->removeServer(u"fx"_s, false));
}

void tst_ServersPanel::removeTakesOnlyThatEntryOutOfTheFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"config.json"_s);
    const QByteArray original = R"({
  "heartbeatMs": 15000,
  "mcpServers": {
    "keep": {"command": "/bin/true", "args": ["--keep"]},
    "fx": {"command": "/bin/true"}
  }
}
)";
    QVERIFY(writeFileBytes(path, original));
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    makePanel(&store);
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QTRY_COMPARE(m_model->rowCount(), 1);
    m_panel->selectServer(u"fx"_s);
    QVERIFY(m_panel->removeAction()->isEnabled());
    QCOMPARE(m_panel->openConfigAction()->toolTip(), path);

    QVERIFY(m_panel->removeServer(u"fx"_s, false));
    const QJsonObject root = QJsonDocument::fromJson(readFileBytes(path)).object();
    QCOMPARE(root.value("heartbeatMs"_L1).toInt(), 15000);
    const QJsonObject servers = root.value("mcpServers"_L1).toObject();
    QCOMPARE(servers.keys(), QStringList{u"keep"_s});
    QCOMPARE(servers.value("keep"_L1).toObject().value("args"_L1).toArray().at(0).toString(),
             u"--keep"_s);

    // Gone already (another editor was quicker): said, and the file is left alone.
    const QByteArray after = readFileBytes(path);
    QVERIFY(!m_panel->removeServer(u"fx"_s, false));
    QVERIFY2(m_panel->message().contains(u"no server named 'fx'"_s),
             qPrintable(m_panel->message()));
    QCOMPARE(readFileBytes(path), after);
}

void tst_ServersPanel::entryFileSavesRenamesAndRefuses()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"config.json"_s);
    QVERIFY(
        writeFileBytes(path, R"({"mcpServers": {"a": {"command": "/bin/true"}}, "port": 8765})"));
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    QString error;

    const QJsonObject entry{{"command"_L1, "/bin/echo"_L1}, {"args"_L1, QJsonArray{u"hello"_s}}};
    QVERIFY2(store.save(u"b"_s, entry, {}, &error), qPrintable(error));
    QJsonObject read;
    QVERIFY(store.entry(u"b"_s, &read, &error));
    // Saved approved: the person wrote the command line.
    QVERIFY(read.take("approved"_L1).toString().startsWith(u"sha256:"_s));
    QCOMPARE(read, entry);

    // A name taken by another entry, a name against the rule, a ${VAR} that is unset:
    // refused with the reason, and the file keeps every byte.
    const QByteArray before = readFileBytes(path);
    QVERIFY(!store.save(u"a"_s, entry, u"b"_s, &error));
    QVERIFY2(error.contains(u"already has a server named 'a'"_s), qPrintable(error));
    QVERIFY(!store.save(u"bad name!"_s, entry, {}, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!store.save(
        u"c"_s, QJsonObject{{"command"_L1, "${HEARTLINE_TEST_UNSET_VARIABLE}/x"_L1}}, {}, &error));
    QVERIFY2(error.contains(u"HEARTLINE_TEST_UNSET_VARIABLE"_s), qPrintable(error));
    QCOMPARE(readFileBytes(path), before);

    // A rename: the new name holds the entry, the old one is gone, the rest stays.
    QVERIFY2(store.save(u"renamed"_s, entry, u"b"_s, &error), qPrintable(error));
    const QJsonObject root = QJsonDocument::fromJson(readFileBytes(path)).object();
    QCOMPARE(root.value("mcpServers"_L1).toObject().keys(), (QStringList{u"a"_s, u"renamed"_s}));
    QCOMPARE(root.value("port"_L1).toInt(), 8765);
    QVERIFY(!store.entry(u"b"_s, &read, &error));
    QVERIFY(error.contains(u"no server named 'b'"_s));

    // A file that does not parse is never written into.
    QVERIFY(writeFileBytes(path, "{\"mcpServers\": {"));
    QVERIFY(!store.save(u"d"_s, entry, {}, &error));
    QCOMPARE(readFileBytes(path), QByteArray("{\"mcpServers\": {"));
}

namespace {

// The config file's servers as the running instance reads them (what its watcher applies).
QList<UpstreamServerConfig> serversInFile(const QString &path)
{
    const UpstreamConfigParser parser(
        VariableExpander(QProcessEnvironment::systemEnvironment(), QDir::homePath()));
    const QJsonObject servers =
        QJsonDocument::fromJson(readFileBytes(path)).object().value("mcpServers"_L1).toObject();
    QList<UpstreamServerConfig> configs;
    for (auto it = servers.begin(); it != servers.end(); ++it)
        configs.append(parser.parseEntry(it.key(), it.value()));
    return configs;
}

QByteArray fixtureEntryFile(const QStringList &args)
{
    const QJsonObject entry{{"command"_L1, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)},
                            {"args"_L1, QJsonArray::fromStringList(args)},
                            {"env"_L1, QJsonObject{{"FX_TOKEN"_L1, "secret-value"_L1}}}};
    return QJsonDocument(QJsonObject{{"mcpServers"_L1, QJsonObject{{"fx"_L1, entry}}}}).toJson();
}

} // namespace

void tst_ServersPanel::aProgramRunsOnlyOnceApprovedAndAsksAgainAfterAnOutsideEdit()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"config.json"_s);
    QVERIFY(writeFileBytes(path, fixtureEntryFile({u"--stderr-lines"_s, u"1"_s})));
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    m_server->upstreams()->setRequireApproval(true);
    makePanel(&store);
    m_server->upstreams()->apply(serversInFile(path));

    // Held: shown with the reason, nothing started, and the panel asks.
    QVERIFY(waitForState(u"fx"_s, UpstreamState::AwaitingApproval));
    QTRY_VERIFY(m_panel->approvalNotice().contains(u"fx"_s));
    QCOMPARE(m_server->upstreams()->supervisor(u"fx"_s)->state(), UpstreamState::AwaitingApproval);
    QVERIFY(livingChildrenOf(QCoreApplication::applicationPid()).isEmpty());
    m_panel->selectServer(u"fx"_s);
    QVERIFY(m_panel->approveAction()->isEnabled());
    QVERIFY(!m_panel->startAction()->isEnabled());
    QVERIFY(!m_model->start(u"fx"_s)
            || m_server->upstreams()->supervisor(u"fx"_s)->state()
                   == UpstreamState::AwaitingApproval);
    // The question shows exactly what runs, and the variables' names but never their values.
    const QString question = m_panel->approvalQuestion(u"fx"_s);
    QVERIFY2(
        question.contains(QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM) + u" --stderr-lines 1"_s),
        qPrintable(question));
    QVERIFY(question.contains(u"FX_TOKEN"_s));
    QVERIFY(!question.contains(u"secret-value"_s));

    // Something else changes the command line between the question and the answer: what the
    // person saw is not what would run, so nothing is approved.
    const QByteArray shown = readFileBytes(path);
    QVERIFY(writeFileBytes(path, fixtureEntryFile({u"--crash-after"_s, u"1"_s})));
    QVERIFY(!m_panel->approveServer(u"fx"_s, false));
    QVERIFY2(m_panel->message().contains(u"no longer runs what you were shown"_s),
             qPrintable(m_panel->message()));
    QVERIFY(!readFileBytes(path).contains("approved"));
    QVERIFY(writeFileBytes(path, shown));

    // Yes: the approval is kept with the entry, and once read back the server starts.
    QVERIFY(m_panel->approveServer(u"fx"_s, false));
    const QList<UpstreamServerConfig> approved = serversInFile(path);
    QCOMPARE(approved.value(0).approved, approved.value(0).approvalHash());
    m_server->upstreams()->apply(approved);
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Ready));
    QTRY_VERIFY(m_panel->approvalNotice().isEmpty());

    // Something else edits the command line: asked again, and the old process stops.
    QJsonObject root = QJsonDocument::fromJson(readFileBytes(path)).object();
    QJsonObject servers = root.value("mcpServers"_L1).toObject();
    QJsonObject entry = servers.value("fx"_L1).toObject();
    entry.insert("args"_L1, QJsonArray{u"--stderr-lines"_s, u"2"_s});
    servers.insert("fx"_L1, entry);
    root.insert("mcpServers"_L1, servers);
    QVERIFY(writeFileBytes(path, QJsonDocument(root).toJson()));
    m_server->upstreams()->apply(serversInFile(path));
    QVERIFY(waitForState(u"fx"_s, UpstreamState::AwaitingApproval));
    QTRY_VERIFY_WITH_TIMEOUT(livingChildrenOf(QCoreApplication::applicationPid()).isEmpty(), 10000);
}

void tst_ServersPanel::headlessTrustsTheFile()
{
    // Approval is the window's question: without it (headless) the same entry just runs.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"config.json"_s);
    QVERIFY(writeFileBytes(path, fixtureEntryFile({})));
    QVERIFY(!m_server->upstreams()->requiresApproval());
    makePanel();
    m_server->upstreams()->apply(serversInFile(path));
    QVERIFY(waitForState(u"fx"_s, UpstreamState::Ready));
    QVERIFY(m_panel->approvalNotice().isEmpty());
}

QTEST_MAIN(tst_ServersPanel)
#include "tst_serverspanel.moc"
