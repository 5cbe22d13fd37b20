#pragma once

#include <QTimer>

#include <functional>

namespace heartline {

// Keeps one kind of warning from flooding the log: the first `burst` in a window are logged one
// by one, the rest are only counted, and when the window ends `summarize` is called once with
// how many were left out. A client opening thousands of connections past a cap otherwise writes
// thousands of identical lines a second; the Monitor still has each event with its cause.
class WarningThrottle final
{
    Q_DISABLE_COPY_MOVE(WarningThrottle)

public:
    WarningThrottle(int burst, int windowMs, std::function<void(qint64 leftOut)> summarize);

    // True when this occurrence should be logged in full; false when it was counted instead.
    bool admit();

private:
    void endWindow();

    int m_burst;
    std::function<void(qint64)> m_summarize;
    QTimer m_window;
    int m_admitted = 0;
    qint64 m_leftOut = 0;
};

} // namespace heartline
