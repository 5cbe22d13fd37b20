#include "server/tools/upstream/upstreamchannelfactory.h"

#include "server/tools/upstream/childenvironment.h"
#include "server/tools/upstream/remotechannelfactory.h"
#include "server/tools/upstream/stdiochannel.h"

namespace heartline {

UpstreamChannel *createUpstreamChannel(const UpstreamServerConfig &config, const QString &path)
{
    if (config.transport != UpstreamServerConfig::Transport::Stdio)
        return createRemoteChannel(config);
    StdioChannel::Options options;
    options.workingDirectory = config.cwd;
    ChildEnvironment environment;
    environment.setPath(path);
    options.environment = environment.forEntry(config.env);
    return new StdioChannel(config.command, config.args, options);
}

} // namespace heartline
