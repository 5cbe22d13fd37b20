#pragma once

#include <QString>

namespace heartline::Pagination {

// Cursors are opaque to clients; ours carry the last name of the previous page, so a page
// boundary stays put when tools before it are switched on or off.
QString cursorAfter(const QString &lastName);
// Returns false for anything that is not a cursor we issued.
bool decode(const QString &cursor, QString *lastName);

} // namespace heartline::Pagination
