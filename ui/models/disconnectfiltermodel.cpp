#include "ui/models/disconnectfiltermodel.h"

#include "ui/models/disconnectlogmodel.h"

namespace heartline {

DisconnectFilterModel::DisconnectFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(DisconnectLogModel::SortRole);
}

void DisconnectFilterModel::setCauseFilter(const QString &cause)
{
    if (cause == m_cause)
        return;
    m_cause = cause;
    invalidateFilter();
}

bool DisconnectFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_cause.isEmpty()) {
        const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
        if (index.data(DisconnectLogModel::CauseRole).toString() != m_cause)
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace heartline
