#pragma once

#include "server/api/upstreamstate.h"

#include <QList>
#include <QString>

namespace heartline {

// One tool of an upstream server: the name clients see, the name the upstream gave it (the one
// `disabledTools` in the config file holds) and whether it is switched on.
struct UpstreamToolInfo
{
    QString exposedName;
    QString upstreamName;
    bool enabled = true;
};

// What the window and `heartline ctl servers list` show of one upstream server. A snapshot: it
// holds no pointer into the server. `target` never carries header or environment values, nor a
// URL's user info or query: those may hold secrets, and this goes to screens and terminals.
struct UpstreamInfo
{
    QString name;
    QString description;
    QString importedFrom; // the client file the entry came from, when it was imported
    QString transport;   // "stdio", "http", "sse", or "auto" (Streamable HTTP, falling back to SSE)
    QString target;      // the command line, or the URL
    QStringList envKeys; // the names of the variables set for a stdio server (never values)
    QString cwd;         // a stdio server's working folder; empty: the user's home
    // What the person approves when shown this (UpstreamServerConfig::approvalHash()): an
    // approval is refused when the file's entry no longer hashes to it.
    QString approvalHash;
    UpstreamState state = UpstreamState::Stopped;
    QString stateLabel; // upstreamStateLabel(state), translated
    QString lastError;
    bool enabled = true;
    QList<UpstreamToolInfo> tools; // in the upstream's order, while it serves them
    int restartCount = 0;
    int failuresInRow = 0;
    qint64 pid = 0; // the stdio child's (its process group's) while it runs; 0 otherwise

    int toolCount() const { return int(tools.size()); }
};

} // namespace heartline
