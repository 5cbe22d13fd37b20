#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"

#ifndef HEARTLINE_MISBEHAVING_UPSTREAM
#error "define HEARTLINE_MISBEHAVING_UPSTREAM (the fixture's path) for this suite"
#endif

namespace heartline::testing {

// The misbehaving-upstream fixture (misbehaving_upstream.cpp) as a stdio entry named `name`,
// with its flags; the suite's target depends on heartline_misbehaving_upstream.
inline UpstreamServerConfig misbehavingUpstream(
    const QString &name, const QStringList &flags = {},
    UpstreamServerConfig::Restart restart = UpstreamServerConfig().restart)
{
    UpstreamServerConfig server;
    server.name = name;
    server.command = QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM);
    server.args = flags;
    server.restart = restart;
    return server;
}

} // namespace heartline::testing
