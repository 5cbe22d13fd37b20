#include "server/tools/upstream/ssereader.h"

namespace heartline {

SseReader::SseReader(qsizetype maxEventBytes)
    : m_maxEventBytes(maxEventBytes)
{}

bool SseReader::feed(const QByteArray &bytes, QList<Event> *events)
{
    QByteArray chunk = bytes;
    if (!m_started) {
        static const QByteArray byteOrderMark("\xEF\xBB\xBF");
        m_head.append(bytes);
        if (m_head.size() < byteOrderMark.size() && byteOrderMark.startsWith(m_head))
            return true; // perhaps a byte order mark split across chunks
        m_started = true;
        chunk = m_head.startsWith(byteOrderMark) ? m_head.mid(byteOrderMark.size()) : m_head;
        m_head.clear();
    }
    qsizetype i = 0;
    while (i < chunk.size()) {
        if (m_skipLineFeed) {
            m_skipLineFeed = false;
            if (chunk.at(i) == '\n') {
                ++i;
                continue;
            }
        }
        qsizetype end = i;
        while (end < chunk.size() && chunk.at(end) != '\r' && chunk.at(end) != '\n')
            ++end;
        m_line.append(chunk.constData() + i, end - i);
        if (m_line.size() + m_data.size() > m_maxEventBytes)
            return false;
        if (end == chunk.size())
            break;
        m_skipLineFeed = chunk.at(end) == '\r';
        takeLine(m_line, events);
        m_line.clear();
        i = end + 1;
    }
    return true;
}

void SseReader::takeLine(const QByteArray &line, QList<Event> *events)
{
    if (line.isEmpty()) {
        dispatch(events);
        return;
    }
    if (line.startsWith(':'))
        return;
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_type = value;
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastEventId = value;
    } else if (field == "retry") {
        bool ok = false;
        const int retry = value.toInt(&ok);
        if (ok && retry >= 0)
            m_retryMs = retry;
    }
}

void SseReader::dispatch(QList<Event> *events)
{
    if (m_hasData) {
        Event event;
        if (!m_type.isEmpty())
            event.type = m_type;
        event.data = m_data;
        event.id = m_lastEventId;
        events->append(event);
    }
    m_type.clear();
    m_data.clear();
    m_hasData = false;
}

} // namespace heartline
