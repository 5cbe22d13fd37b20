#pragma once

#include <QHash>
#include <QString>

namespace heartline::soak {

// What the soak reads of the server under test: from /proc (resident memory, open
// descriptors) and from its /metrics (sessions, streams, how streams ended, disconnects).
struct ServerVitals
{
    qint64 rssKiB = -1;
    int openFds = -1;
    QHash<QString, double> metrics; // "name{label=value}" -> value, as Exposition::byKey names them
    QString error;                  // why /metrics could not be read

    double metric(const QString &key) const { return metrics.value(key, -1); }
    // The sum of every series of a family (heartline_disconnects_total over all causes).
    double familyTotal(const QString &family) const;
};

int openFdCount(qint64 pid);
// /metrics read over a connection of its own; waits in a local event loop, so only between
// the soak's phases.
ServerVitals readVitals(qint64 pid, quint16 port);

} // namespace heartline::soak
