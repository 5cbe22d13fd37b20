#include "ui/window/appsettings.h"

#include "tests/support/settingvalues.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;

class tst_AppSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void defaultsBeforeAnythingIsSaved();
    void valuesSurviveANewInstance();
    void themeNamesRoundTrip_data();
    void themeNamesRoundTrip();
    void timelineMinutesOutsideTheChoicesFallBack_data();
    void timelineMinutesOutsideTheChoicesFallBack();
    void disabledToolsAreASortedSet();
    void changedNamesTheKeyOnlyWhenTheValueChanges();
    void serverSettingsOverlayOnlyTheirFields();
    void launchValuesThatDifferFromDefaultsWin();
    void explicitFlagsWinEvenAtTheirDefaults();
    void everyWindowSettingSurvivesANewInstance();

private:
    QString path() const { return m_dir->filePath(u"heartline.conf"_s); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_AppSettings::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_AppSettings::defaultsBeforeAnythingIsSaved()
{
    AppSettings settings(path());
    QCOMPARE(settings.filePath(), path());
    QVERIFY(settings.windowGeometry().isEmpty());
    QVERIFY(settings.windowState().isEmpty());
    QCOMPARE(settings.timelineMinutes(), 5);
    QCOMPARE(settings.theme(), AppSettings::Theme::System);
    QVERIFY(settings.disabledTools().isEmpty());
    QVERIFY(!settings.hasServerSettings());
    ServerConfig base;
    base.port = 1234;
    QCOMPARE(settings.serverSettings(base).port, quint16(1234));
    QCOMPARE(settings.mergeIntoLaunchConfig(base).port, quint16(1234));
}

void tst_AppSettings::valuesSurviveANewInstance()
{
    ServerConfig server;
    server.host = u"0.0.0.0"_s;
    server.port = 9123;
    server.heartbeatMs = 2500;
    server.token = u"s3cret"_s;
    server.allowedOrigins = {u"https://a.example"_s, u"https://b.example:8443"_s};
    server.maxConnections = 77;
    server.maxBodyBytes = 123456;
    server.rateLimitPerSecond = 9;
    {
        AppSettings settings(path());
        settings.setWindowGeometry("geometry-bytes");
        settings.setWindowState(QByteArray("\x00\x01state", 7));
        settings.setTimelineMinutes(15);
        settings.setTheme(AppSettings::Theme::Dark);
        settings.setDisabledTools({u"sleep"_s, u"echo"_s});
        settings.setServerSettings(server);
        settings.sync();
    }
    AppSettings again(path());
    QCOMPARE(again.windowGeometry(), QByteArray("geometry-bytes"));
    QCOMPARE(again.windowState(), QByteArray("\x00\x01state", 7));
    QCOMPARE(again.timelineMinutes(), 15);
    QCOMPARE(again.theme(), AppSettings::Theme::Dark);
    QCOMPARE(again.disabledTools(), QStringList({u"echo"_s, u"sleep"_s}));
    QVERIFY(again.hasServerSettings());
    const ServerConfig loaded = again.serverSettings(ServerConfig());
    QCOMPARE(loaded.host, server.host);
    QCOMPARE(loaded.port, server.port);
    QCOMPARE(loaded.heartbeatMs, server.heartbeatMs);
    QCOMPARE(loaded.token, server.token);
    QCOMPARE(loaded.allowedOrigins, server.allowedOrigins);
    QCOMPARE(loaded.maxConnections, server.maxConnections);
    QCOMPARE(loaded.maxBodyBytes, server.maxBodyBytes);
    QCOMPARE(loaded.rateLimitPerSecond, server.rateLimitPerSecond);
}

void tst_AppSettings::themeNamesRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<AppSettings::Theme>("theme");
    QTest::newRow("system") << u"system"_s << AppSettings::Theme::System;
    QTest::newRow("light") << u"light"_s << AppSettings::Theme::Light;
    QTest::newRow("dark") << u"dark"_s << AppSettings::Theme::Dark;
}

void tst_AppSettings::themeNamesRoundTrip()
{
    QFETCH(QString, name);
    QFETCH(AppSettings::Theme, theme);
    QCOMPARE(AppSettings::themeName(theme), name);
    QCOMPARE(AppSettings::themeFromName(name), theme);
    QCOMPARE(AppSettings::themeFromName(u"purple"_s), AppSettings::Theme::System);
}

void tst_AppSettings::timelineMinutesOutsideTheChoicesFallBack_data()
{
    QTest::addColumn<int>("stored");
    QTest::addColumn<int>("read");
    QTest::newRow("1") << 1 << 1;
    QTest::newRow("5") << 5 << 5;
    QTest::newRow("15") << 15 << 15;
    QTest::newRow("0") << 0 << 5;
    QTest::newRow("7") << 7 << 5;
    QTest::newRow("-1") << -1 << 5;
}

void tst_AppSettings::timelineMinutesOutsideTheChoicesFallBack()
{
    QFETCH(int, stored);
    QFETCH(int, read);
    AppSettings settings(path());
    settings.setTimelineMinutes(stored);
    QCOMPARE(settings.timelineMinutes(), read);
}

