#pragma once

#include "server/protocol/wire/jsonrpc.h"

#include <QLatin1StringView>
#include <QString>

#include <functional>
#include <vector>

namespace heartline {

// Which revisions a method exists in: the session-based ones (2024-11-05 .. 2025-11-25), the
// stateless 2026-07-28, or both.
enum class MethodEra { WithSessions, Stateless, Both };

struct MethodRow
{
    QLatin1StringView method;
    MethodEra era = MethodEra::Both;
    bool needsInitialize = true;
    QLatin1StringView capability; // the server capability that must be declared, or empty
    std::function<void(const JsonRpcMessage &)> handler;

    bool existsIn(bool stateless) const;
};

// Which method is served to whom, and by which handler. The session and each feature add
// their own rows, so revision differences stay in one table instead of in the handlers.
// Every session has one, so it is a sorted vector searched by halves: a third of the memory of
// a hash with a QString per key, and no slower for twenty rows.
class MethodTable final
{
    Q_DISABLE_COPY_MOVE(MethodTable)

public:
    MethodTable() = default;

    void add(MethodRow row);
    // Gives back the room left over by growth, once every row has been added.
    void squeeze() { m_rows.shrink_to_fit(); }
    // Null for a method no revision knows.
    const MethodRow *find(const QString &method) const;

private:
    std::vector<MethodRow> m_rows; // sorted by method
};

} // namespace heartline
