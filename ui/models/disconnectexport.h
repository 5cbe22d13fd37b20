#pragma once

#include "server/api/monitorevents.h"

#include <QByteArray>
#include <QList>

namespace heartline {

// The disconnect log as files people open elsewhere: CSV (RFC 4180: a header row, CRLF line
// ends, fields with a comma, quote or line break quoted and their quotes doubled) and JSON
// lines (one object per line, LF ends). Times are ISO 8601 UTC with milliseconds.
QByteArray toCsv(const QList<DisconnectEvent> &events);
QByteArray toJsonLines(const QList<DisconnectEvent> &events);

} // namespace heartline
