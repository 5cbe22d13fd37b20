#include "server/tools/upstream/remotechannel.h"

#include "server/tools/upstream/remotehttp.h"

#include <QNetworkAccessManager>
#include <QTimer>

namespace heartline {

RemoteChannel::RemoteChannel(const QUrl &url, const QHash<QString, QString> &headers,
                             QObject *parent)
    : UpstreamChannel(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_url(url)
    , m_headers(headers)
{
    m_network->setCookieJar(nullptr);
}

RemoteChannel::~RemoteChannel() = default;

QString RemoteChannel::describe() const
{
    return m_url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

bool RemoteChannel::beginRun()
{
    const quint64 run = ++m_run;
    const QString problem = RemoteHttp::urlProblem(m_url);
    if (problem.isEmpty())
        return true;
    QTimer::singleShot(0, this, [this, run, problem]() {
        if (isCurrentRun(run))
            Q_EMIT closed(problem, false);
    });
    return false;
}

QNetworkRequest RemoteChannel::requestTo(const QUrl &target) const
{
    return RemoteHttp::request(target, m_headers);
}

} // namespace heartline
