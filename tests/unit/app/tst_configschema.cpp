#include "app/configfile.h"
#include "app/configfilesettings.h"
#include "server/api/serverconfigschema.h"
#include "tests/support/servertestmain.h"
#include "tests/support/settingvalues.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

// The settings table drives the config file, ServerConfig::problem() and the sample file: each
// test walks every row, so a setting added to the table is checked everywhere at once.
class tst_ConfigSchema final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFieldIsARowOnce();
    void defaultsAreServerConfigDefaults();
    void sampleListsEveryKeyWithItsDefault();
    void everyKeyRoundTripsThroughTheFile();
    void rangeEndsAreAcceptedAndBeyondRefused_data();
    void rangeEndsAreAcceptedAndBeyondRefused();
    void wrongTypesAreRefusedNamingTheKey_data();
    void wrongTypesAreRefusedNamingTheKey();
    void anotherSectionSitsBesideTheServerSettings();

private:
    // Loads `json` as a config file; the error when it is refused.
    bool load(const QJsonObject &json, ServerConfig *config, QString *error);

    QTemporaryDir m_dir;
    int m_files = 0;
};

bool tst_ConfigSchema::load(const QJsonObject &json, ServerConfig *config, QString *error)
{
    const QString path = m_dir.filePath(u"config-%1.json"_s.arg(++m_files));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.write(QJsonDocument(json).toJson());
    file.close();
    ConfigFileSettings settings{*config, HeadlessLog::Format::Text, {}, {}};
    if (!readConfigFile(path, QProcessEnvironment(), &settings, error))
        return false;
    *config = settings.server;
    return true;
}

void tst_ConfigSchema::everyFieldIsARowOnce()
{
    QStringList keys = ServerConfigSchema::keys();
    QVERIFY(keys.size() >= 26);
    keys.removeDuplicates();
    QCOMPARE(keys.size(), ServerConfigSchema::settings().size());
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        QVERIFY2(spec.help && *spec.help, qPrintable(spec.key));
        QCOMPARE(ServerConfigSchema::find(spec.key), &spec);
    }
    QCOMPARE(ServerConfigSchema::find(u"conformance"_s), nullptr); // a run's choice, not a setting
}

void tst_ConfigSchema::defaultsAreServerConfigDefaults()
{
    const ServerConfig defaults;
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        QVERIFY2(sameValue(spec, spec.get(defaults), spec.defaultValue), qPrintable(spec.key));
        if (spec.type == SettingType::Int)
            QVERIFY2(spec.accepts(spec.defaultValue.toLongLong()), qPrintable(spec.key));
    }
    QVERIFY2(defaults.problem().isEmpty(), qPrintable(defaults.problem()));
}

void tst_ConfigSchema::sampleListsEveryKeyWithItsDefault()
{
    QFile file(QStringLiteral(HEARTLINE_SAMPLE_CONFIG));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject sample = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject defaults = ServerConfigSchema::toJson(ServerConfig());
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        QVERIFY2(sample.contains(spec.key), qPrintable(spec.key));
        QVERIFY2(sample.value(spec.key) == defaults.value(spec.key), qPrintable(spec.key));
    }
    // And nothing else but the app's own keys and the (empty) upstream servers.
    for (const QString &key : sample.keys())
        QVERIFY2(ServerConfigSchema::find(key) || key == "logFormat"_L1 || key == "mcpServers"_L1,
                 qPrintable(key));
}

void tst_ConfigSchema::everyKeyRoundTripsThroughTheFile()
{
    const ServerConfig written = changedConfig([](const SettingSpec &) { return true; });
    ServerConfig read;
    QString error;
    QVERIFY2(load(ServerConfigSchema::toJson(written), &read, &error), qPrintable(error));
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        QVERIFY2(!sameValue(spec, spec.get(read), spec.defaultValue), qPrintable(spec.key));
        QVERIFY2(sameValue(spec, spec.get(read), spec.get(written)), qPrintable(spec.key));
    }
}

void tst_ConfigSchema::rangeEndsAreAcceptedAndBeyondRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<bool>("accepted");

    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        if (spec.type != SettingType::Int)
            continue;
        const QByteArray key = spec.key.toUtf8();
        QTest::addRow("%s min", key.constData()) << spec.key << spec.min << true;
        QTest::addRow("%s max", key.constData()) << spec.key << spec.max << true;
        // Below the range, 0 is allowed when it means something ("off"): then -1 is beyond.
        const qint64 below = (spec.min - 1 == 0 && spec.zeroMeans) ? -1 : spec.min - 1;
        QTest::addRow("%s min-1", key.constData()) << spec.key << below << false;
        QTest::addRow("%s max+1", key.constData()) << spec.key << spec.max + 1 << false;
        if (spec.zeroMeans)
            QTest::addRow("%s 0", key.constData()) << spec.key << qint64(0) << true;
    }
}

