#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace heartline {

struct SseEvent
{
    QByteArray id;    // empty: no id line
    QByteArray event; // empty: the default "message" type
    QByteArray data;  // may be empty (priming event); newlines become several data lines
    bool hasData = true;
    int retryMs = -1; // negative: no retry line
};

// Server-Sent Events framing (WHATWG) and the HTTP/1.1 chunk framing it travels in.
namespace Sse {

QByteArray event(const SseEvent &event);
// A comment line: every client ignores it, every proxy sees bytes. `text` must hold no newline.
QByteArray comment(QByteArrayView text);
// Empty for an empty payload: a zero-size chunk would be the last chunk.
QByteArray chunk(QByteArrayView payload);
QByteArray lastChunk();

} // namespace Sse
} // namespace heartline
