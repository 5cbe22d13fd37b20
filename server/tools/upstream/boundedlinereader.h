#pragma once

#include <QByteArray>

#include <functional>

namespace heartline {

// Splits a byte stream into lines with bounded memory: a line longer than the cap is reported
// once, with its first maxLineBytes bytes, and the rest of it is skipped up to the next newline
// without being kept. An upstream that writes a 100 MB line costs the cap, not 100 MB.
class BoundedLineReader final
{
public:
    using LineHandler = std::function<void(const QByteArray &line)>;
    // `head`: the first maxLineBytes bytes of the overlong line.
    using OverflowHandler = std::function<void(const QByteArray &head)>;

    explicit BoundedLineReader(qsizetype maxLineBytes);

    // Calls onLine for every complete line in `chunk` (without its "\n" or "\r\n") and
    // onOverflow when the line being read passes the cap.
    void append(const QByteArray &chunk, const LineHandler &onLine,
                const OverflowHandler &onOverflow);
    // The unfinished last line, if any (not when it overflowed), and a fresh start.
    QByteArray takeRest();

    qsizetype maxLineBytes() const { return m_maxLineBytes; }
    // Bytes held for the line being read: never more than maxLineBytes().
    qsizetype bufferedBytes() const { return m_line.size(); }
    // The most bufferedBytes() has been since construction.
    qsizetype peakBufferedBytes() const { return m_peak; }

private:
    qsizetype m_maxLineBytes;
    QByteArray m_line;
    bool m_discarding = false;
    qsizetype m_peak = 0;
};

} // namespace heartline
