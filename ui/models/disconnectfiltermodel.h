#pragma once

#include <QSortFilterProxyModel>

namespace heartline {

// The disconnect log filtered by cause (and by the proxy's own text filter, if set), sorted by
// the source's raw SortRole values rather than the displayed text.
class DisconnectFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DisconnectFilterModel)

public:
    explicit DisconnectFilterModel(QObject *parent = nullptr);

    QString causeFilter() const { return m_cause; }
    // A cause name such as "client_closed"; empty shows every cause.
    void setCauseFilter(const QString &cause);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_cause;
};

} // namespace heartline
