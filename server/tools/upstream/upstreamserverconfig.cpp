#include "server/tools/upstream/upstreamserverconfig.h"

namespace heartline {

bool UpstreamServerConfig::needsRestartComparedTo(const UpstreamServerConfig &other) const
{
    return transport != other.transport || command != other.command || args != other.args
           || env != other.env || cwd != other.cwd || url != other.url || headers != other.headers
           || timeoutMs != other.timeoutMs || startTimeoutMs != other.startTimeoutMs
           || restart != other.restart || instances != other.instances || roots != other.roots
           || problem != other.problem;
}

bool UpstreamServerConfig::operator==(const UpstreamServerConfig &other) const
{
    return name == other.name && !needsRestartComparedTo(other) && enabled == other.enabled
           && disabledTools == other.disabledTools && description == other.description
           && importedFrom == other.importedFrom;
}

} // namespace heartline
