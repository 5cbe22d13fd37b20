#pragma once

#include "server/tools/upstream/upstreamchannel.h"
#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamsupervisor.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>

#include <memory>

namespace heartline::testing {

// An in-memory UpstreamChannel that a test scripts from the upstream's side: it records every
// message the client sends, and the test answers, notifies, writes diagnostics or closes it.
// open() and close() report on the next turn of the loop, as a real channel would.
//
// With `actAsServer`, it answers initialize (with `serverRevision` and `serverCapabilities`)
// and every list request (empty lists) by itself, so a supervisor test sees a server that
// starts; `failOpen` makes open() end in closed(failReason, false) instead.
class FakeUpstreamChannel final : public UpstreamChannel
{
    Q_OBJECT

public:
    explicit FakeUpstreamChannel(QObject *parent = nullptr);

    void open() override;
    void send(const QJsonObject &message) override;
    void close() override;
    QString describe() const override { return QStringLiteral("fake upstream"); }

    // What the client sent, oldest first.
    QList<QJsonObject> sent;
    int openCount = 0;
    int closeCount = 0;
    bool isOpen() const { return m_open; }

    bool actAsServer = false;
    bool ignorePings = false; // with actAsServer: a server that hangs but keeps its pipe open
    bool failOpen = false;
    QString failReason = QStringLiteral("exited with status 1");
    QString serverRevision = QStringLiteral("2025-11-25");
    QJsonObject serverCapabilities{{QStringLiteral("tools"), QJsonObject()}};

    // The sent requests (with an id) of `method`, oldest first; and the last one.
    QList<QJsonObject> requests(const QString &method) const;
    QJsonObject lastRequest(const QString &method) const;
    // The sent notifications (no id) of `method`, oldest first.
    QList<QJsonObject> notifications(const QString &method) const;

    // From the upstream: a result or error for `request`, a notification, a request, any object.
    void answer(const QJsonObject &request, const QJsonObject &result);
    void answerError(const QJsonObject &request, int code, const QString &message);
    void notifyClient(const QString &method, const QJsonObject &params = {});
    void requestFromServer(const QJsonValue &id, const QString &method,
                           const QJsonObject &params = {});
    void deliver(const QJsonObject &message);
    void writeDiagnostic(const QString &line);
    // The upstream ends on its own (a crash, an exit): closed(reason, false).
    void crash(const QString &reason = QStringLiteral("exited with status 1"));

Q_SIGNALS:
    void messageSent(const QJsonObject &message);

private:
    void answerAsServer(const QJsonObject &message);

    bool m_open = false;
};

// Makes fake channels that act as a well-behaved server unless told to fail, and keeps every
// channel it made so a test can crash the current one (a supervisor's factory).
struct FakeChannelMaker
{
    bool failOpen = false;
    bool ignorePings = false;
    QString failReason = QStringLiteral("exited with status 1");
    QList<QPointer<FakeUpstreamChannel>> made;

    UpstreamSupervisor::ChannelFactory factory();
    FakeUpstreamChannel *current() const { return made.isEmpty() ? nullptr : made.last().data(); }
};

// A client over `channel` (acting as a server; the client owns it) once it is ready; null when
// it was not ready within `timeoutMs`.
std::unique_ptr<UpstreamClient> readyClientOver(FakeUpstreamChannel *channel,
                                                int timeoutMs = 5000);

// A Qt Test case each of whose test functions starts with m_client ready over a fresh fake
// server m_channel (init) and ends with both gone (cleanup).
class ReadyClientTestCase : public QObject
{
    Q_OBJECT

protected:
    FakeUpstreamChannel *m_channel = nullptr;
    std::unique_ptr<UpstreamClient> m_client;

private Q_SLOTS:
    void init();
    void cleanup() { m_client.reset(); }
};

} // namespace heartline::testing
