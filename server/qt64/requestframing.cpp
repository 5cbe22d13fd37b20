#include "server/qt64/requestframing.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

bool isBlank(char c)
{
    // What QHttpServer skips before a request line (the tail of the previous request).
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
}

bool isTokenChar(char c)
{
    // RFC 9110 tchar, the same set Qt 6.4's header parser accepts in a field name.
    static constexpr QByteArrayView others("!#$%&'*+-.^_`|~");
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || others.contains(c);
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

QString printable(QByteArrayView bytes)
{
    constexpr qsizetype kShown = 40;
    QString text = QString::fromLatin1(bytes.first(qMin(bytes.size(), kShown)));
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            c = u'?';
    }
    return bytes.size() > kShown ? text + u"..."_s : text;
}

} // namespace

RequestFraming::RequestFraming(qint64 maxHeadBytes, qint64 maxBodyBytes)
    : m_maxHeadBytes(maxHeadBytes)
    , m_maxBodyBytes(maxBodyBytes)
{}

RequestFraming::Step RequestFraming::feed(QByteArrayView bytes)
{
    if (m_state == State::Broken)
        return {m_brokenOutcome, 0};
    qsizetype pos = 0;
    Outcome outcome = Outcome::NeedMore;
    while (pos < bytes.size() && outcome == Outcome::NeedMore) {
        const QByteArrayView rest = bytes.sliced(pos);
        switch (m_state) {
        case State::Idle:
            while (pos < bytes.size() && isBlank(bytes.at(pos)))
                ++pos;
            if (pos < bytes.size()) {
                m_state = State::RequestLine;
                m_origin.clear(); // the last request's, kept until this one began
            }
            break;
        case State::RequestLine:
        case State::Headers:
            pos += feedHead(rest, &outcome);
            break;
        case State::Body: {
            const qint64 take = qMin<qint64>(rest.size(), m_bodyRemaining);
            pos += take;
            m_bodyRemaining -= take;
            if (m_bodyRemaining == 0)
                outcome = Outcome::Complete;
            break;
        }
        case State::ChunkSize:
            pos += feedChunkSize(rest, &outcome);
            break;
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(rest.size(), m_bodyRemaining);
            pos += take;
            m_bodyRemaining -= take;
            if (m_bodyRemaining == 0) {
                m_state = State::ChunkDataEnd;
                m_crSeen = false;
            }
            break;
        }
        case State::ChunkDataEnd:
        case State::LastChunk:
            pos += feedLineEnd(rest, &outcome);
            break;
        case State::Broken:
            outcome = m_brokenOutcome;
            break;
        }
    }
    if (outcome == Outcome::Complete)
        reset();
    return {outcome, pos};
}

qsizetype RequestFraming::feedHead(QByteArrayView bytes, Outcome *outcome)
{
    const qsizetype lf = bytes.indexOf('\n');
    const qsizetype take = lf < 0 ? bytes.size() : lf + 1;
    if (m_headBytes + take > m_maxHeadBytes) {
        *outcome = fail(Outcome::HeadTooLarge,
                        u"the request line and headers exceed %1 bytes"_s.arg(m_maxHeadBytes));
        return take;
    }
    m_headBytes += take;
    if (m_state == State::RequestLine) {
        // QHttpServer judges the request line itself; only its size matters here.
        if (lf >= 0)
            m_state = State::Headers;
        return take;
    }
    if (lf < 0) {
        m_line.append(bytes);
        return take;
    }
    // A line that arrived whole is read where it lies.
    QByteArrayView line = bytes.first(lf);
    if (!m_line.isEmpty()) {
        m_line.append(line);
        line = m_line;
    }
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty()) {
        if (endHeaderField(outcome))
            *outcome = endHead();
    } else if (line.front() == ' ' || line.front() == '\t') {
        // An obsolete folded line continues the previous field, as Qt joins it.
        if (m_field == Field::None) {
            *outcome = fail(Outcome::Malformed, u"the header block starts with whitespace"_s);
        } else if (m_field != Field::Other) {
            const QByteArrayView more = line.trimmed();
            if (!more.isEmpty())
                m_fieldValue += m_fieldValue.isEmpty() ? more.toByteArray() : ' ' + more;
        }
    } else if (endHeaderField(outcome)) {
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView name = colon < 0 ? QByteArrayView() : line.first(colon);
        // Qt 6.4 silently drops every header of a request with one bad line (and then
        // misreads its body), so such a request is refused instead.
        if (colon <= 0 || !std::all_of(name.begin(), name.end(), isTokenChar)) {
            *outcome = fail(Outcome::Malformed,
                            u"the header line '%1' is not 'Name: value'"_s.arg(printable(line)));
        } else if (++m_fields > kMaxHeaderFields) {
            *outcome = fail(Outcome::HeadTooLarge,
                            u"the request has more than %1 header fields"_s.arg(kMaxHeaderFields));
        } else {
            const auto is = [name](QByteArrayView wanted) {
                return name.compare(wanted, Qt::CaseInsensitive) == 0;
            };
            m_field = is("content-length")      ? Field::ContentLength
                      : is("transfer-encoding") ? Field::TransferEncoding
                      : is("origin")            ? Field::Origin
                                                : Field::Other;
            if (m_field != Field::Other)
                m_fieldValue = line.sliced(colon + 1).trimmed().toByteArray();
        }
    }
    m_line.clear();
    return take;
}

