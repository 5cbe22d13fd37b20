#include "app/configentryfile.h"
#include "app/savedtoolchoices.h"
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "ui/models/connectionsmodel.h"
#include "ui/models/disconnectfiltermodel.h"
#include "ui/models/disconnectlogmodel.h"
#include "ui/models/toolgroupsmodel.h"
#include "ui/models/toolsmodel.h"
#include "ui/window/appsettings.h"
#include "ui/window/connectionspanel.h"
#include "ui/window/disconnectlogpanel.h"
#include "ui/window/mainwindow.h"
#include "ui/window/serverspanel.h"
#include "ui/window/settingsdialog.h"
#include "ui/window/statusbar.h"
#include "ui/window/toolspanel.h"
#include "ui/window/trafficpanel.h"
#include "ui/window/welcomepanel.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

// The app icon lives in a resource-only library the linker would drop without this.
static void initResources()
{
    Q_INIT_RESOURCE(heartline);
}

namespace {

constexpr int kDeadlineMs = 10000;
constexpr char kListChanged[] = "notifications/tools/list_changed";
// What mcptestsupport's initialize calls itself.
const auto kClientName = u"heartline-integration-test"_s;

// The proxy row (top level) whose client column mentions `text`, or -1.
int rowMentioning(const QAbstractItemModel *model, int column, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, column).data().toString().contains(text))
            return row;
    }
    return -1;
}

} // namespace

class tst_MainWindow final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_MainWindow()
        : InProcessServerTest(loopbackConfig(15000, 50))
    {}

private Q_SLOTS:
    void initTestCase() { initResources(); }
    void init();
    void windowShowsAConnectedClient();
    void connectionsColumnsShowTheirWholeTextAt1280x800();
    void theServersPanelIsDockedWithTheOthers();
    void aFirstRunOpensOnTheWelcome();
    void untickingAToolNotifiesAndRefusesIt();
    void clientAbortLandsInTheDisconnectLog();
    void settingsDialogChangesTheHeartbeatOfNewBeats();
    void settingsDialogShowsARefusal();
    void toolChoicesPersistAcrossWindows();
    void windowLeavesSavedToolChoicesToTheApplication();

private:
    void cleanupBeforeStop() override;
    std::unique_ptr<MainWindow> makeWindow();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppSettings> m_settings;
};

void tst_MainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<AppSettings>(m_dir->filePath(u"heartline.conf"_s));
}

void tst_MainWindow::cleanupBeforeStop()
{
    m_settings.reset();
    m_dir.reset();
}

std::unique_ptr<MainWindow> tst_MainWindow::makeWindow()
{
    auto window =
        std::make_unique<MainWindow>(m_server->monitor(), m_server->control(), m_settings.get());
    window->show();
    return window;
}

void tst_MainWindow::windowShowsAConnectedClient()
{
    QVERIFY(startServer());
    const auto window = makeWindow();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QCOMPARE(window->windowTitle(), u"Heartline"_s);
    const QString url = u"http://127.0.0.1:%1/mcp"_s.arg(m_port);
    QCOMPARE(window->statusBarWidget()->endpointText(), url);

    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    const QAbstractItemModel *rows = window->connectionsPanel()->view()->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowMentioning(rows, ConnectionsModel::Client, kClientName) >= 0,
                             kDeadlineMs);
    const int row = rowMentioning(rows, ConnectionsModel::Client, kClientName);
    QCOMPARE(rows->index(row, 0).data(ConnectionsModel::SessionIdRole).toString(),
             QString::fromLatin1(session.id));
    QTRY_VERIFY_WITH_TIMEOUT(window->statusBarWidget()->countsText().startsWith("1 session"_L1),
                             kDeadlineMs);

    // The filter box narrows the rows; selecting one picks the traffic view's session.
    window->connectionsPanel()->setFilterText(u"no-such-client"_s);
    QCOMPARE(rows->rowCount(), 0);
    window->connectionsPanel()->setFilterText(u"integration"_s);
    QCOMPARE(rows->rowCount(), 1);
    window->connectionsPanel()->view()->setCurrentIndex(rows->index(0, 0));
    QCOMPARE(window->connectionsPanel()->selectedSessionId(), QString::fromLatin1(session.id));
    QTRY_VERIFY_WITH_TIMEOUT(window->trafficPanel()->view()->model()->rowCount() > 0, kDeadlineMs);
}

