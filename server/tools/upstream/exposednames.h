#pragma once

#include <QHash>
#include <QMap>
#include <QSet>
#include <QString>

#include <optional>

namespace heartline {

// The names clients see for upstream tools and prompts: `<server>__<tool>`, always inside
// ^[A-Za-z0-9_-]{1,64}$ (what the model APIs accept; the spec's 128 and its '.' are refused by
// Anthropic and OpenAI, hosting.md §5.1). Characters outside the set become '_'. A name that is
// too long, or that two origins would share (`a` + `b__c` and `a__b` + `c`, or `get.user` and
// `get_user` of one server), gets a short hash of its origin instead of its tail — for every
// origin involved, so the outcome depends only on which origins are present, never on the order
// they arrived in. Calls are routed by lookup(), never by splitting the name.
class ExposedNames final
{
public:
    static constexpr int kMaxLength = 64;
    static constexpr int kHashLength = 6;

    struct Origin
    {
        QString server;
        QString name; // the tool's or prompt's own name upstream
        bool operator==(const Origin &other) const
        {
            return server == other.server && name == other.name;
        }
    };

    // Names that are taken already (the built-in tools): an origin whose name would be one of
    // them is hashed.
    void reserve(const QSet<QString> &names);

    // Replaces everything `server` offers. Returns every origin (of any server) whose exposed
    // name changed, so the caller re-registers exactly those.
    QList<Origin> setServerNames(const QString &server, const QStringList &names);
    QList<Origin> removeServer(const QString &server) { return setServerNames(server, {}); }

    // The exposed name of an origin, empty when it is not known.
    QString exposedName(const QString &server, const QString &name) const;
    std::optional<Origin> lookup(const QString &exposedName) const;
    QStringList exposedNamesOf(const QString &server) const;

    // The pieces, public for tests and for the window's explanation of a name.
    static QString sanitized(const QString &text);
    static QString candidate(const QString &server, const QString &name);
    static QString hashed(const QString &server, const QString &name);

private:
    void recompute();

    QSet<QString> m_reserved;
    QMap<QString, QStringList> m_namesByServer;   // server -> upstream names, as given
    QHash<QString, QString> m_exposedByKey;       // key(server, name) -> exposed
    QHash<QString, Origin> m_originByExposed;
};

} // namespace heartline
