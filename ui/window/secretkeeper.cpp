#include "ui/window/secretkeeper.h"

#include <QRegularExpression>

#include <memory>

using namespace Qt::StringLiterals;

namespace heartline {

void SecretKeeper::storeAll(const QList<QPair<QString, QString>> &namedValues, QObject *context,
                            AllDone done)
{
    struct Pending
    {
        qsizetype left = 0;
        QStringList kept;
        QString failure;
        AllDone done;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = namedValues.size();
    pending->done = std::move(done);
    if (namedValues.isEmpty()) {
        pending->done({}, {});
        return;
    }
    for (const auto &[name, value] : namedValues) {
        store(name, value, context, [pending, name = name](const Stored &stored) {
            if (stored.ok)
                pending->kept.append(name);
            else if (pending->failure.isEmpty())
                pending->failure = name + u": "_s + stored.error;
            if (--pending->left == 0)
                pending->done(pending->kept, pending->failure);
        });
    }
}

bool SecretKeeper::looksSecret(const QString &name)
{
    static const QRegularExpression credential(
        u"KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH|CREDENTIAL"_s,
        QRegularExpression::CaseInsensitiveOption);
    return credential.match(name).hasMatch();
}

QString SecretKeeper::nameFor(const QString &server, const QString &key)
{
    static const QRegularExpression outside(u"[^A-Za-z0-9._-]"_s);
    QString name = server + u'.' + key;
    name.replace(outside, u"-"_s);
    while (!name.isEmpty() && !name.front().isLetterOrNumber())
        name.remove(0, 1);
    return name.left(128);
}

QString SecretKeeper::reference(const QString &name)
{
    return u"${secret:"_s + name + u'}';
}

bool SecretKeeper::isReference(const QString &value)
{
    static const QRegularExpression whole(u"^\\$\\{secret:[^}]+\\}$"_s);
    return whole.match(value).hasMatch();
}

} // namespace heartline
