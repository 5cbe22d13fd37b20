#include "server/stream/sseframing.h"

#include <QList>

namespace heartline::Sse {

QByteArray event(const SseEvent &event)
{
    QByteArray out;
    out.reserve(event.data.size() + event.id.size() + event.event.size() + 32);
    if (!event.event.isEmpty())
        out += "event: " + event.event + '\n';
    if (!event.id.isEmpty())
        out += "id: " + event.id + '\n';
    if (event.retryMs >= 0)
        out += "retry: " + QByteArray::number(event.retryMs) + '\n';
    if (event.hasData) {
        // A CR, LF or CRLF inside the payload would end the field early; each line gets its
        // own data: field and the client joins them back with LF.
        QByteArray data = event.data;
        data.replace("\r\n", "\n").replace('\r', '\n');
        for (const QByteArray &line : data.split('\n'))
            out += "data: " + line + '\n';
    }
    out += '\n';
    return out;
}

QByteArray comment(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size() + 4);
    out += ": ";
    out += text;
    out += "\n\n";
    return out;
}

QByteArray chunk(QByteArrayView payload)
{
    // A zero-size chunk is the last chunk: framing an empty payload as one would end the body.
    if (payload.isEmpty())
        return {};
    QByteArray out;
    out.reserve(payload.size() + 12);
    out += QByteArray::number(payload.size(), 16);
    out += "\r\n";
    out += payload;
    out += "\r\n";
    return out;
}

QByteArray lastChunk()
{
    return QByteArrayLiteral("0\r\n\r\n");
}

} // namespace heartline::Sse
