#pragma once

#include "server/api/monitorevents.h"

#include <QByteArray>
#include <QList>

namespace heartline::Readiness {

// /readyz: ready when every enabled upstream server is ready (no upstreams: ready). A
// disabled server is listed but never waited for; degraded (not answering pings), starting,
// crashed, stopped and misconfigured ones are not ready.
bool isReady(const QList<UpstreamStatus> &upstreams);

// {"ready":false,"servers":{"name":{"state":"crashed","error":"..."}}}; "error" only when
// there is one.
QByteArray render(const QList<UpstreamStatus> &upstreams);

} // namespace heartline::Readiness
