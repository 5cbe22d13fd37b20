#pragma once

#include "server/api/serverconfig.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace heartline {

class AppSettings;
class SecretKeeper;
class ServerControl;

// The server settings a person changes while it runs: address, heartbeat, token, allowed
// origins and hosts, limits. OK applies them live through ServerControl (a new address re-listens)
// and saves them; a refusal is shown and the dialog stays open. With a SecretKeeper the token is
// saved there (as "heartline.token") and the settings name it: it is never in a settings file.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    SettingsDialog(ServerControl *control, AppSettings *settings, QWidget *parent = nullptr);

    // The secret Heartline's own token is kept as.
    static constexpr const char *kTokenSecret = "heartline.token";
    void setSecretKeeper(SecretKeeper *keeper) { m_secrets = keeper; }

    // The fields shown, over the server's current settings.
    ServerConfig config() const;
    void setConfig(const ServerConfig &config);

    // Applies and saves; false (and the reason shown) when the server refused.
    bool apply();
    QString lastError() const;

    void accept() override;

private:
    void save(const ServerConfig &applied);

    ServerControl *m_control;
    AppSettings *m_settings;
    SecretKeeper *m_secrets = nullptr;
    ServerConfig m_base;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QSpinBox *m_heartbeat;
    QLineEdit *m_token;
    QCheckBox *m_showToken;
    QPlainTextEdit *m_origins;
    QPlainTextEdit *m_hosts;
    QSpinBox *m_idleTimeout;
    QSpinBox *m_maxConnections;
    QSpinBox *m_maxPerPeer;
    QSpinBox *m_maxBodyKib;
    QSpinBox *m_rate;
    QSpinBox *m_burst;
    QLabel *m_error;
    int m_shownIdleMinutes = 0;
    int m_shownBodyKib = 0;
};

} // namespace heartline
