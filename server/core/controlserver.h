#pragma once

#include <QJsonObject>
#include <QLocalServer>
#include <QObject>

class QLocalSocket;

namespace heartline {

class Control;

// Serves the Control facade on a local socket so `heartline ctl` (and tests) can act on a
// running instance. One JSON object per line in, one per line out. The socket lives in the
// user's runtime directory, is readable by the user only, and is named after the HTTP port,
// so instances on different ports never collide.
class ControlServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlServer)

public:
    static constexpr qint64 kMaxLineBytes = 64 * 1024;

    explicit ControlServer(Control *control, QObject *parent = nullptr);

    bool listen(quint16 port, QString *error);
    QString path() const { return m_server.fullServerName(); }
    // Empty (with the reason in `error`) when there is no safe place for it.
    static QString socketPath(quint16 port, QString *error = nullptr);

    // Runs one command; public so the GUI and tests can use the very same dispatch.
    QJsonObject execute(const QJsonObject &command);

Q_SIGNALS:
    // Another `heartline` was started for this port and asked this one to show itself.
    void raiseRequested();

private:
    void handleConnection();
    void handleReadyRead(QLocalSocket *socket);

    Control *m_control;
    QLocalServer m_server;
};

} // namespace heartline
