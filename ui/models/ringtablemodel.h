#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace heartline {

// A flat table whose rows form a ring: rows gathered since the last UI tick are appended in
// one insertion, and the oldest shown rows make room for them in one removal first, so views
// see at most two changes per tick however many rows arrived.
class RingTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RingTableModel)

protected:
    explicit RingTableModel(QObject *parent)
        : QAbstractTableModel(parent)
    {}

    // Moves `pending` to the end of `rows`, keeping at most `capacity` rows; `pending` holds
    // no more than `capacity` itself.
    template<typename Row>
    void appendToRing(QList<Row> &rows, QList<Row> &pending, qsizetype capacity)
    {
        if (pending.isEmpty())
            return;
        const qsizetype overflow = qMin(rows.size(), rows.size() + pending.size() - capacity);
        if (overflow > 0) {
            beginRemoveRows({}, 0, int(overflow) - 1);
            rows.remove(0, overflow);
            endRemoveRows();
        }
        const int first = int(rows.size());
        beginInsertRows({}, first, first + int(pending.size()) - 1);
        rows.append(pending);
        pending.clear();
        endInsertRows();
    }
};

} // namespace heartline
