#include "ui/window/welcomepanel.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// A step: its button and a line saying what it does.
QWidget *step(QPushButton *button, const QString &what, QWidget *parent)
{
    auto *row = new QWidget(parent);
    auto *layout = new QVBoxLayout(row);
    layout->setContentsMargins(0, 6, 0, 6);
    button->setMinimumWidth(320);
    auto *text = new QLabel(what, row);
    text->setWordWrap(true);
    text->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(button, 0, Qt::AlignLeft);
    layout->addWidget(text);
    return row;
}

} // namespace

WelcomePanel::WelcomePanel(const QString &mcpUrl, bool canEdit, QWidget *parent)
    : QWidget(parent)
    , m_import(new QPushButton(tr("Import servers from your other clients…"), this))
    , m_add(new QPushButton(tr("Add a server…"), this))
    , m_connect(new QPushButton(tr("Connect your clients to Heartline…"), this))
    , m_continue(new QPushButton(tr("Go to the connections view"), this))
{
    setObjectName(u"welcomePanel"_s);
    auto *title = new QLabel(tr("Welcome to Heartline"), this);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    title->setFont(big);
    auto *intro = new QLabel(
        tr("Heartline runs your MCP servers once, for every client, behind one endpoint: "
           "<b>%1</b>. It keeps every stream alive through proxies with heartbeats, and shows "
           "here who is connected and why a connection ended.")
            .arg(mcpUrl.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    intro->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_import->setObjectName(u"welcomeImport"_s);
    m_add->setObjectName(u"welcomeAdd"_s);
    m_connect->setObjectName(u"welcomeConnect"_s);
    m_continue->setObjectName(u"welcomeContinue"_s);
    m_import->setEnabled(canEdit);
    m_add->setEnabled(canEdit);
    connect(m_import, &QPushButton::clicked, this, &WelcomePanel::importRequested);
    connect(m_add, &QPushButton::clicked, this, &WelcomePanel::addRequested);
    connect(m_connect, &QPushButton::clicked, this, &WelcomePanel::connectRequested);
    connect(m_continue, &QPushButton::clicked, this, &WelcomePanel::dismissed);

    auto *column = new QWidget(this);
    column->setMaximumWidth(720);
    auto *steps = new QVBoxLayout(column);
    steps->addWidget(title);
    steps->addWidget(intro);
    steps->addSpacing(12);
    steps->addWidget(step(m_import,
                          tr("The servers Claude Desktop, Cursor, VS Code, Claude Code, Windsurf "
                             "and Zed start today: tick the ones Heartline should run. Nothing "
                             "runs until you confirm."),
                          column));
    steps->addWidget(step(m_add,
                          tr("A program on this machine or a remote server, tested "
                             "before it is saved."),
                          column));
    steps->addWidget(step(m_connect,
                          tr("Writes Heartline into a client's config in one click, "
                             "or gives you the snippet to paste."),
                          column));
    steps->addSpacing(12);
    steps->addWidget(m_continue, 0, Qt::AlignLeft);
    steps->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 32, 32, 32);
    layout->addWidget(column, 1, Qt::AlignHCenter);
}

} // namespace heartline
