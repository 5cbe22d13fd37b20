#pragma once

#include <QString>
#include <QStringList>

namespace heartline {

// Everything the server can be told, with the defaults DESIGN.md fixes. The app fills it from
// the config file and the command line; the server only reads it.
struct ServerConfig
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8650;
    int heartbeatMs = 15000; // 0 = off
    QString token;           // empty = no bearer token required
    int sessionIdleTimeoutMs = 30 * 60 * 1000;
    int postGraceMs = 50;
    QStringList allowedOrigins; // exact origins, beyond the loopback ones always allowed
    QStringList allowedHosts;   // Host header names, beyond loopback and the bound host
    int toolsPageSize = 100;
    qint64 streamHighWaterBytes = 4 * 1024 * 1024;
    int standaloneBacklog = 256; // messages kept for a session while it has no GET stream
    // A run's choice (--conformance), not a setting: neither in the config file nor saved.
    bool conformance = false;

    // Gatekeeper: what one client may ask of the server before it is turned away.
    int maxHeaderBytes = 64 * 1024;        // 431 beyond
    qint64 maxBodyBytes = 4 * 1024 * 1024; // 413 beyond
    int maxConnections = 10000;            // 503 beyond
    int maxConnectionsPerPeer = 4000;      // 503 beyond, per remote address
    int requestTimeoutMs = 10000;          // a request must arrive whole within this
    // A connection that has finished its requests and owes no response is closed after this
    // long without a new one (0 = never): idle clients do not hold connection slots forever.
    int keepAliveTimeoutMs = 60000;
    // Token bucket per peer address: sustained requests per second and burst (0 = off).
    int rateLimitPerSecond = 50;
    int rateLimitBurst = 100;
    bool rateLimitLoopback = false; // loopback peers are the user's own clients
    // Accept the token as ?token= for clients that cannot set headers (it ends up in logs
    // and histories, so it is off unless asked for).
    bool allowTokenInQuery = false;

    // Upstream servers: PATH for their commands taken from the user's login shell, once at
    // start (a host started from a desktop menu lacks ~/.local/bin, nvm, Homebrew: `npx` not
    // found). Off by default: the shell's rc files run.
    bool pathFromLoginShell = false;

    // Resumption: what each session keeps for clients that reconnect with Last-Event-ID.
    int eventLogMaxEvents = 1000;
    qint64 eventLogMaxBytes = 4 * 1024 * 1024;
    int retryMs = 2000;       // the SSE retry: sent before the server closes a stream
    int pollCloseAfterMs = 0; // close long POST streams after this and let clients poll (0 = off)

    // Server pings find half-open peers that TCP keep-alive has not (0 = off).
    int pingIntervalMs = 0;
    int pingTimeoutMs = 10000;

    // Every field but `conformance` and `proxyIdleToleranceMs` is a row of ServerConfigSchema
    // (serverconfigschema.h), which holds its key, range and help; a new field needs a row there.

    // Silence after which a peer closing a stream that owes a response is suspected to be a
    // proxy's idle timeout (proxy_idle_suspected). Not a config-file key: a field tests set to
    // provoke the case without waiting a second.
    int proxyIdleToleranceMs = 1000;

    static constexpr int kMaxHeartbeatMs = 24 * 60 * 60 * 1000;

    // Empty when the server can run with this config; otherwise one line saying what is
    // wrong and how to fix it (the rules of a start: an IP address to listen on, a token off
    // loopback, every number in the range the config file accepts).
    QString problem() const;
    // "localhost" and loopback addresses: the only hosts served without a token.
    static bool isLoopbackHost(const QString &host);
};

} // namespace heartline
