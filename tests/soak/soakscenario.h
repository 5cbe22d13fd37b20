#pragma once

#include "tests/support/rawhttpclient.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

class QRandomGenerator;
class QTimer;

namespace heartline::soak {

struct SoakTally;

// What every scenario shares: the server's port, the tally, one seeded random generator.
struct SoakContext
{
    quint16 port = 0;
    SoakTally *tally = nullptr;
    QRandomGenerator *random = nullptr;
    int requestTimeoutMs = 0; // the server's: how long a silent, unfinished request may stay
};

// One thing a soak client does to the server, driven only by signals (every scenario of the
// soak shares one event loop, so none may wait in a nested one). It ends once, with finished():
// by succeed(), by fail(), or by its deadline, which fails it as hung in its current phase.
class SoakScenario : public QObject
{
    Q_OBJECT

public:
    SoakScenario(const SoakContext &context, const QString &name, QObject *parent = nullptr);

    void start(int deadlineMs);
    bool hasEnded() const { return m_ended; }

Q_SIGNALS:
    void finished();

protected:
    virtual void begin() = 0;

    void setPhase(const QString &phase) { m_phase = phase; }
    void succeed();
    void fail(const QString &why);

    int randomBetween(int lowest, int highest); // both included
    bool coinFlip() { return randomBetween(0, 1) == 1; }
    // Runs `then` after `ms`, unless the scenario has ended by then.
    void after(int ms, const std::function<void()> &then);

    // A connection of its own, opened in the background; `onProgress` runs on each of its
    // progressed() signals (connected, bytes parsed, disconnected) while the scenario runs.
    testing::RawHttpClient *openClient(const std::function<void()> &onProgress);
    // One request on a fresh connection; `done` gets its response once it is complete, or
    // once the connection ended before (complete == false then).
    void exchange(const QByteArray &method, const testing::RawHeaders &headers,
                  const QByteArray &body,
                  const std::function<void(const testing::HttpResponse &)> &done);
    // initialize at `revision` and notifications/initialized; `opened` gets the session id.
    void openSession(const QByteArray &revision,
                     const std::function<void(const QByteArray &sessionId)> &opened);
    void deleteSession(const QByteArray &sessionId, const QByteArray &revision,
                       const std::function<void()> &then);
    // Lets a client go once its exchange is over: its signals no longer reach the scenario and
    // it is deleted (closing its connection) once control is back in the event loop.
    void release(testing::RawHttpClient *client);
    // Ends `client`'s connection mid-stream the way a crashed client (RST) or a client that
    // gives up (FIN) does, and counts it.
    void cut(testing::RawHttpClient *client, bool reset);

    SoakContext m_context;
    SoakTally &m_tally;

private:
    QString m_name;
    QString m_phase = QStringLiteral("starting");
    QTimer *m_deadline = nullptr;
    bool m_ended = false;
};

} // namespace heartline::soak
