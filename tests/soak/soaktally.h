#pragma once

#include <QString>
#include <QStringList>

namespace heartline::soak {

// What the soak did and what went wrong, summed over every scenario it ran.
struct SoakTally
{
    quint64 scenarios = 0;
    quint64 connections = 0;
    quint64 calls = 0;          // tools/call requests sent
    quint64 resumableCalls = 0; // calls whose stream the soak cut and resumed
    quint64 cutsReset = 0;      // connections ended with an RST mid-stream
    quint64 cutsClosed = 0;     // ... with a FIN mid-stream
    quint64 resumptions = 0;    // GETs with Last-Event-ID
    quint64 progressSeen = 0;   // progress notifications of resumable calls, each counted once
    quint64 losses = 0;         // events of a resumable call never received (an id skipped)
    quint64 duplicates = 0;     // events or responses received twice
    quint64 listenStreams = 0;  // 2026-07-28 subscriptions/listen streams
    quint64 standaloneStreams = 0;
    quint64 badInputs = 0; // requests of bad bytes, each answered 4xx or closed
    quint64 stalls = 0;    // streams the soak stopped reading
    quint64 halfOpen = 0;  // connections left silent mid-request or half-closed
    quint64 failures = 0;
    QStringList firstFailures; // the first few, in full

    quint64 cutsOnOpenStreams() const { return cutsReset + cutsClosed; }

    void fail(const QString &what)
    {
        ++failures;
        if (firstFailures.size() < 20)
            firstFailures.append(what);
    }
};

} // namespace heartline::soak
