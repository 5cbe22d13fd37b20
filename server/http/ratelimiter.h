#pragma once

#include <QHash>
#include <QString>

namespace heartline {

// A token bucket per peer: `burst` requests at once, refilled at `perSecond`. No timers - each
// take() refills the peer's bucket from the time elapsed since its last one - and bounded
// memory: a bucket that has refilled completely is the same as no bucket, so idle peers are
// forgotten, and beyond `maxPeers` the least recently seen go first.
class RateLimiter final
{
public:
    static constexpr int kDefaultMaxPeers = 65536;

    struct Decision
    {
        bool allowed = true;
        qint64 retryAfterMs = 0; // when refused: until the next token
        // Retry-After as HTTP wants it: whole seconds, rounded up, at least 1.
        qint64 retryAfterSeconds() const;
    };

    // perSecond 0 switches the limiter off; a burst below 1 is taken as 1.
    RateLimiter(int perSecond, int burst, int maxPeers = kDefaultMaxPeers);

    bool isEnabled() const { return m_perMs > 0; }
    // Takes one token from `peer`'s bucket at `nowMs` (a monotonic clock).
    Decision take(const QString &peer, qint64 nowMs);
    int trackedPeers() const { return int(m_buckets.size()); }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };

    double tokensAt(const Bucket &bucket, qint64 nowMs) const;
    void forgetIdle(qint64 nowMs);

    double m_perMs;
    double m_burst;
    int m_maxPeers;
    qint64 m_refillMs; // how long an empty bucket takes to fill
    qint64 m_lastForgetMs = 0;
    QHash<QString, Bucket> m_buckets;
};

} // namespace heartline
