#include "ui/window/settingsdialog.h"

#include "server/api/serverconfigschema.h"
#include "server/api/servercontrol.h"
#include "ui/window/appsettings.h"
#include "ui/window/secretkeeper.h"

#include <QCheckBox>
#include <QDebug>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr qint64 kMinuteMs = 60 * 1000;
constexpr qint64 kKiB = 1024;

// A spin box for the setting `key`, in units of `scale` (minutes, KiB): its range, its 0 and its
// tooltip come from the setting's row, so the dialog offers exactly what the server accepts.
// The widget is named after the key and carries its scale (tests compare it with the table).
QSpinBox *spinBox(const QString &key, qint64 scale, const QString &suffix, QWidget *parent)
{
    const SettingSpec &spec = *ServerConfigSchema::find(key);
    auto *box = new QSpinBox(parent);
    box->setObjectName(key);
    box->setProperty("scale", scale);
    const qint64 minimum = (spec.zeroMeans && spec.min > 0) ? 0 : (spec.min + scale - 1) / scale;
    const qint64 maximum = qMin<qint64>(spec.max / scale, std::numeric_limits<int>::max());
    box->setRange(int(minimum), int(maximum));
    if (spec.zeroMeans && minimum == 0)
        box->setSpecialValueText(SettingsDialog::tr(spec.zeroMeans));
    box->setToolTip(spec.helpText());
    box->setSuffix(suffix);
    box->setAccelerated(true);
    return box;
}

QStringList lines(const QPlainTextEdit *edit)
{
    QStringList list;
    for (const QString &line : edit->toPlainText().split(u'\n')) {
        const QString trimmed = line.trimmed();
        if (!trimmed.isEmpty())
            list.append(trimmed);
    }
    return list;
}

} // namespace

SettingsDialog::SettingsDialog(ServerControl *control, AppSettings *settings, QWidget *parent)
    : QDialog(parent)
    , m_control(control)
    , m_settings(settings)
    , m_host(new QLineEdit(this))
    , m_port(spinBox(u"port"_s, 1, {}, this))
    , m_heartbeat(spinBox(u"heartbeatMs"_s, 1, tr(" ms"), this))
    , m_token(new QLineEdit(this))
    , m_showToken(new QCheckBox(tr("Show"), this))
    , m_origins(new QPlainTextEdit(this))
    , m_hosts(new QPlainTextEdit(this))
    , m_idleTimeout(spinBox(u"sessionIdleTimeoutMs"_s, kMinuteMs, tr(" min"), this))
    , m_maxConnections(spinBox(u"maxConnections"_s, 1, {}, this))
    , m_maxPerPeer(spinBox(u"maxConnectionsPerPeer"_s, 1, {}, this))
    , m_maxBodyKib(spinBox(u"maxBodyBytes"_s, kKiB, tr(" KiB"), this))
    , m_rate(spinBox(u"rateLimitPerSecond"_s, 1, tr(" /s"), this))
    , m_burst(spinBox(u"rateLimitBurst"_s, 1, {}, this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Settings"));
    m_host->setObjectName(u"host"_s);
    m_token->setObjectName(u"token"_s);
    m_origins->setObjectName(u"allowedOrigins"_s);
    m_hosts->setObjectName(u"allowedHosts"_s);
    m_error->setObjectName(u"error"_s);

    m_heartbeat->setSingleStep(1000);
    for (QWidget *edit : std::initializer_list<QWidget *>{m_host, m_token, m_origins, m_hosts})
        edit->setToolTip(ServerConfigSchema::find(edit->objectName())->helpText());
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("none: no bearer token required"));
    connect(m_showToken, &QCheckBox::toggled, this, [this](bool show) {
        m_token->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
    });
    m_origins->setPlaceholderText(tr("One origin per line, e.g. https://app.example.com"));
    m_hosts->setPlaceholderText(tr("One host name per line"));
    for (QPlainTextEdit *edit : {m_origins, m_hosts})
        edit->setMaximumHeight(fontMetrics().lineSpacing() * 5);

    auto *server = new QGroupBox(tr("Server"), this);
    auto *serverForm = new QFormLayout(server);
    serverForm->addRow(tr("Host:"), m_host);
    serverForm->addRow(tr("Port:"), m_port);
    serverForm->addRow(tr("Heartbeat:"), m_heartbeat);
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_showToken);
    serverForm->addRow(tr("Bearer token:"), tokenRow);
    serverForm->addRow(tr("Allowed origins:"), m_origins);
    serverForm->addRow(tr("Allowed hosts:"), m_hosts);

    auto *limits = new QGroupBox(tr("Limits"), this);
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->addRow(tr("Session idle timeout:"), m_idleTimeout);
    limitsForm->addRow(tr("Connections:"), m_maxConnections);
    limitsForm->addRow(tr("Connections per peer:"), m_maxPerPeer);
    limitsForm->addRow(tr("Request body:"), m_maxBodyKib);
    limitsForm->addRow(tr("Requests per peer:"), m_rate);
    limitsForm->addRow(tr("Burst:"), m_burst);

    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(server);
    layout->addWidget(limits);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    setConfig(m_control->settings());
}

