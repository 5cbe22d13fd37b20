#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// One entry of the config file's `mcpServers`, after ${...} expansion and validation: what the
// host needs to start and serve one upstream MCP server. Claude Desktop's keys plus Heartline's.
struct UpstreamServerConfig
{
    enum class Transport {
        Stdio,          // command + args
        StreamableHttp, // type "http" (also "streamable-http", "streamableHttp")
        Sse,            // type "sse": the legacy HTTP+SSE transport
        HttpThenSse,    // a url without a type: try Streamable HTTP, fall back to SSE
    };
    enum class Instances {
        Shared,     // one process for every downstream session (the default)
        PerSession, // started on a session's first call, stopped with that session
    };
    enum class Restart {
        OnFailure, // restart a crashed server with backoff (the default)
        Never,
    };

    QString name; // the key in mcpServers
    Transport transport = Transport::Stdio;

    // stdio
    QString command;
    QStringList args;
    QHash<QString, QString> env; // added to the allowlisted environment, overriding it
    QString cwd;                 // empty: the user's home folder

    // remote
    QString url;
    QHash<QString, QString> headers;

    // Heartline's own keys
    bool enabled = true;
    QStringList disabledTools; // upstream (original) tool names
    int timeoutMs = 0;         // per call; 0 = none (long calls are what heartbeats are for)
    // From the start to initialize answered and the lists in; 0 = Heartline's default (60 s,
    // room for npx's first download).
    int startTimeoutMs = 0;
    Restart restart = Restart::OnFailure;
    Instances instances = Instances::Shared;
    QString description;
    // The client file the entry was imported from (`importedFrom`), shown beside the server.
    QString importedFrom;
    QStringList roots; // file:// URIs answered to roots/list when the client has none
    // `approved`: the approvalHash() the person said yes to in the window. The host sets
    // awaitingApproval for a stdio entry whose hash differs while approval is required (a
    // window is open); such a server is shown, not started.
    QString approved;
    bool awaitingApproval = false;

    // Set when the entry could not be used as written (an unset ${VAR}, a missing command, a
    // bad url): the one line that says which key and why. Such a server is shown, not started.
    QString problem;

    // Whether a change from `other` needs the server restarted (anything but Heartline's
    // presentation keys: enabled, disabledTools and description apply without a restart).
    bool needsRestartComparedTo(const UpstreamServerConfig &other) const;
    // "sha256:..." of what runs: the command, its arguments, the names of the variables set
    // for it (not their values, which may be secrets or change) and its working folder, as the
    // entry expands now.
    QString approvalHash() const;
    bool operator==(const UpstreamServerConfig &other) const;
    bool operator!=(const UpstreamServerConfig &other) const { return !(*this == other); }
};

// `entry` (a config file's mcpServers entry) with `approved` set to what `parsed` (the same
// entry, read) runs, when it is a program: what a person writes by hand in Heartline (the Add
// dialog, `ctl servers add`) or confirms in the import, they have seen. A remote entry runs
// nothing here and carries no approval.
QJsonObject approvedEntry(const UpstreamServerConfig &parsed, QJsonObject entry);

} // namespace heartline
