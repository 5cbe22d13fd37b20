#include "server/tools/upstream/boundedlinereader.h"

#include <algorithm>

namespace heartline {

BoundedLineReader::BoundedLineReader(qsizetype maxLineBytes)
    : m_maxLineBytes(std::max<qsizetype>(maxLineBytes, 1))
{}

void BoundedLineReader::append(const QByteArray &chunk, const LineHandler &onLine,
                               const OverflowHandler &onOverflow)
{
    qsizetype from = 0;
    while (from < chunk.size()) {
        const qsizetype newline = chunk.indexOf('\n', from);
        const qsizetype end = newline < 0 ? chunk.size() : newline;
        if (!m_discarding) {
            const qsizetype room = m_maxLineBytes - m_line.size();
            const qsizetype take = std::min(end - from, room);
            m_line.append(chunk.constData() + from, take);
            m_peak = std::max(m_peak, m_line.size());
            // More than the cap (not exactly the cap): a line of maxLineBytes is allowed.
            if (end - from > room) {
                m_discarding = true;
                const QByteArray head = std::exchange(m_line, {});
                onOverflow(head);
            }
        }
        if (newline < 0)
            return;
        if (m_discarding) {
            m_discarding = false;
        } else {
            QByteArray line = std::exchange(m_line, {});
            if (line.endsWith('\r'))
                line.chop(1);
            onLine(line);
        }
        from = newline + 1;
    }
}

QByteArray BoundedLineReader::takeRest()
{
    const bool discarded = std::exchange(m_discarding, false);
    QByteArray rest = std::exchange(m_line, {});
    return discarded ? QByteArray() : rest;
}

} // namespace heartline
