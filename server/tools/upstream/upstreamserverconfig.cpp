#include "server/tools/upstream/upstreamserverconfig.h"

#include <QCryptographicHash>

namespace heartline {

bool UpstreamServerConfig::needsRestartComparedTo(const UpstreamServerConfig &other) const
{
    return transport != other.transport || command != other.command || args != other.args
           || env != other.env || cwd != other.cwd || url != other.url || headers != other.headers
           || timeoutMs != other.timeoutMs || startTimeoutMs != other.startTimeoutMs
           || restart != other.restart || instances != other.instances || roots != other.roots
           || problem != other.problem || awaitingApproval != other.awaitingApproval;
}

QJsonObject approvedEntry(const UpstreamServerConfig &parsed, QJsonObject entry)
{
    if (parsed.transport == UpstreamServerConfig::Transport::Stdio)
        entry.insert(QStringLiteral("approved"), parsed.approvalHash());
    else
        entry.remove(QStringLiteral("approved"));
    return entry;
}

QString UpstreamServerConfig::approvalHash() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    // Each part with its length first, so no two different lists hash alike.
    const auto add = [&hash](const QString &part) {
        const QByteArray bytes = part.toUtf8();
        hash.addData(QByteArray(QByteArray::number(bytes.size()) + ':' + bytes));
    };
    add(command);
    add(QString::number(args.size()));
    for (const QString &arg : args)
        add(arg);
    QStringList keys = env.keys();
    keys.sort();
    add(QString::number(keys.size()));
    for (const QString &key : std::as_const(keys))
        add(key);
    add(cwd); // the same command is another program in another folder (./run, node server.js)
    return QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
}

bool UpstreamServerConfig::operator==(const UpstreamServerConfig &other) const
{
    return name == other.name && !needsRestartComparedTo(other) && enabled == other.enabled
           && disabledTools == other.disabledTools && description == other.description
           && importedFrom == other.importedFrom && approved == other.approved;
}

} // namespace heartline
