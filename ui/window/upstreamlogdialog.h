#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace heartline {

class Monitor;
class ServerControl;

// "Show log" of one upstream server: its captured stderr (or its transport's diagnostics),
// the lines kept so far and every new one as it comes, narrowed to the lines that contain
// the search text, selectable and copyable as a whole. Not modal: it stays open beside the
// window while the person restarts the server.
class UpstreamLogDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamLogDialog)

public:
    // Keeps at most this many lines, the oldest leave first.
    static constexpr int kMaxLines = 5000;

    UpstreamLogDialog(const QString &server, Monitor *monitor, ServerControl *control,
                      QWidget *parent = nullptr);

    QString server() const { return m_server; }
    QStringList lines() const { return m_lines; }
    // The text shown now (the lines that match the search).
    QString shownText() const;
    void setSearchText(const QString &text);
    void copyShown() const;

private:
    void appendLine(const QString &line);
    void render();
    bool matches(const QString &line) const;
    void updateCount();

    QString m_server;
    QStringList m_lines;
    QLineEdit *m_search;
    QPlainTextEdit *m_text;
    QLabel *m_count;
};

} // namespace heartline