void tst_AppSettings::disabledToolsAreASortedSet()
{
    AppSettings settings(path());
    settings.setToolDisabled(u"sleep"_s, true);
    settings.setToolDisabled(u"echo"_s, true);
    settings.setToolDisabled(u"echo"_s, true);
    QCOMPARE(settings.disabledTools(), QStringList({u"echo"_s, u"sleep"_s}));
    settings.setToolDisabled(u"sleep"_s, false);
    QCOMPARE(settings.disabledTools(), QStringList({u"echo"_s}));
    settings.setToolDisabled(u"never-disabled"_s, false);
    QCOMPARE(settings.disabledTools(), QStringList({u"echo"_s}));
}

void tst_AppSettings::changedNamesTheKeyOnlyWhenTheValueChanges()
{
    AppSettings settings(path());
    QSignalSpy spy(&settings, &AppSettings::changed);
    settings.setTheme(AppSettings::Theme::Light);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), u"view/theme"_s);
    settings.setTheme(AppSettings::Theme::Light);
    QCOMPARE(spy.count(), 1);
    settings.setTimelineMinutes(1);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), u"timeline/minutes"_s);
    settings.setToolDisabled(u"echo"_s, true);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), u"tools/disabled"_s);

    spy.clear();
    ServerConfig server;
    server.heartbeatMs = 1000;
    settings.setServerSettings(server);
    QVERIFY(!spy.isEmpty());
    QStringList keys;
    for (const QList<QVariant> &arguments : std::as_const(spy))
        keys.append(arguments.at(0).toString());
    QVERIFY2(keys.contains(u"server/heartbeatMs"_s), qPrintable(keys.join(u", "_s)));
    spy.clear();
    settings.setServerSettings(server);
    QCOMPARE(spy.count(), 0);
}

void tst_AppSettings::serverSettingsOverlayOnlyTheirFields()
{
    AppSettings settings(path());
    ServerConfig saved;
    saved.heartbeatMs = 700;
    saved.requestTimeoutMs = 1; // not a field the dialog edits: never stored
    settings.setServerSettings(saved);

    ServerConfig base;
    base.requestTimeoutMs = 4321;
    base.conformance = true;
    const ServerConfig merged = settings.serverSettings(base);
    QCOMPARE(merged.heartbeatMs, 700);
    QCOMPARE(merged.requestTimeoutMs, 4321);
    QVERIFY(merged.conformance);
}

void tst_AppSettings::launchValuesThatDifferFromDefaultsWin()
{
    AppSettings settings(path());
    ServerConfig saved;
    saved.port = 9001;
    saved.heartbeatMs = 700;
    saved.token = u"saved-token"_s;
    settings.setServerSettings(saved);

    ServerConfig launch; // as if only --port 0 had been given
    launch.port = 0;
    const ServerConfig merged = settings.mergeIntoLaunchConfig(launch, {u"port"_s});
    QCOMPARE(merged.port, quint16(0));
    QCOMPARE(merged.heartbeatMs, 700);
    QCOMPARE(merged.token, u"saved-token"_s);
}

// `--host 127.0.0.1 --port 8650` equal the built-in defaults, yet they are what the user asked
// for this run: a saved 0.0.0.0 must not quietly open the server to the network again.
void tst_AppSettings::explicitFlagsWinEvenAtTheirDefaults()
{
    AppSettings settings(path());
    ServerConfig saved;
    saved.host = u"0.0.0.0"_s;
    saved.port = 9001;
    saved.token = u"saved-token"_s;
    settings.setServerSettings(saved);

    const ServerConfig launch;
    const ServerConfig merged = settings.mergeIntoLaunchConfig(launch, {u"host"_s, u"port"_s});
    QCOMPARE(merged.host, u"127.0.0.1"_s);
    QCOMPARE(merged.port, quint16(8650));
    QCOMPARE(merged.token, u"saved-token"_s);
    // Without the flags the saved values apply.
    QCOMPARE(settings.mergeIntoLaunchConfig(launch).host, u"0.0.0.0"_s);
}

// Walks the settings table: every row the window saves comes back from a new instance, and no
// other row is stored.
void tst_AppSettings::everyWindowSettingSurvivesANewInstance()
{
    using namespace heartline::testing;
    {
        AppSettings settings(path());
        settings.setServerSettings(changedConfig([](const SettingSpec &) { return true; }));
        settings.sync();
    }
    AppSettings again(path());
    const ServerConfig restored = again.serverSettings(ServerConfig());
    int saved = 0;
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        const QVariant expected = spec.savedByWindow ? otherValue(spec) : spec.defaultValue;
        QVERIFY2(sameValue(spec, spec.get(restored), expected), qPrintable(spec.key));
        saved += spec.savedByWindow ? 1 : 0;
    }
    QVERIFY(saved >= 13);
}

QTEST_GUILESS_MAIN(tst_AppSettings)
#include "tst_appsettings.moc"
