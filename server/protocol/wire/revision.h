#pragma once

#include <QList>
#include <QString>

namespace heartline {

// The MCP revisions Heartline speaks, oldest first.
enum class Revision { V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25, V2026_07_28 };

// What differs between revisions, kept in one table so the rest of the code asks a question
// ("does this session take batches?") instead of comparing version strings.
struct RevisionTraits
{
    Revision revision;
    const char *name;
    bool acceptsBatches;           // 2025-03-26 only: MUST accept JSON-RPC batches
    bool hasProtocolVersionHeader; // MCP-Protocol-Version exists from 2025-06-18
    bool sendsPrimingEvent;        // SEP-1699: id + empty data first on SSE (2025-11-25)
    bool allowsEarlyStreamClose;   // SEP-1699 polling: close with retry before the response
    // 2026-07-28: no initialize and no session; every request carries its revision, client
    // capabilities and log level in _meta, results carry resultType and serverInfo, and
    // server-to-client requests become input_required results (MRTR).
    bool stateless;
    bool hasResourceNotFoundCode; // -32002 until 2025-11-25; InvalidParams from 2026-07-28
};

namespace Revisions {

// The newest revision of all, stateless or not.
Revision latest();
// The newest revision an initialize handshake can settle on.
Revision latestWithSessions();
QList<Revision> all();
const RevisionTraits &traits(Revision revision);
QString name(Revision revision);
bool parse(const QString &text, Revision *revision);
// Version negotiation (initialize) never fails: a supported session-based revision is echoed,
// anything else, 2026-07-28 included (it has no initialize), gets latestWithSessions().
Revision negotiate(const QString &requested);
// The revision assumed when a request carries no MCP-Protocol-Version and nothing else tells.
Revision assumedWithoutHeader();
// Every revision we speak, newest first.
QStringList supportedNames();

} // namespace Revisions
} // namespace heartline
