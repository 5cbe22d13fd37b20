#pragma once

#include <QStyledItemDelegate>

namespace heartline {

// Paints a connection's state ("open", "streaming", "idle", "resuming", "closed") as a
// coloured pill, so the state column reads at a glance.
class StateBadgeDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateBadgeDelegate)

public:
    // `stateRole` is the model role holding the state name.
    StateBadgeDelegate(int stateRole, QObject *parent = nullptr);

    static QColor colorFor(const QString &state);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_stateRole;
};

} // namespace heartline
