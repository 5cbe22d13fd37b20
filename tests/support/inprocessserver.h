#pragma once

#include "server/core/heartlineserver.h"

#include <QList>
#include <QObject>
#include <QSignalSpy>

#include <memory>

namespace heartline::testing {

// Loopback on a free port, with the short heartbeat and POST grace the transport tests inject
// so that keep-alives and adaptive replies happen within a test's deadline.
ServerConfig loopbackConfig(int heartbeatMs, int postGraceMs);

// The real server in this process on a free port, with the built-in tools, once the tool
// registry's first (coalesced) list_changed has gone out - so every session a test opens
// starts from a settled tool list and sees only the changes the test makes. Null on failure.
std::unique_ptr<HeartlineServer> startInProcessServer(const ServerConfig &config);

// Deletes the server and everything it deferred, so the next test starts clean.
void stopInProcessServer(std::unique_ptr<HeartlineServer> &server);

// The first argument of every signal `spy` caught, as the value type the signal carries.
template<typename T>
QList<T> firstArguments(const QSignalSpy &spy)
{
    QList<T> values;
    for (const QList<QVariant> &args : spy)
        values.append(args.first().value<T>());
    return values;
}

// The base of every test object whose test functions run against a server of their own: a
// test function (or the suite's init()) starts it, and Qt Test's cleanup() stops it after
// each one. The suite names its configuration once, in its constructor.
class InProcessServerTest : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InProcessServerTest)

public:
    explicit InProcessServerTest(const ServerConfig &config);
    ~InProcessServerTest() override;

private Q_SLOTS:
    void cleanup();

protected:
    // Set m_server and m_port; false when the server did not start.
    bool startServer() { return startServer(m_config); }
    bool startServer(const ServerConfig &config);
    // The suite's configuration, for a test that changes a setting of it.
    const ServerConfig &testConfig() const { return m_config; }
    // What a suite built over the server (models, ticks, windows) goes here, released before
    // the server stops.
    virtual void cleanupBeforeStop() {}

    std::unique_ptr<HeartlineServer> m_server;
    quint16 m_port = 0;

private:
    const ServerConfig m_config;
};

} // namespace heartline::testing
