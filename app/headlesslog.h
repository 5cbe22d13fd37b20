#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QObject>
#include <QString>
#include <QVarLengthArray>

#include <limits>

class QIODevice;

namespace heartline {

class Monitor;

// One `key=value` of a log line: text, a whole number or a flag. Not a QJsonValue: a line is
// printed for every message a server sees, and a QJsonObject per line cost a tenth of a call.
struct LogField
{
    enum class Kind { Text, Number, Flag };

    LogField() = default; // for QVarLengthArray
    LogField(QLatin1StringView name, const QString &value)
        : key(name)
        , text(value)
        , kind(Kind::Text)
    {}
    LogField(QLatin1StringView name, qint64 value)
        : key(name)
        , number(value)
        , kind(Kind::Number)
    {}
    LogField(QLatin1StringView name, int value)
        : LogField(name, qint64(value))
    {}
    LogField(QLatin1StringView name, bool value)
        : key(name)
        , number(value ? 1 : 0)
        , kind(Kind::Flag)
    {}

    QLatin1StringView key;
    QString text;
    qint64 number = 0;
    Kind kind = Kind::Number;
};
using LogFields = QVarLengthArray<LogField, 10>;

// A wall-clock time as the log prints it, UTC ISO 8601 with milliseconds
// ("2026-12-06T04:26:55.975Z"). Formatting a date costs thousands of instructions and a busy
// server logs two lines per call: the date and time are formatted once a second, the
// milliseconds by hand.
class LogTimestamp
{
public:
    const QByteArray &at(qint64 wallMs);

private:
    qint64 m_ms = std::numeric_limits<qint64>::min();
    qint64 m_second = std::numeric_limits<qint64>::min();
    QByteArray m_text;
};

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
    void print(const QString &event, LogFields fields);
    const QByteArray &timestamp();

    Format m_format;
    QIODevice *m_output;
    QByteArray m_pending;
    bool m_flushQueued = false;
    LogTimestamp m_timestamp;
};

} // namespace heartline
