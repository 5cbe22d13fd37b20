#pragma once

#include "server/protocol/wire/jsonrpc.h"

namespace heartline {

// When a session's server ping is due, when the last one has gone unanswered too long, and
// the round trip of the last one answered. Server pings find half-open clients that TCP
// keep-alive would take minutes to notice; the session sends them, this keeps their time.
class PingClock final
{
public:
    enum class Due { Nothing, Ping, GiveUp };

    // `canCarry`: the client holds a stream that would carry a ping. Without one, a ping
    // would wait in a backlog and count a client that merely has no stream open as dead.
    Due check(qint64 nowMonotonicMs, int intervalMs, int timeoutMs, bool canCarry) const;
    void sent(const RequestId &id, qint64 nowMonotonicMs);
    // True when `id` answers the ping in flight; its round trip is then rttMs().
    bool answer(const RequestId &id, qint64 nowMonotonicMs);
    qint64 rttMs() const { return m_rttMs; }

private:
    RequestId m_id;
    qint64 m_sentMs = -1;
    qint64 m_lastMs = -1;
    qint64 m_rttMs = -1;
};

} // namespace heartline
