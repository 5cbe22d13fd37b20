#include "mainwindow.h"

#include "control.h"
#include "monitor.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {
constexpr int kLogLines = 2000;
}

MainWindow::MainWindow(Monitor *monitor, Control *control, QWidget *parent)
    : QMainWindow(parent)
    , m_monitor(monitor)
    , m_control(control)
    , m_endpoint(new QLabel(this))
    , m_sessions(new QListWidget(this))
    , m_tools(new QListWidget(this))
    , m_log(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Heartline"));
    setWindowIcon(QIcon(u":/icons/heartline.svg"_s));
    resize(960, 600);

    auto *copy = new QPushButton(tr("Copy URL"), this);
    connect(copy, &QPushButton::clicked, this, [this]() {
        QApplication::clipboard()->setText(m_monitor->snapshot().endpoint + u"/mcp"_s);
    });
    m_endpoint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *header = new QHBoxLayout;
    header->addWidget(m_endpoint, 1);
    header->addWidget(copy);

    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kLogLines);
    m_log->setFont(QFont(u"monospace"_s));

    auto *lists = new QSplitter(Qt::Horizontal, this);
    auto titled = [this](const QString &title, QWidget *body) {
        auto *box = new QWidget(this);
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(new QLabel(u"<b>%1</b>"_s.arg(title), box));
        layout->addWidget(body);
        return box;
    };
    lists->addWidget(titled(tr("Connections"), m_sessions));
    lists->addWidget(titled(tr("Tools"), m_tools));
    auto *vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(lists);
    vertical->addWidget(titled(tr("Events"), m_log));

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addLayout(header);
    layout->addWidget(vertical, 1);
    setCentralWidget(central);

    connect(m_tools, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        if (m_updatingTools)
            return;
        QString error;
        if (!m_control->setToolEnabled(item->data(Qt::UserRole).toString(),
                                       item->checkState() == Qt::Checked, &error))
            appendLog(error);
    });

    auto showEndpoint = [this]() {
        const MonitorSnapshot snapshot = m_monitor->snapshot();
        m_endpoint->setText(tr("Serving MCP at <b>%1/mcp</b> — heartbeat every %2 ms")
                                .arg(snapshot.endpoint)
                                .arg(snapshot.heartbeatIntervalMs));
    };
    showEndpoint();
    connect(m_monitor, &Monitor::listening, this, showEndpoint);
    connect(m_monitor, &Monitor::heartbeatIntervalChanged, this, showEndpoint);
    connect(m_monitor, &Monitor::sessionOpened, this, &MainWindow::refreshSessions);
    connect(m_monitor, &Monitor::sessionUpdated, this, &MainWindow::refreshSessions);
    connect(m_monitor, &Monitor::sessionClosed, this, &MainWindow::refreshSessions);
    connect(m_monitor, &Monitor::toolChanged, this, &MainWindow::refreshTools);
    connect(m_monitor, &Monitor::disconnected, this, [this](const DisconnectEvent &event) {
        appendLog(u"%1 ended: %2 — %3"_s.arg(
            event.streamId.isEmpty() ? u"session "_s + event.sessionId.left(8) : event.streamId,
            DisconnectCauses::name(event.cause), event.detail));
    });
    connect(m_monitor, &Monitor::heartbeatSent, this, [this](const HeartbeatEvent &event) {
        appendLog(u"heartbeat %1 on %2"_s.arg(event.sequence).arg(event.streamId));
    });
    connect(m_monitor, &Monitor::messageObserved, this, [this](const MessageEvent &event) {
        appendLog(u"%1 %2 %3 (%4 bytes)"_s.arg(
            event.direction == MessageEvent::Direction::In ? u"→"_s : u"←"_s,
            event.method.isEmpty() ? u"response"_s : event.method, event.id,
            QString::number(event.bytes)));
    });
    refreshSessions();
    refreshTools();
}

void MainWindow::bringToFront()
{
    showNormal();
    raise();
    activateWindow();
}

void MainWindow::refreshSessions()
{
    m_sessions->clear();
    for (const SessionInfo &session : m_monitor->snapshot().sessions) {
        const QString client = session.clientName.isEmpty()
                                   ? tr("(not identified yet)")
                                   : session.clientName + u' ' + session.clientVersion;
        m_sessions->addItem(u"%1  %2  %3  %4  %5"_s.arg(session.id.left(8), client,
                                                        transportKindName(session.transport),
                                                        session.revision, session.peer));
    }
}

void MainWindow::refreshTools()
{
    m_updatingTools = true;
    m_tools->clear();
    for (const ToolEntry &entry : m_control->tools()) {
        auto *item = new QListWidgetItem(
            u"%1 — %2"_s.arg(entry.definition.name, entry.definition.title), m_tools);
        item->setData(Qt::UserRole, entry.definition.name);
        item->setToolTip(entry.definition.description);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(entry.enabled ? Qt::Checked : Qt::Unchecked);
    }
    m_updatingTools = false;
}

void MainWindow::appendLog(const QString &line)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(u"HH:mm:ss.zzz "_s) + line);
}

} // namespace heartline
