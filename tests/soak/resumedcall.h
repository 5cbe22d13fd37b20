#pragma once

#include "tests/soak/soakscenario.h"

#include <QSet>

namespace heartline::soak {

// A session's slow tool call (sleep, with progress) whose stream the soak cuts up to twice,
// each time resuming with Last-Event-ID after a pause. The session issues event ids from one
// sequence and nothing else of it speaks during the call, so the events of the call's stream,
// resumed or not, must carry every number from the first to the last exactly once (a
// connection is cut only once its priming event, the one id never replayed, has arrived): a
// number skipped is a loss, one seen twice a duplicate. The progress values only grow and the
// response comes exactly once.
class ResumedCall final : public SoakScenario
{
    Q_OBJECT

public:
    ResumedCall(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
    void call();
    void follow(testing::RawHttpClient *client);
    void readNewItems(testing::RawHttpClient *client);
    void resume();
    void streamEnded();
    void finish();

    QByteArray m_revision;
    QByteArray m_sessionId;
    QString m_progressToken;
    int m_cutsLeft = 0;
    int m_eventsBeforeCut = 0; // events to read on the current connection before cutting it
    int m_eventsOnConnection = 0;
    bool m_primingAwaited = false; // this connection's priming event has not arrived yet
    qsizetype m_itemsRead = 0;
    QByteArray m_lastEventId;
    QSet<quint64> m_sequences;
    double m_lastProgress = -1;
    int m_responses = 0;
    QString m_history; // the ids received, cuts and resumptions: a failure's story
};

} // namespace heartline::soak
