#include "app/configfilesettings.h"

#include "app/configfile.h"
#include "server/api/serverconfigschema.h"
#include "server/protocol/wire/jsontext.h"
#include "server/tools/upstream/upstreamconfigparser.h"

#include <QDir>
#include <QJsonObject>
#include <QStandardPaths>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

QString homeOf(const QProcessEnvironment &environment)
{
    const QString home = environment.value(u"HOME"_s);
    return home.isEmpty() ? QDir::homePath() : home;
}

ConfigFile::Section serverSection(ServerConfig *server)
{
    return {ServerConfigSchema::keys(), [server](const QJsonObject &json, QString *problem) {
                return ServerConfigSchema::readJson(json, server, problem);
            }};
}

ConfigFile::Section logFormatSection(HeadlessLog::Format *format)
{
    return {{u"logFormat"_s}, [format](const QJsonObject &json, QString *problem) {
                const QJsonValue value = json.value("logFormat"_L1);
                if (value.isUndefined() || HeadlessLog::parseFormat(value.toString(), format))
                    return true;
                *problem = u"\"logFormat\" must be \"text\" or \"json\""_s;
                return false;
            }};
}

// mcpServers: the upstream servers, in the order the file writes them (read from its text,
// which QJsonObject does not keep).
ConfigFile::Section mcpServersSection(const QProcessEnvironment &environment,
                                      QList<UpstreamServerConfig> *servers,
                                      std::shared_ptr<QStringList> order)
{
    ConfigFile::Section section;
    section.keys = QStringList{u"mcpServers"_s};
    section.readText = [order](const QByteArray &text) {
        *order = jsonObjectKeysInOrder(text, {u"mcpServers"_s});
    };
    section.read = [environment, servers, order](const QJsonObject &json, QString *problem) {
        const UpstreamConfigParser parser(VariableExpander(environment, homeOf(environment)));
        return parser.parse(json.value("mcpServers"_L1), *order, servers, problem);
    };
    return section;
}

// commandTools: programs on this machine served as tools.
ConfigFile::Section commandToolsSection(const QProcessEnvironment &environment,
                                        QList<CommandToolConfig> *tools)
{
    return {{u"commandTools"_s}, [environment, tools](const QJsonObject &json, QString *problem) {
                const VariableExpander expander(environment, homeOf(environment));
                return parseCommandTools(json.value("commandTools"_L1), expander, tools, problem);
            }};
}

} // namespace

namespace {

// Reads through `file`'s sections into a copy taken only when the whole file is good.
bool readWith(const std::function<bool(const ConfigFile &, QString *)> &read,
              const QProcessEnvironment &environment, ConfigFileSettings *settings, QString *error)
{
    ConfigFileSettings copy = *settings;
    ConfigFile file;
    file.addSection(serverSection(&copy.server));
    file.addSection(logFormatSection(&copy.logFormat));
    file.addSection(
        mcpServersSection(environment, &copy.upstreamServers, std::make_shared<QStringList>()));
    file.addSection(commandToolsSection(environment, &copy.commandTools));
    if (!read(file, error))
        return false;
    *settings = copy;
    return true;
}

} // namespace

bool readConfigFile(const QString &path, const QProcessEnvironment &environment,
                    ConfigFileSettings *settings, QString *error)
{
    return readWith(
        [&path](const ConfigFile &file, QString *problem) { return file.load(path, problem); },
        environment, settings, error);
}

bool readConfigText(const QByteArray &text, const QString &path,
                    const QProcessEnvironment &environment, ConfigFileSettings *settings,
                    QString *error)
{
    return readWith([&text, &path](const ConfigFile &file,
                                   QString *problem) { return file.parse(text, path, problem); },
                    environment, settings, error);
}

} // namespace heartline
