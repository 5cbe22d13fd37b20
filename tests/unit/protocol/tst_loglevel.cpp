#include "server/protocol/wire/loglevel.h"

#include <QTest>

using namespace Qt::StringLiterals;
using heartline::LogLevel;
namespace LogLevels = heartline::LogLevels;

class tst_LogLevel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesEveryRfc5424Name_data();
    void parsesEveryRfc5424Name();
    void levelsOrderBySeverity();
    void rejectsUnknownNames_data();
    void rejectsUnknownNames();
};

void tst_LogLevel::parsesEveryRfc5424Name_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<LogLevel>("level");

    QTest::newRow("debug") << u"debug"_s << LogLevel::Debug;
    QTest::newRow("info") << u"info"_s << LogLevel::Info;
    QTest::newRow("notice") << u"notice"_s << LogLevel::Notice;
    QTest::newRow("warning") << u"warning"_s << LogLevel::Warning;
    QTest::newRow("error") << u"error"_s << LogLevel::Error;
    QTest::newRow("critical") << u"critical"_s << LogLevel::Critical;
    QTest::newRow("alert") << u"alert"_s << LogLevel::Alert;
    QTest::newRow("emergency") << u"emergency"_s << LogLevel::Emergency;
}

void tst_LogLevel::parsesEveryRfc5424Name()
{
    QFETCH(QString, name);
    QFETCH(LogLevel, level);

    LogLevel parsed = level == LogLevel::Debug ? LogLevel::Emergency : LogLevel::Debug;
    QVERIFY(LogLevels::parse(name, &parsed));
    QCOMPARE(parsed, level);
    QCOMPARE(LogLevels::name(level), name);
}

void tst_LogLevel::levelsOrderBySeverity()
{
    const QStringList ascending{u"debug"_s, u"info"_s,     u"notice"_s, u"warning"_s,
                                u"error"_s, u"critical"_s, u"alert"_s,  u"emergency"_s};
    LogLevel previous = LogLevel::Debug;
    for (qsizetype i = 0; i < ascending.size(); ++i) {
        LogLevel level;
        QVERIFY(LogLevels::parse(ascending.at(i), &level));
        if (i > 0)
            QVERIFY2(previous < level, qPrintable(ascending.at(i)));
        previous = level;
    }
}

void tst_LogLevel::rejectsUnknownNames_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << u"WARNING"_s;
    QTest::newRow("abbreviation") << u"warn"_s;
    QTest::newRow("syslog number") << u"4"_s;
    QTest::newRow("trailing space") << u"info "_s;
}

void tst_LogLevel::rejectsUnknownNames()
{
    QFETCH(QString, name);

    LogLevel level = LogLevel::Alert;
    QVERIFY(!LogLevels::parse(name, &level));
    QCOMPARE(level, LogLevel::Alert);
}

QTEST_GUILESS_MAIN(tst_LogLevel)
#include "tst_loglevel.moc"