void tst_MainWindow::connectionsColumnsShowTheirWholeTextAt1280x800()
{
    QVERIFY(startServer());
    const auto window = makeWindow();
    window->resize(1280, 800);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    // The longest transport text there is: the legacy transport with a revision, and a
    // session that has streamed (heartbeats, messages).
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QTreeView *view = window->connectionsPanel()->view();
    const QAbstractItemModel *rows = view->model();
    QTRY_VERIFY_WITH_TIMEOUT(rowMentioning(rows, ConnectionsModel::Client, kClientName) >= 0,
                             kDeadlineMs);
    const int row = rowMentioning(rows, ConnectionsModel::Client, kClientName);
    QVERIFY(rows->index(row, ConnectionsModel::Transport).data().toString().contains(u" · "_s));

    const QFontMetrics metrics(view->font());
    const QFontMetrics headerMetrics(view->header()->font());
    for (int column = ConnectionsModel::Transport; column < ConnectionsModel::UpstreamCalls;
         ++column) {
        const QString title = rows->headerData(column, Qt::Horizontal).toString();
        QVERIFY2(headerMetrics.horizontalAdvance(title) < view->columnWidth(column),
                 qPrintable(title));
        const QString text = rows->index(row, column).data().toString();
        QVERIFY2(
            metrics.horizontalAdvance(text) < view->columnWidth(column),
            qPrintable(u"%1: '%2' in %3 px"_s.arg(title, text).arg(view->columnWidth(column))));
    }
    // The one column that may elide has the whole text in its tooltip.
    const QString tooltip =
        rows->index(row, ConnectionsModel::Client).data(Qt::ToolTipRole).toString();
    QVERIFY2(tooltip.contains(kClientName), qPrintable(tooltip));
    QVERIFY(tooltip.contains(QString::fromLatin1(session.id)));
}

void tst_MainWindow::theServersPanelIsDockedWithTheOthers()
{
    QVERIFY(startServer());
    const auto window = makeWindow();
    QDockWidget *servers = window->findChild<QDockWidget *>(u"serversDock"_s);
    QVERIFY(servers);
    QCOMPARE(servers->widget(), window->serversPanel());
    QVERIFY(window->tabifiedDockWidgets(servers).contains(
        window->findChild<QDockWidget *>(u"toolsDock"_s)));
    // Without a config file (AppServices empty), nothing offers to edit one.
    QVERIFY(!window->serversPanel()->addAction()->isEnabled());
}

void tst_MainWindow::aFirstRunOpensOnTheWelcome()
{
    QVERIFY(startServer());
    // The usual start (a config file existed): the connections view.
    QVERIFY(!makeWindow()->isShowingWelcome());

    ConfigEntryFile entries(m_dir->filePath(u"heartline.json"_s),
                            QProcessEnvironment::systemEnvironment());
    AppServices services;
    services.entries = &entries;
    services.firstRun = true;
    MainWindow window(m_server->monitor(), m_server->control(), m_settings.get(), services);
    window.show();
    QVERIFY(window.isShowingWelcome());
    WelcomePanel *welcome = window.welcomePanel();
    QVERIFY(welcome->isVisible());
    QVERIFY(welcome->importButton()->isEnabled());
    QVERIFY(welcome->addButton()->isEnabled());
    QVERIFY(welcome->connectButton()->isEnabled());
    QVERIFY(!window.connectionsPanel()->isVisible());

    welcome->continueButton()->click();
    QVERIFY(!window.isShowingWelcome());
    QVERIFY(window.connectionsPanel()->isVisible());

    // Without a config file to write, the steps that need one are not offered.
    AppServices bare;
    bare.firstRun = true;
    MainWindow noFile(m_server->monitor(), m_server->control(), m_settings.get(), bare);
    QVERIFY(noFile.isShowingWelcome());
    QVERIFY(!noFile.welcomePanel()->importButton()->isEnabled());
    QVERIFY(noFile.welcomePanel()->connectButton()->isEnabled());
}

