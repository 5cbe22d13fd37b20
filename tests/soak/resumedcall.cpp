#include "tests/soak/resumedcall.h"

#include "tests/soak/soaktally.h"
#include "tests/support/mcptestsupport.h"

#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace heartline::soak {

namespace {

constexpr int kCallId = 7;

// The revisions whose Streamable HTTP streams resume; a call at each.
constexpr const char *kRevisions[] = {"2025-03-26", "2025-06-18", "2025-11-25"};

// "post3-17" -> 17: the place of an event in its session (EventLog's ids).
bool sequenceOf(const QByteArray &eventId, quint64 *sequence)
{
    const qsizetype dash = eventId.lastIndexOf('-');
    bool ok = false;
    *sequence = eventId.mid(dash + 1).toULongLong(&ok);
    return dash > 0 && ok;
}

} // namespace

ResumedCall::ResumedCall(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"resumed call"_s, parent)
{}

void ResumedCall::begin()
{
    m_revision = kRevisions[randomBetween(0, 2)];
    m_cutsLeft = randomBetween(1, 2);
    openSession(m_revision, [this](const QByteArray &sessionId) {
        m_sessionId = sessionId;
        call();
    });
}

void ResumedCall::call()
{
    setPhase(u"calling sleep"_s);
    ++m_tally.calls;
    ++m_tally.resumableCalls;
    m_progressToken = u"soak-"_s + QString::number(quintptr(this), 16);
    const QJsonObject arguments{{"ms"_L1, randomBetween(300, 1500)},
                                {"progressEveryMs"_L1, randomBetween(20, 80)}};
    const QByteArray body = toolCallBody(kCallId, u"sleep"_s, arguments, m_progressToken);
    const RawHeaders headers =
        postHeaders(m_sessionId, m_revision >= "2025-06-18" ? m_revision : QByteArray());
    auto *client = openClient({});
    connect(client, &RawHttpClient::progressed, this, [this, client, headers, body]() {
        if (hasEnded() || !client->isConnected() || client->requestSentMs() >= 0)
            return;
        client->send("POST", "/mcp", headers, body);
        follow(client);
    });
}

void ResumedCall::follow(RawHttpClient *client)
{
    m_eventsOnConnection = 0;
    // 2025-11-25 primes every stream with an id that is not kept: first on a new stream, after
    // the replay on a resumed one. A cut before it would lose that id (rightly: it carries no
    // event) and read as a gap, so the soak cuts only once it has arrived.
    m_primingAwaited = m_revision >= "2025-11-25";
    m_itemsRead = 0;
    m_eventsBeforeCut = m_cutsLeft > 0 ? randomBetween(1, 6) : -1;
    connect(client, &RawHttpClient::progressed, this, [this, client]() {
        if (hasEnded())
            return;
        readNewItems(client);
        if (hasEnded())
            return;
        if (m_eventsBeforeCut > 0 && m_eventsOnConnection >= m_eventsBeforeCut && !m_primingAwaited
            && m_responses == 0) {
            --m_cutsLeft;
            const bool reset = coinFlip();
            m_history += u" | cut (%1) after %2"_s.arg(reset ? u"RST"_s : u"FIN"_s)
                             .arg(QString::fromLatin1(m_lastEventId));
            cut(client, reset);
            after(randomBetween(0, 250), [this]() { resume(); });
            return;
        }
        const HttpResponse &response = client->response();
        if (response.complete || client->wasDisconnected()) {
            release(client);
            if (response.headComplete && response.status != 200)
                return fail(u"the call's stream was refused: "_s + response.describe());
            streamEnded();
        }
    });
}

void ResumedCall::readNewItems(RawHttpClient *client)
{
    const QList<SseItem> &items = client->response().sse;
    for (; m_itemsRead < items.size(); ++m_itemsRead) {
        const SseItem &item = items.at(m_itemsRead);
        if (!item.isEvent() || !item.hasId)
            continue;
        quint64 sequence = 0;
        if (!sequenceOf(item.id, &sequence))
            return fail(u"an event id of no known form: "_s + QString::fromLatin1(item.id));
        if (m_sequences.contains(sequence)) {
            ++m_tally.duplicates;
            return fail(u"event %1 arrived twice"_s.arg(QString::fromLatin1(item.id)));
        }
        m_sequences.insert(sequence);
        m_lastEventId = item.id;
        m_history +=
            u' ' + QString::fromLatin1(item.id) + (item.data.isEmpty() ? u"(empty)"_s : u""_s);
        ++m_eventsOnConnection;
        if (item.data.isEmpty())
            m_primingAwaited = false;

        const QJsonObject message = item.message();
        if (message.value("method"_L1) == "notifications/progress"_L1) {
            const QJsonObject params = message.value("params"_L1).toObject();
            if (params.value("progressToken"_L1).toString() != m_progressToken)
                return fail(u"progress of another call: "_s + QString::fromUtf8(item.data));
            const double progress = params.value("progress"_L1).toDouble();
            if (progress <= m_lastProgress) {
                ++m_tally.duplicates;
                return fail(u"progress %1 after %2"_s.arg(progress).arg(m_lastProgress));
            }
            m_lastProgress = progress;
            ++m_tally.progressSeen;
        } else if (isFinalResponse(message)) {
            if (message.value("id"_L1) != QJsonValue(kCallId))
                return fail(u"a response of another request: "_s + QString::fromUtf8(item.data));
            if (++m_responses > 1) {
                ++m_tally.duplicates;
                return fail(u"the response arrived twice"_s);
            }
            if (!message.contains("result"_L1))
                return fail(u"the call failed: "_s + QString::fromUtf8(item.data));
        }
    }
}

void ResumedCall::resume()
{
    if (m_lastEventId.isEmpty())
        return fail(u"cut before any event id"_s);
    setPhase(u"resuming after "_s + QString::fromLatin1(m_lastEventId));
    ++m_tally.resumptions;
    m_history += u" | resumed"_s;
    RawHeaders headers =
        getHeaders(m_sessionId, m_revision >= "2025-06-18" ? m_revision : QByteArray());
    headers.append({"Last-Event-ID", m_lastEventId});
    auto *client = openClient({});
    connect(client, &RawHttpClient::progressed, this, [this, client, headers]() {
        if (hasEnded() || !client->isConnected() || client->requestSentMs() >= 0)
            return;
        client->send("GET", "/mcp", headers);
        follow(client);
    });
}

void ResumedCall::streamEnded()
{
    if (m_responses == 0)
        return fail(u"the stream ended without the response (last event %1)"_s.arg(
            QString::fromLatin1(m_lastEventId)));
    // Every place from the first event seen to the response's: none skipped.
    const auto [lowest, highest] = std::minmax_element(m_sequences.cbegin(), m_sequences.cend());
    const quint64 expected = *highest - *lowest + 1;
    if (quint64(m_sequences.size()) != expected) {
        m_tally.losses += expected - quint64(m_sequences.size());
        return fail(u"%1 of events %2..%3 never arrived (%4, events:%5)"_s
                        .arg(expected - m_sequences.size())
                        .arg(*lowest)
                        .arg(*highest)
                        .arg(QString::fromLatin1(m_revision), m_history));
    }
    finish();
}

void ResumedCall::finish()
{
    // Half the sessions are deleted, the others left to expire.
    if (coinFlip())
        deleteSession(m_sessionId, m_revision, [this]() { succeed(); });
    else
        succeed();
}

} // namespace heartline::soak
