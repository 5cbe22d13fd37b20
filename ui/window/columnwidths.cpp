#include "ui/window/columnwidths.h"

#include <QAbstractItemModel>
#include <QFontMetrics>
#include <QHeaderView>

namespace heartline::ColumnWidths {

namespace {
// A cell's margins, and in the header the sort arrow's room.
constexpr int kCellMargins = 16;
constexpr int kSortIndicator = 22;
} // namespace

void fit(QHeaderView *header, const QList<Sample> &samples)
{
    const QWidget *view = header->parentWidget() ? header->parentWidget() : header;
    const QFontMetrics cells(view->font());
    const QFontMetrics titles(header->font());
    for (const Sample &sample : samples) {
        int width = 0;
        for (const QString &text : sample.texts)
            width = qMax(width, cells.horizontalAdvance(text));
        const QString title =
            header->model() ? header->model()->headerData(sample.column, Qt::Horizontal).toString()
                            : QString();
        header->resizeSection(sample.column,
                              qMax(width + sample.extra + kCellMargins,
                                   titles.horizontalAdvance(title) + kSortIndicator));
    }
}

} // namespace heartline::ColumnWidths
