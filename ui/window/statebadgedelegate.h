#pragma once

#include "ui/models/connectionstate.h"

#include <QStyledItemDelegate>

namespace heartline {

// Paints a connection's state as a coloured pill, so the state column reads at a glance.
class StateBadgeDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateBadgeDelegate)

public:
    // `stateRole` is the model role holding the ConnectionState.
    StateBadgeDelegate(int stateRole, QObject *parent = nullptr);

    static QColor colorFor(ConnectionState state);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_stateRole;
};

} // namespace heartline
