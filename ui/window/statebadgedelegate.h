#pragma once

#include "server/api/upstreamstate.h"
#include "ui/models/connectionstate.h"

#include <QStyledItemDelegate>

namespace heartline {

// Paints a connection's or an upstream server's state as a coloured pill, so the state column
// reads at a glance. The text is the cell's display text (the state's label when it has none).
class StateBadgeDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateBadgeDelegate)

public:
    // `stateRole` is the model role holding the ConnectionState or the UpstreamState.
    StateBadgeDelegate(int stateRole, QObject *parent = nullptr);

    // What the badge adds to its text's width (padding and margins, both sides).
    static constexpr int kHorizontalPadding = 2 * (8 + 3);

    static QColor colorFor(ConnectionState state);
    static QColor colorFor(UpstreamState state);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_stateRole;
};

} // namespace heartline