ServerConfig SettingsDialog::config() const
{
    ServerConfig config = m_base;
    config.host = m_host->text().trimmed();
    config.port = quint16(m_port->value());
    config.heartbeatMs = m_heartbeat->value();
    config.token = m_token->text().trimmed();
    config.allowedOrigins = lines(m_origins);
    config.allowedHosts = lines(m_hosts);
    // Shown rounded (minutes, KiB): only an edited value replaces the exact one.
    if (m_idleTimeout->value() != m_shownIdleMinutes)
        config.sessionIdleTimeoutMs = int(m_idleTimeout->value() * kMinuteMs);
    config.maxConnections = m_maxConnections->value();
    config.maxConnectionsPerPeer = m_maxPerPeer->value();
    if (m_maxBodyKib->value() != m_shownBodyKib)
        config.maxBodyBytes = m_maxBodyKib->value() * kKiB;
    config.rateLimitPerSecond = m_rate->value();
    config.rateLimitBurst = m_burst->value();
    return config;
}

void SettingsDialog::setConfig(const ServerConfig &config)
{
    m_base = config;
    m_host->setText(config.host);
    m_port->setValue(config.port);
    m_heartbeat->setValue(config.heartbeatMs);
    m_token->setText(config.token);
    m_origins->setPlainText(config.allowedOrigins.join(u'\n'));
    m_hosts->setPlainText(config.allowedHosts.join(u'\n'));
    m_idleTimeout->setValue(int(config.sessionIdleTimeoutMs / kMinuteMs));
    m_maxConnections->setValue(config.maxConnections);
    m_maxPerPeer->setValue(config.maxConnectionsPerPeer);
    m_maxBodyKib->setValue(int(qMin<qint64>(config.maxBodyBytes / kKiB, m_maxBodyKib->maximum())));
    m_rate->setValue(config.rateLimitPerSecond);
    m_burst->setValue(config.rateLimitBurst);
    m_shownIdleMinutes = m_idleTimeout->value();
    m_shownBodyKib = m_maxBodyKib->value();
}

bool SettingsDialog::apply()
{
    const ServerConfig wanted = config();
    if (wanted.host.isEmpty()) {
        m_error->setText(tr("The host cannot be empty."));
        m_error->show();
        return false;
    }
    QString error;
    if (!m_control->applySettings(wanted, &error)) {
        m_error->setText(tr("Not applied: %1").arg(error));
        m_error->show();
        return false;
    }
    m_error->hide();
    m_error->clear();
    save(wanted);
    m_base = wanted;
    return true;
}

void SettingsDialog::save(const ServerConfig &applied)
{
    if (!m_secrets || applied.token.isEmpty() || SecretKeeper::isReference(applied.token)) {
        m_settings->setServerSettings(applied);
        return;
    }
    // Saved once the keyring has the token: settings naming a secret that is not there would
    // keep the next start from listening. Where it cannot be kept, it is saved as before.
    const QString name = QString::fromLatin1(kTokenSecret);
    ServerConfig naming = applied;
    naming.token = SecretKeeper::reference(name);
    AppSettings *settings = m_settings;
    m_secrets->store(name, applied.token, settings,
                     [settings, naming, applied](const SecretKeeper::Stored &kept) {
                         if (!kept.ok)
                             qWarning().noquote() << "the token could not be kept as a secret ("
                                                  << kept.error << "); saved in the settings file";
                         settings->setServerSettings(kept.ok ? naming : applied);
                     });
}

QString SettingsDialog::lastError() const
{
    return m_error->text();
}

void SettingsDialog::accept()
{
    if (apply())
        QDialog::accept();
}

} // namespace heartline
