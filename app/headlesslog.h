#pragma once

#include <QJsonObject>
#include <QObject>

class QIODevice;

namespace heartline {

class Monitor;

// Prints every Monitor event as one line: `text` for people, `json` (JSON lines) for tools.
// This is what --headless shows instead of the window.
//
// Lines are collected and written together once per event-loop turn (or at 64 KiB): a busy
// server reports several events per call and one per heartbeat, and a write() for each line
// was a tenth of its time. Nothing is held longer than the turn that reported it, and the
// destructor writes what is left.
class HeadlessLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeadlessLog)

public:
    enum class Format { Text, Json };

    HeadlessLog(Monitor *monitor, Format format, QIODevice *output, QObject *parent = nullptr);
    ~HeadlessLog() override;

    // Writes the lines collected so far now, instead of at the end of this loop turn.
    void flush();

    static bool parseFormat(const QString &text, Format *format);

private:
    void connectUpstreams(Monitor *monitor);
    void print(const QString &event, const QJsonObject &fields);

    Format m_format;
    QIODevice *m_output;
    QByteArray m_pending;
    bool m_flushQueued = false;
};

} // namespace heartline
