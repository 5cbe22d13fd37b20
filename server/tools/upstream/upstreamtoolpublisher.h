#pragma once

#include "server/tools/upstream/exposednames.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

namespace heartline {

class ToolRegistry;
class UpstreamForwarder;

// Puts the tools of every upstream server into the one ToolRegistry clients list, under their
// exposed names, and keeps them there as servers come, re-list, go and are switched. A server's
// tools arriving can rename another server's tool (a new clash), so names are worked out for
// all servers together (ExposedNames) and exactly the tools whose names changed are
// re-registered; the registry coalesces the burst into one list_changed for clients.
class UpstreamToolPublisher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamToolPublisher)

public:
    explicit UpstreamToolPublisher(ToolRegistry *registry, QObject *parent = nullptr);

    // The registry's source label of a server's tools, as the window groups them.
    static QString sourceOf(const QString &server);

    // Replaces what `server` offers with `tools` (its tools/list entries, verbatim), served
    // through `forwarder`; `disabledTools` (upstream names) are registered switched off.
    // Entries that cannot be served (no name, no schema) are skipped and reported.
    void publish(const QString &server, const QList<QJsonObject> &tools,
                 UpstreamForwarder *forwarder, const QStringList &disabledTools);
    // Switches `server`'s tools in place: those in `disabledTools` (upstream names) off, the
    // others on; remembered for its next publish() too. Nothing is re-registered.
    void setDisabledTools(const QString &server, const QStringList &disabledTools);
    // Takes every tool of `server` out of the registry.
    void withdraw(const QString &server);

    // Which upstream tool an exposed name stands for; nullopt for built-in or unknown names.
    std::optional<ExposedNames::Origin> originOf(const QString &exposedName) const
    {
        return m_names.lookup(exposedName);
    }
    QString exposedName(const QString &server, const QString &upstreamName) const
    {
        return m_names.exposedName(server, upstreamName);
    }
    QStringList exposedNamesOf(const QString &server) const { return m_names.exposedNamesOf(server); }

Q_SIGNALS:
    void problem(const QString &server, const QString &message);

private:
    struct Published
    {
        QHash<QString, QJsonObject> entries; // by upstream name
        QPointer<UpstreamForwarder> forwarder;
        QSet<QString> disabled;
    };

    void registerOne(const QString &server, const QString &upstreamName);
    void unregisterOne(const QString &server, const QString &upstreamName);
    static QString keyOf(const QString &server, const QString &upstreamName);

    ToolRegistry *m_registry;
    ExposedNames m_names;
    QHash<QString, Published> m_servers;
    QHash<QString, QString> m_registeredAs; // key(server, upstream name) -> exposed name
};

} // namespace heartline
