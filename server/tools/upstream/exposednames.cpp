#include "server/tools/upstream/exposednames.h"

#include <QCryptographicHash>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

QString keyOf(const QString &server, const QString &name)
{
    return server + QChar(0) + name;
}

bool isNameCharacter(QChar c)
{
    return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')
           || c == u'_' || c == u'-';
}

QString base36(QByteArray digest, int length)
{
    static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    QString out;
    for (int i = 0; i < length; ++i)
        out.append(QLatin1Char(kDigits[quint8(digest.at(i)) % 36]));
    return out;
}

} // namespace

QString ExposedNames::sanitized(const QString &text)
{
    QString out = text;
    for (QChar &c : out) {
        if (!isNameCharacter(c))
            c = u'_';
    }
    return out;
}

QString ExposedNames::candidate(const QString &server, const QString &name)
{
    return sanitized(server) + u"__"_s + sanitized(name);
}

QString ExposedNames::hashed(const QString &server, const QString &name)
{
    // The hash is of the origin as written, so two origins that sanitize alike differ here.
    const QByteArray digest = QCryptographicHash::hash(keyOf(server, name).toUtf8(),
                                                       QCryptographicHash::Sha256);
    const QString suffix = u'_' + base36(digest, kHashLength);
    return candidate(server, name).left(kMaxLength - int(suffix.size())) + suffix;
}

void ExposedNames::reserve(const QSet<QString> &names)
{
    m_reserved = names;
    recompute();
}

QList<ExposedNames::Origin> ExposedNames::setServerNames(const QString &server,
                                                         const QStringList &names)
{
    const QHash<QString, QString> before = m_exposedByKey;
    if (names.isEmpty())
        m_namesByServer.remove(server);
    else
        m_namesByServer.insert(server, names);
    recompute();

    QList<Origin> changed;
    for (auto it = m_originByExposed.cbegin(); it != m_originByExposed.cend(); ++it) {
        if (before.value(keyOf(it->server, it->name)) != it.key())
            changed.append(*it);
    }
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (!m_exposedByKey.contains(it.key())) {
            const qsizetype split = it.key().indexOf(QChar(0));
            changed.append({it.key().left(split), it.key().mid(split + 1)});
        }
    }
    return changed;
}

void ExposedNames::recompute()
{
    // Count every candidate first: a clash hashes all of its origins, whoever came first.
    QHash<QString, int> uses;
    for (auto it = m_namesByServer.cbegin(); it != m_namesByServer.cend(); ++it) {
        for (const QString &name : *it)
            ++uses[candidate(it.key(), name)];
    }
    m_exposedByKey.clear();
    m_originByExposed.clear();
    for (auto it = m_namesByServer.cbegin(); it != m_namesByServer.cend(); ++it) {
        for (const QString &name : *it) {
            const QString plain = candidate(it.key(), name);
            const bool clean = plain.size() <= kMaxLength && uses.value(plain) == 1
                               && !m_reserved.contains(plain)
                               && !m_originByExposed.contains(plain);
            QString exposed = clean ? plain : hashed(it.key(), name);
            // Two origins whose hashes meet (or a hash that spells another origin's plain
            // name) are told apart by a counter, in the stable order of the map.
            for (int n = 2; m_originByExposed.contains(exposed) || m_reserved.contains(exposed);
                 ++n) {
                const QString tail = u"_%1"_s.arg(n);
                exposed = hashed(it.key(), name).left(kMaxLength - int(tail.size())) + tail;
            }
            m_exposedByKey.insert(keyOf(it.key(), name), exposed);
            m_originByExposed.insert(exposed, {it.key(), name});
        }
    }
}

QString ExposedNames::exposedName(const QString &server, const QString &name) const
{
    return m_exposedByKey.value(keyOf(server, name));
}

std::optional<ExposedNames::Origin> ExposedNames::lookup(const QString &exposedName) const
{
    const auto it = m_originByExposed.constFind(exposedName);
    if (it == m_originByExposed.cend())
        return std::nullopt;
    return *it;
}

QStringList ExposedNames::exposedNamesOf(const QString &server) const
{
    QStringList out;
    for (const QString &name : m_namesByServer.value(server))
        out.append(exposedName(server, name));
    return out;
}

} // namespace heartline
