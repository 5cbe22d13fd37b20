#include "server/tools/command/commandtoolconfig.h"

#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/configentryreader.h"
#include "server/tools/upstream/variableexpander.h"

#include <algorithm>
#include <iterator>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

const QLatin1String kKeys[] = {
    "description"_L1, "title"_L1,        "command"_L1,        "args"_L1,
    "inputSchema"_L1, "outputSchema"_L1, "annotations"_L1,    "cwd"_L1,
    "env"_L1,         "timeoutMs"_L1,    "maxOutputBytes"_L1,
};

bool isKnownKey(const QString &key)
{
    return std::any_of(std::begin(kKeys), std::end(kKeys),
                       [&key](QLatin1String known) { return key == known; });
}

QStringList knownKeys()
{
    QStringList keys;
    for (QLatin1String key : kKeys)
        keys.append(key);
    return keys;
}

} // namespace

bool CommandToolConfig::operator==(const CommandToolConfig &other) const
{
    return name == other.name && title == other.title && description == other.description
           && command == other.command && writtenArgs == other.writtenArgs && args == other.args
           && inputSchema == other.inputSchema && outputSchema == other.outputSchema
           && annotations == other.annotations && cwd == other.cwd && env == other.env
           && timeoutMs == other.timeoutMs && maxOutputBytes == other.maxOutputBytes
           && problem == other.problem;
}

bool parseCommandTools(const QJsonValue &commandTools, const VariableExpander &expander,
                       QList<CommandToolConfig> *tools, QString *error)
{
    tools->clear();
    if (commandTools.isUndefined())
        return true;
    if (!commandTools.isObject()) {
        *error = u"commandTools: must be an object of tools by name"_s;
        return false;
    }
    const QJsonObject object = commandTools.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        tools->append(parseCommandTool(it.key(), it.value(), expander));
    return true;
}

CommandToolConfig parseCommandTool(const QString &name, const QJsonValue &entry,
                                   const VariableExpander &expander)
{
    CommandToolConfig tool;
    tool.name = name;
    const QString path = u"commandTools."_s + name;
    if (!ToolRegistry::isValidToolName(name)) {
        tool.problem = path
                       + u": a tool name must be 1 to 128 letters, digits, \"_\", \"-\" "
                         "or \".\""_s;
        return tool;
    }
    if (!entry.isObject()) {
        tool.problem = path + u": must be an object"_s;
        return tool;
    }
    const QJsonObject object = entry.toObject();
    // Unlike mcpServers, nothing else writes these entries: an unknown key is a typo
    // ("timeout" for "timeoutMs") that would otherwise be silently without effect.
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!isKnownKey(it.key())) {
            tool.problem =
                u"%1.%2: unknown key (known: %3)"_s.arg(path, it.key(), knownKeys().join(u", "_s));
            return tool;
        }
    }

    ConfigEntryReader reader(object, path, expander);
    reader.text("title"_L1, &tool.title, false);
    reader.text("description"_L1, &tool.description, false);
    if (!reader.has("command"_L1))
        reader.fail(reader.pathOf("command"_L1), u"must be a non-empty string"_s);
    if (reader.text("command"_L1, &tool.command, true) && tool.command.trimmed().isEmpty())
        reader.fail(reader.pathOf("command"_L1), u"must be a non-empty string"_s);
    reader.list("args"_L1, &tool.writtenArgs, false);
    tool.inputSchema = QJsonObject{{"type"_L1, "object"_L1}};
    reader.object("inputSchema"_L1, &tool.inputSchema);
    if (reader.ok() && tool.inputSchema.value("type"_L1) != "object"_L1)
        reader.fail(reader.pathOf("inputSchema"_L1), u"must have \"type\": \"object\""_s);
    if (reader.ok() && tool.inputSchema.contains("properties"_L1)
        && !tool.inputSchema.value("properties"_L1).isObject())
        reader.fail(reader.pathOf("inputSchema"_L1) + u".properties"_s, u"must be an object"_s);
    reader.object("outputSchema"_L1, &tool.outputSchema);
    if (reader.ok() && !tool.outputSchema.isEmpty()
        && tool.outputSchema.value("type"_L1) != "object"_L1)
        reader.fail(reader.pathOf("outputSchema"_L1), u"must have \"type\": \"object\""_s);
    reader.object("annotations"_L1, &tool.annotations);
    reader.text("cwd"_L1, &tool.cwd, true);
    reader.map("env"_L1, &tool.env);
    reader.milliseconds("timeoutMs"_L1, &tool.timeoutMs, 1);
    reader.bytes("maxOutputBytes"_L1, &tool.maxOutputBytes, 1);
    if (reader.ok()) {
        QString problem;
        if (!ArgvTemplate::parse(tool.writtenArgs, tool.inputSchema, expander, &tool.args,
                                 &problem))
            reader.fail(path + u'.' + problem.section(u':', 0, 0),
                        problem.section(u':', 1).trimmed());
    }
    tool.problem = reader.problem();
    return tool;
}

} // namespace heartline
