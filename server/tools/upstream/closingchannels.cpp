#include "server/tools/upstream/closingchannels.h"

#include "server/tools/upstream/upstreamchannel.h"

namespace heartline {

ClosingChannels::~ClosingChannels()
{
    // The channels are our children and go with us; their destructors end what still runs
    // (a stdio channel kills its group). Nobody is waiting for allClosed() any more.
    for (UpstreamChannel *channel : std::as_const(m_channels))
        channel->disconnect(this);
}

void ClosingChannels::adopt(UpstreamChannel *channel)
{
    if (!channel || m_channels.contains(channel))
        return;
    channel->setParent(this);
    m_channels.insert(channel);
    connect(channel, &UpstreamChannel::closed, this, [this, channel]() {
        if (!m_channels.remove(channel))
            return;
        channel->disconnect(this);
        // Possibly inside the channel's own signal: delete it on the next turn.
        channel->deleteLater();
        if (m_channels.isEmpty())
            Q_EMIT allClosed();
    });
}

} // namespace heartline
