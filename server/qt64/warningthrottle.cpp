#include "server/qt64/warningthrottle.h"

namespace heartline {

WarningThrottle::WarningThrottle(int burst, int windowMs,
                                 std::function<void(qint64 leftOut)> summarize)
    : m_burst(burst)
    , m_summarize(std::move(summarize))
{
    m_window.setSingleShot(true);
    m_window.setInterval(windowMs);
    QObject::connect(&m_window, &QTimer::timeout, [this]() { endWindow(); });
}

bool WarningThrottle::admit()
{
    // The window opens with the first warning after a quiet spell, so a lone warning is always
    // logged and a summary always follows the flood it counts.
    if (!m_window.isActive())
        m_window.start();
    if (m_admitted < m_burst) {
        ++m_admitted;
        return true;
    }
    ++m_leftOut;
    return false;
}

void WarningThrottle::endWindow()
{
    const qint64 leftOut = m_leftOut;
    m_admitted = 0;
    m_leftOut = 0;
    if (leftOut > 0) {
        // Still flooding: the next window starts now, so the count covers every warning once.
        m_window.start();
        m_summarize(leftOut);
    }
}

} // namespace heartline
