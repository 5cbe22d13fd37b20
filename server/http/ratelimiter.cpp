#include "server/http/ratelimiter.h"

#include <QList>

#include <algorithm>
#include <cmath>

namespace heartline {

qint64 RateLimiter::Decision::retryAfterSeconds() const
{
    return qMax<qint64>(1, (retryAfterMs + 999) / 1000);
}

RateLimiter::RateLimiter(int perSecond, int burst, int maxPeers)
    : m_perMs(qMax(0, perSecond) / 1000.0)
    , m_burst(qMax(1, burst))
    , m_maxPeers(qMax(1, maxPeers))
    , m_refillMs(m_perMs > 0 ? qint64(std::ceil(m_burst / m_perMs)) : 0)
{}

double RateLimiter::tokensAt(const Bucket &bucket, qint64 nowMs) const
{
    const qint64 elapsed = qMax<qint64>(0, nowMs - bucket.updatedMs);
    return qMin(m_burst, bucket.tokens + double(elapsed) * m_perMs);
}

RateLimiter::Decision RateLimiter::take(const QString &peer, qint64 nowMs)
{
    if (!isEnabled())
        return {};
    // Once per refill period a bucket untouched for the whole period is full again; that is
    // when sweeping the idle ones finds something.
    if (nowMs - m_lastForgetMs >= m_refillMs || m_buckets.size() >= m_maxPeers)
        forgetIdle(nowMs);

    auto found = m_buckets.find(peer);
    if (found == m_buckets.end())
        found = m_buckets.insert(peer, Bucket{m_burst, nowMs});
    Bucket &bucket = found.value();
    bucket.tokens = tokensAt(bucket, nowMs);
    bucket.updatedMs = qMax(bucket.updatedMs, nowMs);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return {};
    }
    return {false, qMax<qint64>(1, qint64(std::ceil((1.0 - bucket.tokens) / m_perMs)))};
}

void RateLimiter::forgetIdle(qint64 nowMs)
{
    m_lastForgetMs = nowMs;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (tokensAt(it.value(), nowMs) >= m_burst)
            it = m_buckets.erase(it);
        else
            ++it;
    }
    if (m_buckets.size() < m_maxPeers)
        return;
    // Still full of active peers (many addresses at once): the least recently seen make
    // room. Forgetting one gives it a full bucket again - the price of bounded memory.
    QList<QPair<qint64, QString>> byAge;
    byAge.reserve(m_buckets.size());
    for (auto it = m_buckets.cbegin(); it != m_buckets.cend(); ++it)
        byAge.append({it.value().updatedMs, it.key()});
    std::sort(byAge.begin(), byAge.end());
    const qsizetype excess = m_buckets.size() - m_maxPeers + qMax(1, m_maxPeers / 10);
    for (qsizetype i = 0; i < excess && i < byAge.size(); ++i)
        m_buckets.remove(byAge.at(i).second);
}

} // namespace heartline
