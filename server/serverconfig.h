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
    bool conformance = false;
};

} // namespace heartline
