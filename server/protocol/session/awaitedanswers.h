#pragma once

#include "server/protocol/wire/jsonrpc.h"

#include <QHash>

namespace heartline {

// The requests a feature has handed to a catalog entry that answers later (an upstream
// server's prompt or resource), each with the serial of that use of its id: the client may
// reuse the id of a request it cancelled, and the late answer to the first must not end the
// second.
class AwaitedAnswers final
{
public:
    // Starts waiting for the answer to `id`; the serial names this use of the id.
    quint64 await(const RequestId &id);
    // True exactly once, for an answer still waited for; after that it is not.
    bool claim(const RequestId &id, quint64 serial);
    // Stops waiting (the request was cancelled or ended); false if it was not awaited.
    bool forget(const RequestId &id);
    void clear() { m_serials.clear(); }
    bool isEmpty() const { return m_serials.isEmpty(); }

private:
    QHash<RequestId, quint64> m_serials;
    quint64 m_lastSerial = 0;
};

} // namespace heartline
