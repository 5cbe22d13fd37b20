#pragma once

#include <QMetaType>
#include <QString>

namespace heartline {

// Where one upstream MCP server stands, as the window, `heartline ctl servers list`, /readyz and
// /metrics show it. The supervisor (server/tools/upstream) decides it; the api owns it so that
// ui/ can show it without seeing the server.
enum class UpstreamState {
    Disabled,    // switched off in the config or by hand; not started
    ConfigError, // the config entry cannot be used as written; never started
    Starting,    // process or connection starting, initialize and the lists on their way
    Ready,       // initialized, lists fetched, calls flow
    Degraded,    // ready, but not answering pings
    Crashed,     // ended without being asked to; a restart may be scheduled
    CrashLoop,   // crashed too often in a row; stays down until started by hand
    Stopped,     // stopped by hand, or not started yet
    // A program the person has not yet approved (the window asks before a command's first run,
    // and again when something else changed it); not started.
    AwaitingApproval,
};

// The machine name ("crash_loop"): for logs, ctl output and /metrics labels. Never translated,
// never changed.
QString upstreamStateName(UpstreamState state);
// The inverse of upstreamStateName(); false for anything else.
bool parseUpstreamState(const QString &name, UpstreamState *state);
// What the window shows, translated.
QString upstreamStateLabel(UpstreamState state);

} // namespace heartline

Q_DECLARE_METATYPE(heartline::UpstreamState)
