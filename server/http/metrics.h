#pragma once

#include "server/api/monitor.h"

#include <QByteArray>

namespace heartline::Metrics {

// The Prometheus text exposition format (version 0.0.4) of a Monitor snapshot.
QByteArray render(const MonitorSnapshot &snapshot, int toolCount, int enabledToolCount);

} // namespace heartline::Metrics