void tst_MainWindow::untickingAToolNotifiesAndRefusesIt()
{
    QVERIFY(startServer());
    const auto window = makeWindow();
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    const QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // What the view does when its check box is clicked: set the check state through its model.
    ToolGroupsModel *tools = window->toolsPanel()->groups();
    QCOMPARE(window->toolsPanel()->view()->model(), tools);
    const QModelIndex box = tools->toolIndex(u"echo"_s, ToolsModel::Enabled);
    QVERIFY(box.isValid());
    QCOMPARE(box.parent().data(ToolGroupsModel::GroupKeyRole).toString(), u"built-in"_s);
    QCOMPARE(box.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QVERIFY(tools->setData(box, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(box.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);

    QVERIFY(stream.waitForSse(
        [](const QList<SseItem> &items) { return countMethod(items, kListChanged) >= 1; },
        kDeadlineMs));

    QString error;
    const QStringList names = listToolNames(m_port, session, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(!names.contains(u"echo"_s), qPrintable(names.join(u", "_s)));
    const HttpResponse call =
        postOnce(m_port, session.post(), toolCallBody(5, u"echo"_s, {{"message"_L1, "hi"_L1}}));
    QVERIFY2(call.status == 200, qPrintable(call.describe()));
    QVERIFY2(call.jsonRpcErrorCode() == -32602, qPrintable(call.describe()));

    QCOMPARE(m_settings->disabledTools(), QStringList({u"echo"_s}));
}

void tst_MainWindow::clientAbortLandsInTheDisconnectLog()
{
    QVERIFY(startServer());
    const auto window = makeWindow();
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    const QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    stream.abort();

    DisconnectLogPanel *panel = window->disconnectLogPanel();
    const QAbstractItemModel *log = panel->view()->model();
    QTRY_VERIFY_WITH_TIMEOUT(log->rowCount() >= 1, kDeadlineMs);
    const QString cause = log->index(0, 0).data(DisconnectLogModel::CauseRole).toString();
    QVERIFY2(cause == "client_closed"_L1 || cause == "connection_reset"_L1, qPrintable(cause));
    QCOMPARE(log->index(0, 0).data(DisconnectLogModel::SessionIdRole).toString(),
             QString::fromLatin1(session.id));
    QVERIFY(log->index(0, DisconnectLogModel::Client).data().toString().contains(kClientName));

    // The cause filter hides the row for another cause and shows it for its own.
    panel->setCauseFilter(u"slow_consumer"_s);
    QCOMPARE(log->rowCount(), 0);
    panel->setCauseFilter(cause);
    QCOMPARE(log->rowCount(), 1);

    // Export writes what is shown, as CSV or JSON lines by the file's suffix.
    const QString csvPath = m_dir->filePath(u"log.csv"_s);
    const QString jsonPath = m_dir->filePath(u"log.jsonl"_s);
    QString error;
    QVERIFY2(DisconnectLogPanel::writeEvents(csvPath, DisconnectLogPanel::formatForPath(csvPath),
                                             panel->shownEvents(), &error),
             qPrintable(error));
    QVERIFY2(DisconnectLogPanel::writeEvents(jsonPath, DisconnectLogPanel::formatForPath(jsonPath),
                                             panel->shownEvents(), &error),
             qPrintable(error));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QByteArray csvText = csv.readAll();
    QVERIFY2(csvText.contains(session.id) && csvText.contains(cause.toUtf8()), csvText.constData());
    QFile json(jsonPath);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QByteArray jsonText = json.readAll();
    QVERIFY2(jsonText.startsWith('{') && jsonText.contains(session.id), jsonText.constData());
    QVERIFY(!DisconnectLogPanel::writeEvents(m_dir->filePath(u"missing/dir/x.csv"_s),
                                             DisconnectLogPanel::ExportFormat::Csv,
                                             panel->shownEvents(), &error));
}

void tst_MainWindow::settingsDialogChangesTheHeartbeatOfNewBeats()
{
    ServerConfig config = testConfig();
    config.heartbeatMs = 60000;
    QVERIFY(startServer(config));
    const auto window = makeWindow();
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    SettingsDialog dialog(m_server->control(), m_settings.get(), window.get());
    auto *heartbeat = dialog.findChild<QSpinBox *>(u"heartbeatMs"_s);
    QVERIFY(heartbeat);
    QCOMPARE(heartbeat->value(), 60000);
    heartbeat->setValue(80);
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    buttons->button(QDialogButtonBox::Ok)->click();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(m_server->control()->heartbeatInterval(), 80);

    // A stream opened now beats every 80 ms, not every minute.
    RawHttpClient stream(m_port);
    const QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(stream.waitForSse(
        [](const QList<SseItem> &items) {
            int beats = 0;
            for (const SseItem &item : items)
                beats += item.isHeartbeat() ? 1 : 0;
            return beats >= 3;
        },
        kDeadlineMs));

    QTRY_VERIFY_WITH_TIMEOUT(window->statusBarWidget()->heartbeatText().contains(u"80 ms"_s),
                             kDeadlineMs);
    // Saved for the next start.
    QVERIFY(m_settings->hasServerSettings());
    QCOMPARE(m_settings->serverSettings(ServerConfig()).heartbeatMs, 80);
}

void tst_MainWindow::settingsDialogShowsARefusal()
{
    QVERIFY(startServer());
    // A port someone else holds: the server keeps serving where it was and says why.
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));

    SettingsDialog dialog(m_server->control(), m_settings.get());
    auto *port = dialog.findChild<QSpinBox *>(u"port"_s);
    QVERIFY(port);
    port->setValue(taken.serverPort());
    QVERIFY(!dialog.apply());
    QVERIFY(!dialog.lastError().isEmpty());
    QVERIFY(!m_settings->hasServerSettings());
    QCOMPARE(m_server->port(), m_port);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
}

void tst_MainWindow::toolChoicesPersistAcrossWindows()
{
    QVERIFY(startServer());
    {
        const auto window = makeWindow();
        ToolGroupsModel *tools = window->toolsPanel()->groups();
        const QModelIndex box = tools->toolIndex(u"sleep"_s, ToolsModel::Enabled);
        QVERIFY(box.isValid());
        QVERIFY(tools->setData(box, Qt::Unchecked, Qt::CheckStateRole));
    }
    QCOMPARE(m_settings->disabledTools(), QStringList({u"sleep"_s}));
    m_settings->sync();

    // A new start: a fresh server with every tool on, and the same settings file.
    stopInProcessServer(m_server);
    m_settings = std::make_unique<AppSettings>(m_dir->filePath(u"heartline.conf"_s));
    QVERIFY(startServer());
    const auto isEnabled = [this](const QString &name) {
        for (const ToolInfo &entry : m_server->control()->tools()) {
            if (entry.name == name)
                return entry.enabled;
        }
        return false;
    };
    QVERIFY(isEnabled(u"sleep"_s));
    // What Application does at start, before the window exists; the window only shows it.
    applySavedToolChoices(m_server->control(), m_settings->disabledTools());
    QVERIFY(!isEnabled(u"sleep"_s));
    QVERIFY(isEnabled(u"echo"_s));
    const auto window = makeWindow();
    ToolGroupsModel *tools = window->toolsPanel()->groups();
    const QModelIndex box = tools->toolIndex(u"sleep"_s, ToolsModel::Enabled);
    QVERIFY(box.isValid());
    QCOMPARE(box.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);

    // Ticking it again is remembered too.
    QVERIFY(tools->setData(box, Qt::Checked, Qt::CheckStateRole));
    QVERIFY(m_settings->disabledTools().isEmpty());
}

void tst_MainWindow::windowLeavesSavedToolChoicesToTheApplication()
{
    // Start-up policy lives in Application: a window built over a server shows what the
    // server has and switches nothing itself.
    m_settings->setToolDisabled(u"echo"_s, true);
    QVERIFY(startServer());
    const auto window = makeWindow();
    bool echoEnabled = false;
    for (const ToolInfo &entry : m_server->control()->tools()) {
        if (entry.name == u"echo"_s)
            echoEnabled = entry.enabled;
    }
    QVERIFY(echoEnabled);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
