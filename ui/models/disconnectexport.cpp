#include "ui/models/disconnectexport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

QString isoTime(qint64 wallMs)
{
    return QDateTime::fromMSecsSinceEpoch(wallMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString csvField(const QString &text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n')
        && !text.contains(u'\r'))
        return text;
    QString quoted = text;
    quoted.replace(u"\""_s, u"\"\""_s);
    return u'"' + quoted + u'"';
}

} // namespace

QByteArray toCsv(const QList<DisconnectEvent> &events)
{
    QByteArray out = "time,session,stream,client,peer,cause,detail,duration_ms,bytes,heartbeats,"
                     "since_last_write_ms\r\n";
    for (const DisconnectEvent &event : events) {
        const QStringList fields = {isoTime(event.wallMs),
                                    event.sessionId,
                                    event.streamId,
                                    event.clientName,
                                    event.peer,
                                    DisconnectCauses::name(event.cause),
                                    event.detail,
                                    QString::number(event.durationMs),
                                    QString::number(event.bytes),
                                    QString::number(event.heartbeats),
                                    QString::number(event.sinceLastWriteMs)};
        QStringList quoted;
        quoted.reserve(fields.size());
        for (const QString &field : fields)
            quoted.push_back(csvField(field));
        out += quoted.join(u',').toUtf8();
        out += "\r\n";
    }
    return out;
}

QByteArray toJsonLines(const QList<DisconnectEvent> &events)
{
    QByteArray out;
    for (const DisconnectEvent &event : events) {
        const QJsonObject object = {{"time"_L1, isoTime(event.wallMs)},
                                    {"session"_L1, event.sessionId},
                                    {"stream"_L1, event.streamId},
                                    {"client"_L1, event.clientName},
                                    {"peer"_L1, event.peer},
                                    {"cause"_L1, DisconnectCauses::name(event.cause)},
                                    {"detail"_L1, event.detail},
                                    {"durationMs"_L1, event.durationMs},
                                    {"bytes"_L1, qint64(event.bytes)},
                                    {"heartbeats"_L1, qint64(event.heartbeats)},
                                    {"sinceLastWriteMs"_L1, event.sinceLastWriteMs}};
        out += QJsonDocument(object).toJson(QJsonDocument::Compact);
        out += '\n';
    }
    return out;
}

} // namespace heartline
