#include "ui/window/upstreamlogdialog.h"

#include "server/api/monitor.h"
#include "server/api/servercontrol.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamLogDialog::UpstreamLogDialog(const QString &server, Monitor *monitor,
                                     ServerControl *control, QWidget *parent)
    : QDialog(parent)
    , m_server(server)
    , m_search(new QLineEdit(this))
    , m_text(new QPlainTextEdit(this))
    , m_count(new QLabel(this))
{
    setObjectName(u"upstreamLogDialog"_s);
    setWindowTitle(tr("Log of %1").arg(server));
    resize(820, 480);

    m_search->setObjectName(u"logSearch"_s);
    m_search->setPlaceholderText(tr("Show only lines containing…"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, &UpstreamLogDialog::render);

    m_text->setObjectName(u"logText"_s);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
    copy->setToolTip(tr("Copy the lines shown"));
    connect(copy, &QPushButton::clicked, this, &UpstreamLogDialog::copyShown);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);

    auto *top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);

    QString error;
    if (control)
        m_lines = control->upstreamLog(server, &error);
    if (!error.isEmpty())
        m_lines.append(tr("(the log so far could not be read: %1)").arg(error));
    render();
    connect(monitor, &Monitor::upstreamDiagnostic, this,
            [this](const UpstreamDiagnosticEvent &event) {
                if (event.server == m_server)
                    appendLine(event.line);
            });
}

bool UpstreamLogDialog::matches(const QString &line) const
{
    const QString search = m_search->text();
    return search.isEmpty() || line.contains(search, Qt::CaseInsensitive);
}

void UpstreamLogDialog::appendLine(const QString &line)
{
    m_lines.append(line);
    if (m_lines.size() > kMaxLines) {
        m_lines.removeFirst();
        render(); // the first line shown may be the one that left
        return;
    }
    if (matches(line)) {
        // Following the end only when the person is there, so reading earlier lines is not
        // interrupted by every new one.
        QScrollBar *bar = m_text->verticalScrollBar();
        const bool atEnd = bar->value() == bar->maximum();
        m_text->appendPlainText(line);
        if (atEnd)
            bar->setValue(bar->maximum());
    }
    updateCount();
}

void UpstreamLogDialog::render()
{
    QStringList shown;
    for (const QString &line : std::as_const(m_lines)) {
        if (matches(line))
            shown.append(line);
    }
    m_text->setPlainText(shown.join(u'\n'));
    m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    updateCount();
}

void UpstreamLogDialog::updateCount()
{
    const int shown = m_text->document()->isEmpty() ? 0 : m_text->document()->blockCount();
    m_count->setText(m_search->text().isEmpty()
                         ? tr("%n line(s)", nullptr, int(m_lines.size()))
                         : tr("%1 of %2 lines").arg(shown).arg(m_lines.size()));
}

QString UpstreamLogDialog::shownText() const
{
    return m_text->toPlainText();
}

void UpstreamLogDialog::setSearchText(const QString &text)
{
    m_search->setText(text);
}

void UpstreamLogDialog::copyShown() const
{
    QApplication::clipboard()->setText(shownText());
}

} // namespace heartline
