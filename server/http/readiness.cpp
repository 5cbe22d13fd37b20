#include "server/http/readiness.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline::Readiness {

bool isReady(const QList<UpstreamStatus> &upstreams)
{
    return std::all_of(upstreams.cbegin(), upstreams.cend(), [](const UpstreamStatus &status) {
        return !status.enabled || status.state == UpstreamState::Ready;
    });
}

QByteArray render(const QList<UpstreamStatus> &upstreams)
{
    QJsonObject servers;
    for (const UpstreamStatus &status : upstreams) {
        QJsonObject server{{"state"_L1, upstreamStateName(status.state)}};
        if (!status.lastError.isEmpty())
            server.insert("error"_L1, status.lastError);
        servers.insert(status.server, server);
    }
    const QJsonObject body{{"ready"_L1, isReady(upstreams)}, {"servers"_L1, servers}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace heartline::Readiness
