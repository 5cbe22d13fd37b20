#pragma once

#include <QList>
#include <QStringList>

class QHeaderView;

namespace heartline::ColumnWidths {

// The longest texts a column can show, and what its delegate adds to them (a badge's padding).
struct Sample
{
    int column = 0;
    QStringList texts;
    int extra = 0;
};

// Sizes each sampled section of `header` for the widest of its texts and for its own title
// (with room for the sort arrow). Measured from those texts, not from the rows: asking
// thousands of rows for their size at every change (ResizeToContents) stalls a window, and a
// column sized to the rows of the moment cuts a value that grows later ("16/…").
void fit(QHeaderView *header, const QList<Sample> &samples);

} // namespace heartline::ColumnWidths