void tst_ConfigSchema::rangeEndsAreAcceptedAndBeyondRefused()
{
    QFETCH(QString, key);
    QFETCH(qint64, value);
    QFETCH(bool, accepted);
    const SettingSpec &spec = *ServerConfigSchema::find(key);

    ServerConfig parsed;
    QString error;
    const bool loaded = load(QJsonObject{{key, value}}, &parsed, &error);
    QVERIFY2(loaded == accepted, qPrintable(error));
    if (!accepted)
        QVERIFY2(error.contains(u'"' + key + u'"'), qPrintable(error));

    // problem() applies the same range, wherever the member can hold the value at all (a
    // port of 65536 cannot reach a quint16).
    ServerConfig config;
    spec.set(config, qlonglong(value));
    if (spec.get(config).toLongLong() != value)
        return;
    const QString problem = config.problem();
    QVERIFY2(problem.isEmpty() == accepted, qPrintable(problem));
    if (!accepted)
        QVERIFY2(problem.contains(key), qPrintable(problem));
}

void tst_ConfigSchema::wrongTypesAreRefusedNamingTheKey_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");

    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        const QByteArray key = spec.key.toUtf8();
        QTest::addRow("%s null", key.constData()) << spec.key << QJsonValue(QJsonValue::Null);
        switch (spec.type) {
        case SettingType::Int:
            QTest::addRow("%s string", key.constData()) << spec.key << QJsonValue(u"1"_s);
            QTest::addRow("%s fraction", key.constData()) << spec.key << QJsonValue(spec.max - 0.5);
            // Beyond any integer type (fuzz_config found its cast undefined).
            QTest::addRow("%s 1.6e41", key.constData()) << spec.key << QJsonValue(1.6e41);
            QTest::addRow("%s -1e300", key.constData()) << spec.key << QJsonValue(-1e300);
            break;
        case SettingType::Bool:
            QTest::addRow("%s number", key.constData()) << spec.key << QJsonValue(1);
            break;
        case SettingType::String:
            QTest::addRow("%s number", key.constData()) << spec.key << QJsonValue(42);
            QTest::addRow("%s list", key.constData()) << spec.key << QJsonValue(QJsonArray{u"a"_s});
            break;
        case SettingType::StringList:
            QTest::addRow("%s string", key.constData()) << spec.key << QJsonValue(u"a"_s);
            QTest::addRow("%s numbers", key.constData()) << spec.key << QJsonValue(QJsonArray{1});
            break;
        }
    }
}

void tst_ConfigSchema::wrongTypesAreRefusedNamingTheKey()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);

    // A good value beside the bad one: a refused file changes nothing.
    const QString other = key == "postGraceMs"_L1 ? u"retryMs"_s : u"postGraceMs"_s;
    const SettingSpec &otherSpec = *ServerConfigSchema::find(other);
    ServerConfig config;
    QString error;
    QVERIFY(!load(QJsonObject{{key, value}, {other, otherValue(otherSpec).toLongLong()}}, &config,
                  &error));
    QVERIFY2(error.contains(u'"' + key + u'"'), qPrintable(error));
    QVERIFY(sameValue(otherSpec, otherSpec.get(config), otherSpec.defaultValue));
}

// What the upstream servers will do: a section of their own in the same file, read beside the
// server settings, with unknown keys still refused.
void tst_ConfigSchema::anotherSectionSitsBesideTheServerSettings()
{
    ServerConfig server;
    QJsonObject servers;
    ConfigFile file;
    file.addSection({ServerConfigSchema::keys(), [&server](const QJsonObject &json, QString *e) {
                         return ServerConfigSchema::readJson(json, &server, e);
                     }});
    file.addSection({{u"mcpServers"_s}, [&servers](const QJsonObject &json, QString *) {
                         servers = json.value("mcpServers"_L1).toObject();
                         return true;
                     }});
    QVERIFY(file.keys().contains(u"mcpServers"_s));
    QVERIFY(file.keys().contains(u"heartbeatMs"_s));

    const QJsonObject everything{
        {u"heartbeatMs"_s, 20000},
        {u"mcpServers"_s, QJsonObject{{u"files"_s, QJsonObject{{u"command"_s, u"npx"_s}}}}}};
    const QString path = m_dir.filePath(u"sections.json"_s);
    QFile json(path);
    QVERIFY(json.open(QIODevice::WriteOnly));
    json.write(QJsonDocument(everything).toJson());
    json.close();
    QString error;
    QVERIFY2(file.load(path, &error), qPrintable(error));
    QCOMPARE(server.heartbeatMs, 20000);
    QVERIFY(servers.contains(u"files"_s));

    // The app's reader has that section too; a key no section owns is still refused.
    ServerConfig config;
    QVERIFY2(load(everything, &config, &error), qPrintable(error));
    QCOMPARE(config.heartbeatMs, 20000);
    QJsonObject misspelt = everything;
    misspelt.insert(u"mcpServer"_s, QJsonObject());
    QVERIFY(!load(misspelt, &config, &error));
    QVERIFY2(error.contains(u"unknown key \"mcpServer\""_s), qPrintable(error));
}

HEARTLINE_SERVER_TEST_MAIN(tst_ConfigSchema)
#include "tst_configschema.moc"
