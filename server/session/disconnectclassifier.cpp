#include "server/session/disconnectclassifier.h"

using namespace Qt::StringLiterals;

namespace heartline {

DisconnectCause classifyStreamEnd(const StreamEndFacts &facts, const ClassifierSettings &settings,
                                  QString *detail)
{
    if (facts.cause != DisconnectCause::ClientClosed
        && facts.cause != DisconnectCause::ConnectionReset)
        return facts.cause;
    // A subscriptions/listen stream is silent by nature and owes its "response" only when the
    // server ends it: a client closing it is how a subscription normally ends.
    if (facts.listening)
        return facts.cause;
    // A peer that drops a stream silent for longer than the tolerance (a second) while a
    // response is still owed on it is almost never the client (it is waiting for that
    // response) and almost always a proxy's idle timeout: heartbeats are off, or slower than
    // the proxy. Say so, since that is the one thing the user can fix.
    if (facts.silentMs < settings.proxyIdleToleranceMs || !facts.responseOwed)
        return facts.cause;
    const QString silence = QString::number(facts.silentMs / 1000.0, 'f', 1);
    *detail = settings.heartbeatIntervalMs == 0
                  ? u"the peer closed this stream after %1 s of silence while a response was "
                    "still owed; heartbeats are off, so a proxy's idle timeout is the likely "
                    "cause (turn heartbeats on)"_s.arg(silence)
                  : u"the peer closed this stream after %1 s of silence while a response was "
                    "still owed; a proxy that times out sooner than the heartbeat interval of "
                    "%2 ms is the likely cause (lower --heartbeat-ms)"_s.arg(silence)
                        .arg(settings.heartbeatIntervalMs);
    return DisconnectCause::ProxyIdleSuspected;
}

} // namespace heartline
