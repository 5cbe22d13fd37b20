#pragma once

#include <QDateTime>
#include <QElapsedTimer>

namespace heartline::Clock {

// Milliseconds on a monotonic clock: for intervals, idle ages and deadlines, never affected
// by the wall clock jumping.
inline qint64 monotonicMs()
{
    static const QElapsedTimer origin = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return origin.elapsed();
}

// Milliseconds since the Unix epoch: for what people read (logs, the GUI).
inline qint64 wallMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace heartline::Clock
