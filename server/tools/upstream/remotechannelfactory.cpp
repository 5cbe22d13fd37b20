#include "server/tools/upstream/remotechannelfactory.h"

#include "server/tools/upstream/fallbackchannel.h"
#include "server/tools/upstream/ssechannel.h"
#include "server/tools/upstream/streamablehttpchannel.h"

#include <QUrl>

namespace heartline {

UpstreamChannel *createRemoteChannel(const UpstreamServerConfig &config, QObject *parent)
{
    const QUrl url(config.url, QUrl::StrictMode);
    switch (config.transport) {
    case UpstreamServerConfig::Transport::StreamableHttp:
        return new StreamableHttpChannel(url, config.headers, {}, parent);
    case UpstreamServerConfig::Transport::Sse:
        return new SseChannel(url, config.headers, RemoteHttp::kMaxMessageBytes, parent);
    case UpstreamServerConfig::Transport::HttpThenSse:
        return new FallbackChannel(url, config.headers, parent);
    case UpstreamServerConfig::Transport::Stdio:
        break;
    }
    return nullptr;
}

} // namespace heartline
