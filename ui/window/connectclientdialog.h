#pragma once

#include <QDialog>
#include <QList>
#include <QString>

namespace heartline {

// Ready-to-paste configuration for the clients people use, for the endpoint this server
// serves now (with its bearer token when one is set).
class ConnectClientDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectClientDialog)

public:
    struct Snippet
    {
        QString title;
        QString hint;
        QString text;
    };

    // `mcpUrl` is the full endpoint, e.g. http://127.0.0.1:8650/mcp.
    ConnectClientDialog(const QString &mcpUrl, const QString &token, QWidget *parent = nullptr);

    // The snippets the dialog shows, in order: a `url` entry for clients that speak
    // Streamable HTTP, the `mcp-remote` stdio bridge, VS Code, and Claude Code's command line.
    static QList<Snippet> snippets(const QString &mcpUrl, const QString &token);

    QList<Snippet> shownSnippets() const { return m_snippets; }

private:
    QList<Snippet> m_snippets;
};

} // namespace heartline
