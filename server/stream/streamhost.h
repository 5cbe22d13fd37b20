#pragma once

#include "server/stream/ssestream.h"

#include <QByteArray>
#include <QObject>
#include <QString>

namespace heartline {

class PostReply;

// What a PostReply needs of the session it answers for: new logical stream ids, a place in the
// session's event log, and the session's bookkeeping of its streams. McpSession is the one; the
// interface keeps the stream layer from including the session layer above it.
class StreamHost : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamHost)

public:
    using QObject::QObject;
    ~StreamHost() override = default;

    virtual QString sessionId() const = 0;
    // A stateless (2026-07-28) session: its stream is the request, not resumable.
    virtual bool isStateless() const = 0;

    virtual QString newStreamId(StreamKind kind) = 0;
    virtual void registerStream(PostReply *reply, const QString &streamId) = 0;
    // `reply` has answered everything it owed, or given up; it is deleted later.
    virtual void replyFinished(PostReply *reply) = 0;
    // Every stream of the session passes through here: heartbeats, Monitor, bookkeeping.
    virtual void adoptStream(SseStream *stream) = 0;
    // SEP-1699: an id with empty data first, so the client has a cursor to resume from.
    virtual void primeStream(SseStream *stream) = 0;
    // 0 unless long POST streams should be closed early for polling (2025-11-25 and later).
    virtual int pollCloseAfterMs() const = 0;
    // Gives `data` its event id on logical stream `streamId` and keeps it for resumption.
    virtual QByteArray recordEvent(const QString &streamId, const QByteArray &data) = 0;
};

} // namespace heartline
