#include "ui/window/livecounts.h"

#include "server/api/monitor.h"
#include "ui/models/uitick.h"

using namespace Qt::StringLiterals;

namespace heartline {

LiveCounts::LiveCounts(Monitor *monitor, UiTick *tick, QObject *parent)
    : QObject(parent)
{
    const MonitorSnapshot snapshot = monitor->snapshot();
    for (const SessionInfo &session : snapshot.sessions)
        m_sessions.insert(session.id);
    for (const StreamInfo &stream : snapshot.streams)
        m_streams.insert(stream.id);
    m_endpoint = snapshot.endpoint;
    m_heartbeatIntervalMs = snapshot.heartbeatIntervalMs;

    connect(monitor, &Monitor::sessionOpened, this, [this](const SessionInfo &session) {
        m_sessions.insert(session.id);
        m_dirty = true;
    });
    connect(monitor, &Monitor::sessionClosed, this, [this](const QString &id) {
        m_sessions.remove(id);
        m_dirty = true;
    });
    connect(monitor, &Monitor::streamOpened, this, [this](const StreamInfo &stream) {
        m_streams.insert(stream.id);
        m_dirty = true;
    });
    connect(monitor, &Monitor::streamClosed, this, [this](const StreamClosedEvent &event) {
        m_streams.remove(event.stream.id);
        m_dirty = true;
    });
    connect(monitor, &Monitor::listening, this, [this](const QString &endpoint, int interval) {
        m_endpoint = endpoint;
        m_heartbeatIntervalMs = interval;
        m_dirty = true;
    });
    connect(monitor, &Monitor::heartbeatIntervalChanged, this, [this](int interval) {
        m_heartbeatIntervalMs = interval;
        m_dirty = true;
    });
    connect(tick, &UiTick::ticked, this, &LiveCounts::handleTick);
}

QString LiveCounts::mcpUrl() const
{
    return m_endpoint.isEmpty() ? QString() : m_endpoint + u"/mcp"_s;
}

void LiveCounts::handleTick()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    Q_EMIT changed();
}

} // namespace heartline
