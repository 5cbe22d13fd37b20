#pragma once

#include "tests/soak/soakscenario.h"

// The soak's other scenarios, each short and on connections of its own.
namespace heartline::soak {

// A 2026-07-28 subscriptions/listen stream: acknowledged, held a while, then cut.
class ListenStream final : public SoakScenario
{
    Q_OBJECT
public:
    explicit ListenStream(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
};

// A session's standalone GET stream: opened, cut, sometimes resumed, then the session deleted
// under it (the server must end the stream).
class StandaloneStream final : public SoakScenario
{
    Q_OBJECT
public:
    explicit StandaloneStream(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
    void openStream(const QByteArray &resumeFrom);

    QByteArray m_sessionId;
    bool m_resumed = false;
    bool m_deleting = false;
};

// Bytes no client should send: noise, a broken head, bad JSON, Content-Length games, a good
// request with garbage pipelined behind it. Each gets a 4xx or a close, never a 5xx or silence.
class BadBytes final : public SoakScenario
{
    Q_OBJECT
public:
    explicit BadBytes(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
};

// A call whose stream the client stops reading (a small read buffer, nothing taken from it),
// then drops.
class StalledReader final : public SoakScenario
{
    Q_OBJECT
public:
    explicit StalledReader(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
};

// A connection that goes quiet mid-request (the server must time it out) or half-closes after a
// whole request (it must still be answered or closed).
class HalfOpen final : public SoakScenario
{
    Q_OBJECT
public:
    explicit HalfOpen(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
};

// One quick, checked call: echo, stateless at 2026-07-28 or in a session of its own.
class QuickCall final : public SoakScenario
{
    Q_OBJECT
public:
    explicit QuickCall(const SoakContext &context, QObject *parent = nullptr);

private:
    void begin() override;
    // Whether `response` is echo's answer with `message`; fails the scenario when not.
    bool answeredWith(const testing::HttpResponse &response, const QString &message);
};

} // namespace heartline::soak
