#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>

namespace heartline {

// The Add/Edit dialog's "Test": starts a server from an entry as it stands in the dialog, apart
// from the running ones, lists the tools it offers with its stderr meanwhile, and stops it.
// Nothing waits: the answer comes as finished(). The app implements it with the same channels
// and client the hosting uses; a test may give its own.
class ServerProbe : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerProbe)

public:
    struct Result
    {
        bool ok = false;
        QStringList tools; // the upstream's own tool names, in its order
        QString error;     // why it did not get that far
    };

    ~ServerProbe() override = default;

    // Starts a probe of `entry` (an mcpServers entry), ending one still running.
    virtual void start(const QString &name, const QJsonObject &entry) = 0;
    // Ends a running probe without a result (finished() is not emitted); the server is stopped.
    virtual void cancel() = 0;
    virtual bool isRunning() const = 0;

Q_SIGNALS:
    void diagnosticLine(const QString &line);
    void finished(const heartline::ServerProbe::Result &result);

protected:
    explicit ServerProbe(QObject *parent = nullptr)
        : QObject(parent)
    {}
};

} // namespace heartline

Q_DECLARE_METATYPE(heartline::ServerProbe::Result)
