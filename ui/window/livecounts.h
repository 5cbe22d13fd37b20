#pragma once

#include <QObject>
#include <QSet>
#include <QString>

namespace heartline {

class Monitor;
class UiTick;

// How many sessions and streams are open and what the server listens on, for the status bar
// and the tray icon. Monitor events only mark it dirty; `changed` comes on the UI tick.
class LiveCounts final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveCounts)

public:
    LiveCounts(Monitor *monitor, UiTick *tick, QObject *parent = nullptr);

    int sessions() const { return int(m_sessions.size()); }
    int streams() const { return int(m_streams.size()); }
    // e.g. http://127.0.0.1:8650 (empty before the server listens).
    QString endpoint() const { return m_endpoint; }
    QString mcpUrl() const;
    int heartbeatIntervalMs() const { return m_heartbeatIntervalMs; }

Q_SIGNALS:
    void changed();

private:
    void handleTick();

    QSet<QString> m_sessions;
    QSet<QString> m_streams;
    QString m_endpoint;
    int m_heartbeatIntervalMs = 0;
    bool m_dirty = true;
};

} // namespace heartline
