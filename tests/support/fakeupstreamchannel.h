#pragma once

#include "server/tools/upstream/upstreamchannel.h"

#include <QJsonObject>
#include <QList>
#include <QString>

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

} // namespace heartline::testing
