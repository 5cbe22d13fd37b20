#pragma once

#include <QString>

namespace heartline::DisplayFormat {

// How the models spell figures for people; each model also gives the raw value as SortRole.

// "0.4 s ago", "12 s ago", "3 min ago", "2 h ago"; an empty string for "never" (wallMs <= 0).
QString age(qint64 nowWallMs, qint64 wallMs);
// "850 ms", "3.2 s", "1 min 12 s", "2 h 5 min".
QString duration(qint64 milliseconds);
// "512 B", "1.4 KiB", "3.0 MiB".
QString bytes(qint64 count);
// "12 ms"; an empty string for an unknown figure (negative).
QString milliseconds(qint64 ms);
// Local time of day, "14:03:27" (with the date when it is not today).
QString clock(qint64 wallMs);
// Local time with milliseconds, "14:03:27.412", for the traffic view.
QString preciseClock(qint64 wallMs);

} // namespace heartline::DisplayFormat
