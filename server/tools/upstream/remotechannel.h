#pragma once

#include "server/tools/upstream/upstreamchannel.h"

#include <QHash>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;

namespace heartline {

// What the two remote transports share: the url and the configured headers, a
// QNetworkAccessManager of their own (no cookie jar, nothing shared with another upstream),
// what the window shows of the url, and the check of the url that open() begins with.
class RemoteChannel : public UpstreamChannel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteChannel)

public:
    RemoteChannel(const QUrl &url, const QHash<QString, QString> &headers, QObject *parent);
    ~RemoteChannel() override;

    // The url without user info, query or fragment: a query often carries a key.
    QString describe() const override;

protected:
    // Starts a new run of the channel (timers of an earlier run see isCurrentRun() false).
    // False when the url cannot be used: closed(reason, false) then follows from the event
    // loop, never from inside open().
    bool beginRun();
    quint64 currentRun() const { return m_run; }
    bool isCurrentRun(quint64 run) const { return run == m_run; }

    // A request to `target` with the configured headers (see RemoteHttp::request).
    QNetworkRequest requestTo(const QUrl &target) const;
    QNetworkAccessManager *network() const { return m_network; }
    const QUrl &url() const { return m_url; }

private:
    QNetworkAccessManager *m_network;
    const QUrl m_url;
    const QHash<QString, QString> m_headers;
    quint64 m_run = 0;
};

} // namespace heartline
