#pragma once

#include <QObject>
#include <QSet>

namespace heartline {

class UpstreamChannel;

// Channels whose client is gone but whose transport is still ending: a stdio child between its
// stdin closing and its SIGKILL, a remote session's DELETE in flight. Holding them here rather
// than leaving them parentless is what lets Heartline wait at exit until every child it started
// has been reaped, and still kill what is left (by their destructors) if it is destroyed first.
class ClosingChannels final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClosingChannels)

public:
    using QObject::QObject;
    ~ClosingChannels() override;

    // Takes ownership of a channel that has been or is about to be asked to close; it is
    // deleted once it reports closed().
    void adopt(UpstreamChannel *channel);
    int count() const { return int(m_channels.size()); }

Q_SIGNALS:
    // The last adopted channel has closed.
    void allClosed();

private:
    QSet<UpstreamChannel *> m_channels;
};

} // namespace heartline
