#include "ui/window/connectclientdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

const auto kServerName = u"heartline"_s;

QString indented(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed();
}

QJsonObject wrapped(const QString &rootKey, const QJsonObject &server)
{
    return QJsonObject{{rootKey, QJsonObject{{kServerName, server}}}};
}

} // namespace

QList<ConnectClientDialog::Snippet> ConnectClientDialog::snippets(const QString &mcpUrl,
                                                                  const QString &token)
{
    const QString bearer = u"Bearer "_s + token;
    QList<Snippet> list;

    QJsonObject urlEntry{{u"url"_s, mcpUrl}};
    if (!token.isEmpty())
        urlEntry.insert(u"headers"_s, QJsonObject{{u"Authorization"_s, bearer}});
    list.push_back({tr("URL entry"),
                    tr("For clients that speak Streamable HTTP themselves (Cursor, Windsurf, "
                       "Claude Desktop connectors): add to their mcpServers configuration."),
                    indented(wrapped(u"mcpServers"_s, urlEntry))});

    // mcp-remote splits arguments on spaces on some platforms, so the header value goes
    // through an environment variable, as its documentation recommends.
    QJsonArray args{u"-y"_s, u"mcp-remote"_s, mcpUrl};
    QJsonObject remote{{u"command"_s, u"npx"_s}};
    if (!token.isEmpty()) {
        args.append(u"--header"_s);
        args.append(u"Authorization:${AUTH_HEADER}"_s);
        remote.insert(u"env"_s, QJsonObject{{u"AUTH_HEADER"_s, bearer}});
    }
    remote.insert(u"args"_s, args);
    list.push_back({tr("mcp-remote (stdio)"),
                    tr("For clients that only start local stdio servers (e.g. Claude Desktop's "
                       "claude_desktop_config.json); needs Node.js."),
                    indented(wrapped(u"mcpServers"_s, remote))});

    QJsonObject vscode{{u"type"_s, u"http"_s}, {u"url"_s, mcpUrl}};
    if (!token.isEmpty())
        vscode.insert(u"headers"_s, QJsonObject{{u"Authorization"_s, bearer}});
    list.push_back({tr("VS Code"), tr("For .vscode/mcp.json or the user's mcp.json."),
                    indented(wrapped(u"servers"_s, vscode))});

    QString command = u"claude mcp add --transport http "_s + kServerName + u' ' + mcpUrl;
    if (!token.isEmpty())
        command += u" --header \"Authorization: "_s + bearer + u'"';
    list.push_back({tr("Claude Code"), tr("Run in a terminal."), command});
    return list;
}

ConnectClientDialog::ConnectClientDialog(const QString &mcpUrl, const QString &token,
                                         ClientSetup *setup, QWidget *parent)
    : QDialog(parent)
    , m_snippets(snippets(mcpUrl, token))
    , m_setup(setup)
{
    setWindowTitle(tr("Connect a client"));
    auto *layout = new QVBoxLayout(this);
    if (m_setup)
        layout->addWidget(createSetupBox());
    auto *intro = new QLabel(tr("Heartline serves MCP at <b>%1</b>. For any other client, paste "
                                "one of these into its configuration:")
                                 .arg(mcpUrl.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    intro->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(intro);

    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(u"snippetTabs"_s);
    for (const Snippet &snippet : std::as_const(m_snippets)) {
        auto *page = new QWidget(tabs);
        auto *pageLayout = new QVBoxLayout(page);
        auto *hint = new QLabel(snippet.hint, page);
        hint->setWordWrap(true);
        auto *text = new QPlainTextEdit(snippet.text, page);
        text->setReadOnly(true);
        text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        auto *copy = new QPushButton(tr("Copy"), page);
        const QString body = snippet.text;
        connect(copy, &QPushButton::clicked, this,
                [body]() { QApplication::clipboard()->setText(body); });
        auto *row = new QHBoxLayout;
        row->addStretch(1);
        row->addWidget(copy);
        pageLayout->addWidget(hint);
        pageLayout->addWidget(text, 1);
        pageLayout->addLayout(row);
        tabs->addTab(page, snippet.title);
    }
    layout->addWidget(tabs, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(680, m_setup ? 560 : 380);
}

QWidget *ConnectClientDialog::createSetupBox()
{
    auto *box = new QGroupBox(tr("Add Heartline to…"), this);
    auto *grid = new QGridLayout(box);
    int row = 0;
    for (const ClientSetup::Client &client : m_setup->clients()) {
        auto *button = new QPushButton(client.name, box);
        button->setObjectName(u"addTo-"_s + client.id);
        button->setToolTip(tr("Writes Heartline's entry into %1; everything else in it is kept, "
                              "and the file as it was is kept beside it")
                               .arg(client.path));
        const QString id = client.id;
        connect(button, &QPushButton::clicked, this, [this, id]() { addHeartlineTo(id); });
        auto *path = new QLabel(client.path, box);
        path->setTextInteractionFlags(Qt::TextSelectableByMouse);
        path->setForegroundRole(QPalette::PlaceholderText);
        grid->addWidget(button, row, 0);
        grid->addWidget(path, row, 1);
        ++row;
    }
    m_outcome = new QLabel(box);
    m_outcome->setObjectName(u"connectOutcome"_s);
    m_outcome->setWordWrap(true);
    m_outcome->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(m_outcome, row, 0, 1, 2);
    grid->setColumnStretch(1, 1);
    return box;
}

ClientSetup::Added ConnectClientDialog::addHeartlineTo(const QString &clientId, OwnCopies copies)
{
    ClientSetup::Added added = m_setup ? m_setup->addHeartline(clientId) : ClientSetup::Added();
    QString name = clientId;
    QString path;
    for (const ClientSetup::Client &client :
         m_setup ? m_setup->clients() : QList<ClientSetup::Client>()) {
        if (client.id == clientId) {
            name = client.name;
            path = client.path;
        }
    }
    if (!added.ok) {
        m_outcome->setText(tr("Nothing changed: %1").arg(added.error));
        return added;
    }
    QStringList lines;
    if (!added.changed)
        lines.append(tr("%1 has Heartline already (%2).").arg(name, path));
    else if (added.backup.isEmpty())
        lines.append(
            tr("Added Heartline to %1 (a new file, %2). Restart %1 to use it.").arg(name, path));
    else
        lines.append(tr("Added Heartline to %1 (%2; the file as it was is %3). Restart %1 to "
                        "use it.")
                         .arg(name, path, added.backup));
    if (!added.ownCopies.isEmpty()) {
        const QString list = added.ownCopies.join(u", "_s);
        bool remove = copies == OwnCopies::Remove;
        if (copies == OwnCopies::Ask) {
            remove =
                QMessageBox::question(
                    this, tr("Run each server once"),
                    tr("%1 still starts its own copy of %2, which Heartline serves to it "
                       "now. Take %3 out of %4? (The file as it was is kept beside it.)")
                        .arg(name, list, added.ownCopies.size() == 1 ? tr("it") : tr("them"), path))
                == QMessageBox::Yes;
        }
        QString error;
        if (!remove)
            lines.append(tr("%1 still starts its own %2.").arg(name, list));
        else if (m_setup->removeOwnCopies(clientId, added.ownCopies, &error))
            lines.append(tr("Took %1 out of %2: Heartline serves them.").arg(list, name));
        else
            lines.append(tr("Could not take %1 out of %2: %3").arg(list, name, error));
    }
    m_outcome->setText(lines.join(u'\n'));
    return added;
}

QString ConnectClientDialog::outcomeText() const
{
    return m_outcome ? m_outcome->text() : QString();
}

} // namespace heartline
