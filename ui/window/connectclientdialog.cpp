#include "ui/window/connectclientdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
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
                                         QWidget *parent)
    : QDialog(parent)
    , m_snippets(snippets(mcpUrl, token))
{
    setWindowTitle(tr("Connect a client"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Heartline serves MCP at <b>%1</b>. Paste one of these into "
                                "your client's configuration:")
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
    resize(620, 380);
}

} // namespace heartline
