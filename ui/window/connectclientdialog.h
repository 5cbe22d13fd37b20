#pragma once

#include "ui/window/clientsetup.h"

#include <QDialog>
#include <QList>
#include <QString>

class QLabel;

namespace heartline {

// Heartline into the clients people use: "Add Heartline to…" writes the entry into a client's
// config file in one step (and offers to take that client's own copies of the servers Heartline
// hosts out of it), and ready-to-paste snippets cover every other client. For the endpoint this
// server serves now, with its bearer token when one is set.
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

    // What becomes of a client's own copies once Heartline is in its file.
    enum class OwnCopies { Ask, Remove, Keep };

    // `mcpUrl` is the full endpoint, e.g. http://127.0.0.1:8650/mcp. `setup` may be null:
    // then only the snippets are offered.
    ConnectClientDialog(const QString &mcpUrl, const QString &token, ClientSetup *setup = nullptr,
                        QWidget *parent = nullptr);

    // The snippets the dialog shows, in order: a `url` entry for clients that speak
    // Streamable HTTP, the `mcp-remote` stdio bridge, VS Code, and Claude Code's command line.
    static QList<Snippet> snippets(const QString &mcpUrl, const QString &token);

    QList<Snippet> shownSnippets() const { return m_snippets; }

    // The "Add Heartline to …" button of `clientId`; the outcome is also said in the dialog.
    ClientSetup::Added addHeartlineTo(const QString &clientId, OwnCopies copies = OwnCopies::Ask);
    QString outcomeText() const;

private:
    QWidget *createSetupBox();

    QList<Snippet> m_snippets;
    ClientSetup *m_setup;
    QLabel *m_outcome = nullptr;
};

} // namespace heartline
