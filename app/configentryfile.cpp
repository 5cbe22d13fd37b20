#include "app/configentryfile.h"

#include "server/core/configdocument.h"
#include "server/tools/command/commandtoolconfig.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace heartline {

ConfigEntryFile::ConfigEntryFile(QString path, const QProcessEnvironment &environment)
    : m_path(std::move(path))
    , m_parser(VariableExpander(environment, environment.value(u"HOME"_s, QDir::homePath())))
    , m_expander(environment, environment.value(u"HOME"_s, QDir::homePath()))
{}

bool ConfigEntryFile::saveCommandTool(const QString &name, const QJsonObject &entry, QString *error)
{
    const CommandToolConfig parsed = parseCommandTool(name, entry, m_expander);
    if (!parsed.problem.isEmpty()) {
        *error = parsed.problem;
        return false;
    }
    ConfigDocument document(m_path);
    if (!document.load(error))
        return false;
    if (document.hasCommandTool(name)) {
        *error = u"%1 already has a command tool named '%2'; nothing changed"_s.arg(m_path, name);
        return false;
    }
    document.setCommandTool(name, entry);
    return document.save(error);
}

bool ConfigEntryFile::entry(const QString &name, QJsonObject *entry, QString *error) const
{
    ConfigDocument document(m_path);
    if (!document.load(error))
        return false;
    if (!document.hasServer(name)) {
        *error = u"%1 has no server named '%2'"_s.arg(m_path, name);
        return false;
    }
    *entry = document.server(name);
    return true;
}

bool ConfigEntryFile::save(const QString &name, const QJsonObject &entry,
                           const QString &previousName, QString *error)
{
    // Refused here, where the person can still fix it, rather than by the running instance.
    const UpstreamServerConfig parsed = m_parser.parseEntry(name, entry);
    if (!parsed.problem.isEmpty()) {
        *error = parsed.problem;
        return false;
    }
    ConfigDocument document(m_path);
    if (!document.load(error))
        return false;
    if (name != previousName && document.hasServer(name)) {
        *error = u"%1 already has a server named '%2'; nothing changed"_s.arg(m_path, name);
        return false;
    }
    if (!previousName.isEmpty() && name != previousName)
        document.removeServer(previousName);
    document.setServer(name, approvedEntry(parsed, entry));
    return document.save(error);
}

bool ConfigEntryFile::approve(const QString &name, const QString &shownHash, QString *error)
{
    ConfigDocument document(m_path);
    if (!document.load(error))
        return false;
    if (!document.hasServer(name)) {
        *error = u"%1 has no server named '%2'; nothing changed"_s.arg(m_path, name);
        return false;
    }
    const QJsonObject entry = document.server(name);
    const UpstreamServerConfig parsed = m_parser.parseEntry(name, entry);
    if (!parsed.problem.isEmpty()) {
        *error = parsed.problem;
        return false;
    }
    if (parsed.approvalHash() != shownHash) {
        *error = u"'%1' in %2 no longer runs what you were shown (something else changed it); "
                 "nothing was approved - look at it again"_s.arg(name, m_path);
        return false;
    }
    document.setServer(name, approvedEntry(parsed, entry));
    return document.save(error);
}

bool ConfigEntryFile::remove(const QString &name, QString *error)
{
    ConfigDocument document(m_path);
    if (!document.load(error))
        return false;
    if (!document.removeServer(name)) {
        *error = u"%1 has no server named '%2'; nothing changed"_s.arg(m_path, name);
        return false;
    }
    return document.save(error);
}

} // namespace heartline
