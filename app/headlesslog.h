#pragma once

#include <QJsonObject>
#include <QObject>

class QIODevice;

namespace heartline {

class Monitor;

// Prints every Monitor event as one line: `text` for people, `json` (JSON lines) for tools.
// This is what --headless shows instead of the window.
class HeadlessLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeadlessLog)

public:
    enum class Format { Text, Json };

    HeadlessLog(Monitor *monitor, Format format, QIODevice *output, QObject *parent = nullptr);

    static bool parseFormat(const QString &text, Format *format);

private:
    void connectUpstreams(Monitor *monitor);
    void print(const QString &event, const QJsonObject &fields);

    Format m_format;
    QIODevice *m_output;
};

} // namespace heartline
