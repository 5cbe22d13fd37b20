#pragma once

#include "server/api/monitorevents.h"

#include <QWidget>

class QComboBox;
class QTableView;

namespace heartline {

class DisconnectFilterModel;
class DisconnectLogModel;

// Why each connection ended: the log filtered by cause, selected rows copied as CSV, and the
// rows shown exported as CSV or JSON lines.
class DisconnectLogPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DisconnectLogPanel)

public:
    enum class ExportFormat { Csv, JsonLines };

    explicit DisconnectLogPanel(DisconnectLogModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    DisconnectFilterModel *filter() const { return m_filter; }
    void setCauseFilter(const QString &cause);

    // The rows the filter shows, oldest first, and the selected ones.
    QList<DisconnectEvent> shownEvents() const;
    QList<DisconnectEvent> selectedEvents() const;

    // Writes `events` to `path` whole or not at all; false with the reason.
    static bool writeEvents(const QString &path, ExportFormat format,
                            const QList<DisconnectEvent> &events, QString *error);
    // .jsonl and .ndjson are JSON lines; anything else is CSV.
    static ExportFormat formatForPath(const QString &path);

public Q_SLOTS:
    // The selected rows (all shown rows when none is selected) to the clipboard as CSV.
    void copySelection();
    // Asks where, then writes the shown rows.
    void exportWithDialog();

private:
    QList<DisconnectEvent> eventsOfProxyRows(const QList<int> &rows) const;

    DisconnectLogModel *m_model;
    DisconnectFilterModel *m_filter;
    QComboBox *m_cause;
    QTableView *m_view;
};

} // namespace heartline
