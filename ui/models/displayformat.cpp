#include "ui/models/displayformat.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace heartline::DisplayFormat {

QString age(qint64 nowWallMs, qint64 wallMs)
{
    if (wallMs <= 0)
        return {};
    return duration(qMax<qint64>(0, nowWallMs - wallMs)) + u" ago"_s;
}

QString duration(qint64 milliseconds)
{
    if (milliseconds < 0)
        return {};
    if (milliseconds < 1000)
        return u"%1 ms"_s.arg(milliseconds);
    if (milliseconds < 10'000)
        return u"%1 s"_s.arg(double(milliseconds) / 1000.0, 0, 'f', 1);
    const qint64 seconds = milliseconds / 1000;
    if (seconds < 60)
        return u"%1 s"_s.arg(seconds);
    if (seconds < 3600)
        return seconds % 60 == 0 || seconds >= 600
                   ? u"%1 min"_s.arg(seconds / 60)
                   : u"%1 min %2 s"_s.arg(seconds / 60).arg(seconds % 60);
    return u"%1 h %2 min"_s.arg(seconds / 3600).arg((seconds % 3600) / 60);
}

QString bytes(qint64 count)
{
    if (count < 1024)
        return u"%1 B"_s.arg(count);
    double value = double(count) / 1024.0;
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return u"%1 %2"_s.arg(value, 0, 'f', 1).arg(QLatin1StringView(units[unit]));
}

QString milliseconds(qint64 ms)
{
    if (ms < 0)
        return {};
    return u"%1 ms"_s.arg(ms);
}

QString clock(qint64 wallMs)
{
    if (wallMs <= 0)
        return {};
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(wallMs);
    if (time.date() == QDate::currentDate())
        return time.toString(u"HH:mm:ss"_s);
    return time.toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

QString preciseClock(qint64 wallMs)
{
    if (wallMs <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(wallMs).toString(u"HH:mm:ss.zzz"_s);
}

} // namespace heartline::DisplayFormat
