// Last-Event-ID, as a client sends it to resume a stream, against a session's EventLog: the
// first bytes drive what the session sent (events appended on a few streams, the log's bounds
// evicting the oldest), the rest is the id the client claims.
//
// Invariants: an id the log issued decodes back to its own stream and place; an id it did not
// issue is refused or names a stream of this session at a place already reached; what a resume
// replays is on that stream only, after that place, in order; a replay the log cannot make
// whole (events evicted) is refused instead of skipping them.

#include "server/session/eventlog.h"
#include "tests/fuzz/fuzzsupport.h"

using namespace heartline;
using namespace Qt::StringLiterals;

HEARTLINE_FUZZ_INITIALIZE()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const QString prefix = u"s1/"_s;
    EventLog log(prefix, 8, 512);
    const QStringList streams{prefix + u"get1"_s, prefix + u"post7"_s, prefix + u"get12"_s};
    const size_t operations = qMin<size_t>(data[0] % 32, size - 1);
    QList<QPair<QByteArray, EventCursor>> issued;
    for (size_t i = 1; i <= operations; ++i) {
        const QString &stream = streams.at(data[i] % streams.size());
        const QByteArray id = (data[i] & 0x80) ? log.issueId(stream)
                                               : log.append(stream, QByteArray(data[i] % 97, 'd'));
        issued.append({id, EventCursor{stream, 0}});
    }
    const QByteArray claimed = fuzzing::bytes(data + 1 + operations, size - 1 - operations);

    // Every id issued decodes to its stream, each later one further on.
    quint64 previous = 0;
    for (const auto &[id, expected] : std::as_const(issued)) {
        EventCursor cursor;
        if (!log.decode(id, &cursor) || cursor.streamId != expected.streamId
            || cursor.sequence <= previous)
            fuzzing::fail("an issued id does not decode to its own stream and place", id);
        previous = cursor.sequence;
    }

    EventCursor cursor;
    if (!log.decode(claimed, &cursor))
        return 0;
    if (!cursor.streamId.startsWith(prefix) || cursor.sequence > previous)
        fuzzing::fail("a claimed id names another session or a place not reached", claimed);
    if (!log.canReplayAfter(cursor.streamId, cursor.sequence))
        return 0;
    quint64 last = cursor.sequence;
    for (const LoggedEvent &event : log.eventsAfter(cursor.streamId, cursor.sequence)) {
        if (event.streamId != cursor.streamId || event.sequence <= last)
            fuzzing::fail("a replay holds another stream's event or is out of order", claimed);
        last = event.sequence;
    }
    return 0;
}
