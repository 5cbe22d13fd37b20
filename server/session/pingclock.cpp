#include "server/session/pingclock.h"

namespace heartline {

PingClock::Due PingClock::check(qint64 nowMonotonicMs, int intervalMs, int timeoutMs,
                                bool canCarry) const
{
    if (m_sentMs >= 0)
        return nowMonotonicMs - m_sentMs >= timeoutMs ? Due::GiveUp : Due::Nothing;
    if (!canCarry)
        return Due::Nothing;
    if (m_lastMs >= 0 && nowMonotonicMs - m_lastMs < intervalMs)
        return Due::Nothing;
    return Due::Ping;
}

void PingClock::sent(const RequestId &id, qint64 nowMonotonicMs)
{
    m_id = id;
    m_lastMs = nowMonotonicMs;
    m_sentMs = nowMonotonicMs;
}

bool PingClock::answer(const RequestId &id, qint64 nowMonotonicMs)
{
    if (id != m_id || m_sentMs < 0)
        return false;
    m_rttMs = nowMonotonicMs - m_sentMs;
    m_sentMs = -1;
    return true;
}

} // namespace heartline