bool RequestFraming::endHeaderField(Outcome *outcome)
{
    if (m_field == Field::None)
        return true;
    if (m_field == Field::ContentLength) {
        bool ok = false;
        const qulonglong length = m_fieldValue.toULongLong(&ok);
        if (!ok) {
            *outcome = fail(
                Outcome::Malformed,
                u"Content-Length '%1' is not a number of bytes"_s.arg(printable(m_fieldValue)));
            return false;
        }
        // Qt reads the first Content-Length; a second, different one would make another
        // reader of the same bytes frame the request differently.
        const qint64 clamped = length > qulonglong(std::numeric_limits<qint64>::max())
                                   ? std::numeric_limits<qint64>::max()
                                   : qint64(length);
        if (m_haveLength && clamped != m_contentLength) {
            *outcome = fail(Outcome::Malformed, u"the request has two different Content-Length "
                                                "headers"_s);
            return false;
        }
        m_haveLength = true;
        m_contentLength = clamped;
    } else if (m_field == Field::TransferEncoding) {
        if (!m_transferEncoding.isEmpty())
            m_transferEncoding += ", ";
        m_transferEncoding += m_fieldValue;
    } else if (m_field == Field::Origin && m_origin.isEmpty()) {
        m_origin = m_fieldValue;
    }
    m_field = Field::None;
    m_fieldValue.clear();
    return true;
}

RequestFraming::Outcome RequestFraming::endHead()
{
    // Qt's test, kept exactly: any Transfer-Encoding mentioning "chunked" means chunks.
    if (m_transferEncoding.toLower().contains("chunked")) {
        m_state = State::ChunkSize;
        return Outcome::NeedMore;
    }
    if (m_haveLength && m_contentLength > 0) {
        if (m_contentLength > m_maxBodyBytes)
            return fail(Outcome::BodyTooLarge,
                        u"the body (Content-Length: %1) exceeds the limit of %2 bytes"_s
                            .arg(m_contentLength)
                            .arg(m_maxBodyBytes));
        m_state = State::Body;
        m_bodyRemaining = m_contentLength;
        return Outcome::NeedMore;
    }
    return Outcome::Complete;
}

qsizetype RequestFraming::feedChunkSize(QByteArrayView bytes, Outcome *outcome)
{
    const qsizetype lf = bytes.indexOf('\n');
    const qsizetype take = lf < 0 ? bytes.size() : lf + 1;
    if (m_line.size() + take > kMaxChunkSizeLine) {
        *outcome = fail(Outcome::Malformed,
                        u"a chunk size line is longer than %1 bytes"_s.arg(kMaxChunkSizeLine));
        return take;
    }
    m_line.append(bytes.first(lf < 0 ? take : lf));
    if (lf < 0)
        return take;
    // Qt 6.4 ends a chunk size line only at CRLF; a bare LF would leave it buffering
    // everything that follows as one endless size line, behind our back.
    if (!m_line.endsWith('\r')) {
        *outcome = fail(Outcome::Malformed, u"a chunk size line does not end with CRLF"_s);
        return take;
    }
    m_line.chop(1);

    QByteArrayView size(m_line);
    const qsizetype extension = size.indexOf(';');
    if (extension >= 0)
        size.truncate(extension);
    size = size.trimmed();
    if (size.isEmpty()) {
        *outcome = fail(Outcome::Malformed, u"a chunk has no size"_s);
        return take;
    }
    qint64 chunk = 0;
    const qint64 room = m_maxBodyBytes - m_bodyTotal;
    for (const char c : size) {
        const int digit = hexValue(c);
        if (digit < 0) {
            *outcome = fail(Outcome::Malformed,
                            u"the chunk size '%1' is not hexadecimal"_s.arg(printable(size)));
            return take;
        }
        chunk = chunk * 16 + digit;
        if (chunk > room) {
            *outcome = fail(Outcome::BodyTooLarge,
                            u"the chunked body passes the limit of %1 bytes"_s.arg(m_maxBodyBytes));
            return take;
        }
    }
    m_line.clear();
    m_crSeen = false;
    if (chunk == 0) {
        m_state = State::LastChunk;
    } else {
        m_bodyTotal += chunk;
        m_bodyRemaining = chunk;
        m_state = State::ChunkData;
    }
    return take;
}

qsizetype RequestFraming::feedLineEnd(QByteArrayView bytes, Outcome *outcome)
{
    // The CRLF after a chunk's data, or after the last chunk (Qt 6.4 reads no trailer fields).
    const char c = bytes.front();
    if (c == '\r' && !m_crSeen) {
        m_crSeen = true;
        return 1;
    }
    if (c != '\n' || !m_crSeen) {
        // A bare LF is refused too: Qt 6.4 wants CRLF here and would otherwise misframe.
        *outcome = fail(Outcome::Malformed,
                        m_state == State::LastChunk
                            ? u"the last chunk is not followed by CRLF (trailer fields are not "
                              "supported)"_s
                            : u"a chunk's data is not followed by CRLF"_s);
        return 1;
    }
    if (m_state == State::LastChunk)
        *outcome = Outcome::Complete;
    else
        m_state = State::ChunkSize;
    return 1;
}

RequestFraming::Outcome RequestFraming::fail(Outcome outcome, const QString &problem)
{
    m_state = State::Broken;
    m_brokenOutcome = outcome;
    m_problem = problem;
    m_line.clear();
    return outcome;
}

QByteArray RequestFraming::origin() const
{
    // A field is kept when the next line starts; the Origin line may be the last one read.
    if (m_origin.isEmpty() && m_field == Field::Origin)
        return m_fieldValue;
    return m_origin;
}

void RequestFraming::reset()
{
    m_state = State::Idle;
    m_headBytes = 0;
    m_line.clear();
    m_field = Field::None;
    m_fieldValue.clear();
    m_fields = 0;
    m_haveLength = false;
    m_contentLength = 0;
    m_transferEncoding.clear();
    m_bodyRemaining = 0;
    m_bodyTotal = 0;
    m_crSeen = false;
}

} // namespace heartline
