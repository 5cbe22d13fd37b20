#include "app/secretvault.h"
#include "app/vaultsecretkeeper.h"
#include "server/api/serverconfigschema.h"
#include "server/api/servercontrol.h"
#include "tests/support/keyringtool.h"
#include "ui/window/appsettings.h"
#include "ui/window/settingsdialog.h"

#include <QFile>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

namespace {

// A server that applies what ServerConfig::problem() accepts, as the real one does.
class FakeControl final : public ServerControl
{
public:
    QList<ToolInfo> tools() const override { return {}; }
    bool setToolEnabled(const QString &, bool, QString *) override { return false; }
    QList<SessionInfo> sessions() const override { return {}; }
    bool closeSession(const QString &, QString *) override { return false; }
    QList<UpstreamInfo> upstreams() const override { return {}; }
    bool startUpstream(const QString &, QString *) override { return false; }
    bool stopUpstream(const QString &, QString *) override { return false; }
    bool restartUpstream(const QString &, QString *) override { return false; }
    bool setUpstreamEnabled(const QString &, bool, QString *) override { return false; }
    QStringList upstreamLog(const QString &, QString *) const override { return {}; }
    QList<StreamStats> streamStats() const override { return {}; }
    ServerConfig settings() const override { return m_config; }
    bool applySettings(const ServerConfig &config, QString *error) override
    {
        *error = config.problem();
        if (!error->isEmpty())
            return false;
        m_config = config;
        return true;
    }

private:
    ServerConfig m_config;
};

} // namespace

// The dialog's spin boxes offer the settings table's ranges: nothing the server would refuse,
// nothing it accepts left out.
class tst_SettingsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void spinBoxRangesAreTheTableRanges();
    void everySpinBoxEndIsAccepted();
    void theTokenIsKeptInTheKeyringNotInTheSettingsFile();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppSettings> m_settings;
    FakeControl m_control;
};

void tst_SettingsDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<AppSettings>(m_dir->filePath(u"heartline.conf"_s));
}

void tst_SettingsDialog::spinBoxRangesAreTheTableRanges()
{
    SettingsDialog dialog(&m_control, m_settings.get());
    QStringList shown;
    for (const QSpinBox *box : dialog.findChildren<QSpinBox *>()) {
        const SettingSpec *spec = ServerConfigSchema::find(box->objectName());
        QVERIFY2(spec, qPrintable(box->objectName()));
        QVERIFY2(spec->savedByWindow, qPrintable(spec->key));
        const qint64 scale = box->property("scale").toLongLong();
        QVERIFY(scale >= 1);
        // Shown in units of `scale`: the smallest whole unit the range allows, and 0 when 0 has
        // a meaning ("off") below the range.
        const qint64 minimum =
            (spec->zeroMeans && spec->min > 0) ? 0 : (spec->min + scale - 1) / scale;
        QCOMPARE(qint64(box->minimum()), minimum);
        QCOMPARE(qint64(box->maximum()), spec->max / scale);
        QCOMPARE(box->toolTip(), spec->helpText());
        if (spec->zeroMeans && box->minimum() == 0)
            QVERIFY(!box->specialValueText().isEmpty());
        shown.append(spec->key);
    }
    shown.sort();
    QCOMPARE(shown, QStringList({u"heartbeatMs"_s, u"maxBodyBytes"_s, u"maxConnections"_s,
                                 u"maxConnectionsPerPeer"_s, u"port"_s, u"rateLimitBurst"_s,
                                 u"rateLimitPerSecond"_s, u"sessionIdleTimeoutMs"_s}));
}

void tst_SettingsDialog::everySpinBoxEndIsAccepted()
{
    SettingsDialog dialog(&m_control, m_settings.get());
    for (QSpinBox *box : dialog.findChildren<QSpinBox *>()) {
        for (const int value : {box->minimum(), box->maximum()}) {
            const int before = box->value();
            box->setValue(value);
            QVERIFY2(dialog.apply(),
                     qPrintable(box->objectName() + u" = "_s + QString::number(value) + u": "_s
                                + dialog.lastError()));
            box->setValue(before);
        }
    }
}

// The token applies at once; the settings file names the secret, the keyring holds it.
void tst_SettingsDialog::theTokenIsKeptInTheKeyringNotInTheSettingsFile()
{
    QVERIFY2(onTestKeyring(), "run under tests/support/with_keyring.sh");
    SecretVault vault(m_dir->filePath(u"secrets.json"_s));
    VaultSecretKeeper keeper(&vault, {});
    SettingsDialog dialog(&m_control, m_settings.get());
    dialog.setSecretKeeper(&keeper);
    ServerConfig wanted = dialog.config();
    wanted.token = u"tok-from-the-dialog"_s;
    dialog.setConfig(wanted);
    QVERIFY2(dialog.apply(), qPrintable(dialog.lastError()));
    QCOMPARE(m_control.settings().token, u"tok-from-the-dialog"_s);

    QVERIFY(QTest::qWaitFor([this]() { return m_settings->hasServerSettings(); }, 15000));
    QCOMPARE(m_settings->serverSettings(ServerConfig()).token, u"${secret:heartline.token}"_s);
    QCOMPARE(keyringLookup(u"heartline.token"_s), u"tok-from-the-dialog"_s);
    m_settings->sync();
    QFile saved(m_dir->filePath(u"heartline.conf"_s));
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(!saved.readAll().contains("tok-from-the-dialog"));
}

QTEST_MAIN(tst_SettingsDialog)
#include "tst_settingsdialog.moc"
