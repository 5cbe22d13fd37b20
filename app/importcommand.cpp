#include "app/importcommand.h"

#include "app/commandwords.h"
#include "app/defaultconfigpath.h"
#include "server/core/configdocument.h"
#include "server/tools/upstream/clientconfigs.h"

#include <QDir>
#include <QJsonValue>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

const char kHelp[] =
    "usage: heartline import [--config FILE]\n"
    "       heartline import --from FILE [--config FILE] [--replace] [NAME...]\n"
    "\n"
    "Without --from, lists the MCP servers configured in the other clients on this machine\n"
    "(Claude Desktop, Cursor, VS Code, Claude Code, Windsurf, Zed) and changes nothing.\n"
    "\n"
    "With --from, adds the servers of that client file (any of those formats) to Heartline's\n"
    "config file: the ones named, or all of them. Everything already in the config file is\n"
    "kept; a server whose name is already there is skipped unless --replace is given. An\n"
    "entry that runs `mcp-remote URL` becomes a remote server of its own.\n"
    "\n"
    "  --from FILE    the client config file to import from\n"
    "  --config FILE  Heartline's config file (default: $XDG_CONFIG_HOME/heartline/\n"
    "                 heartline.json, or ~/.config/heartline/heartline.json)\n"
    "  --replace      replace servers of the same name instead of skipping them\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit status: 0 done, 1 nothing to import or an error, 2 a usage error.\n";

struct ImportRequest
{
    QString from;
    QString config;
    bool replace = false;
    QStringList names;
};

int usage(const QString &problem)
{
    std::fprintf(stderr, "heartline import: %s\n%s", qPrintable(problem), kHelp);
    return 2;
}

// False with `problem` on a usage error.
bool parse(const QStringList &arguments, ImportRequest *request, bool *help, QString *problem)
{
    CommandWords words(arguments);
    while (words.next()) {
        const QString &word = words.word();
        QString value;
        if (word == "-h"_L1 || word == "--help"_L1) {
            *help = true;
        } else if (word == "--from"_L1 || word == "--config"_L1) {
            if (!words.takeValue(&value)) {
                *problem = word + u" needs a file"_s;
                return false;
            }
            (word == "--from"_L1 ? request->from : request->config) = value;
        } else if (word == "--replace"_L1 && !words.hasInlineValue()) {
            request->replace = true;
        } else if (word.startsWith(u'-')) {
            *problem = u"unknown option '%1'"_s.arg(words.written());
            return false;
        } else {
            request->names.append(word);
        }
    }
    if (request->from.isEmpty() && (!request->names.isEmpty() || request->replace)) {
        *problem = request->names.isEmpty() ? u"--replace needs --from FILE"_s
                                            : u"names need --from FILE"_s;
        return false;
    }
    return true;
}

// The command line or URL, and whether the client had the server switched off.
QString shown(const ImportedServer &server)
{
    const bool off = server.entry.value("enabled"_L1) == QJsonValue(false);
    return server.commandLineOrUrl() + (off ? u"  (disabled)"_s : QString());
}

void printNotes(const ImportedServer &server, std::FILE *to)
{
    for (const QString &note : server.notes)
        std::fprintf(to, "    note: %s\n", qPrintable(note));
}

int listServers(const QProcessEnvironment &environment, const QString &currentDir)
{
    const QString home = environment.value(u"HOME"_s, QDir::homePath());
    const ClientConfigScan scan = ClientConfigs::scan(home, currentDir);
    for (const QString &problem : scan.problems)
        std::fprintf(stderr, "heartline import: %s\n", qPrintable(problem));
    if (scan.servers.isEmpty()) {
        std::fprintf(stderr, "heartline import: no MCP servers found in the configs of other "
                             "clients\n");
        return 1;
    }

    QString lastFile;
    for (const ImportedServer &server : scan.servers) {
        if (server.sourceFile != lastFile) {
            lastFile = server.sourceFile;
            std::printf("%s: %s\n", qPrintable(server.client), qPrintable(server.sourceFile));
        }
        std::printf("  %-20s %s\n", qPrintable(server.name), qPrintable(shown(server)));
        printNotes(server, stdout);
    }
    for (const SkippedDuplicate &duplicate : scan.duplicates)
        std::printf("skipped %s in %s: the name is taken by the one in %s\n",
                    qPrintable(duplicate.server.name), qPrintable(duplicate.server.sourceFile),
                    qPrintable(duplicate.keptFrom));
    std::printf("\n%lld servers. `heartline import --from FILE [NAME...]` adds them to "
                "Heartline's config.\n",
                qlonglong(scan.servers.size()));
    return 0;
}

int importServers(const ImportRequest &request, const QProcessEnvironment &environment)
{
    const QString home = environment.value(u"HOME"_s, QDir::homePath());
    const ClientConfigScan read = ClientConfigs::readFile(request.from, QString(), home);
    for (const QString &problem : read.problems)
        std::fprintf(stderr, "heartline import: %s\n", qPrintable(problem));
    if (!read.problems.isEmpty())
        return 1;

    QList<ImportedServer> chosen;
    QStringList available;
    for (const ImportedServer &server : read.servers)
        available.append(server.name);
    if (request.names.isEmpty()) {
        chosen = read.servers;
    } else {
        for (const QString &name : request.names) {
            const qsizetype at = available.indexOf(name);
            if (at < 0) {
                std::fprintf(stderr, "heartline import: no server '%s' in %s (it has: %s)\n",
                             qPrintable(name), qPrintable(request.from),
                             qPrintable(available.join(u", "_s)));
                return 1;
            }
            chosen.append(read.servers.at(at));
        }
    }
    if (chosen.isEmpty()) {
        std::fprintf(stderr, "heartline import: no MCP servers in %s\n", qPrintable(request.from));
        return 1;
    }

    const QString configPath =
        request.config.isEmpty() ? defaultConfigPath(environment) : request.config;
    ConfigDocument document(configPath);
    QString error;
    if (!document.load(&error)) {
        std::fprintf(stderr, "heartline import: %s\n", qPrintable(error));
        return 1;
    }
    int added = 0;
    for (const ImportedServer &server : std::as_const(chosen)) {
        const bool present = document.hasServer(server.name);
        if (present && !request.replace) {
            std::fprintf(stderr,
                         "heartline import: skipped %s: already in %s (--replace replaces it)\n",
                         qPrintable(server.name), qPrintable(configPath));
            continue;
        }
        document.setServer(server.name, ClientConfigs::withOrigin(server));
        ++added;
        std::printf("%s %s: %s\n", present ? "replaced" : "added", qPrintable(server.name),
                    qPrintable(shown(server)));
        printNotes(server, stdout);
    }
    for (const SkippedDuplicate &duplicate : read.duplicates)
        std::fprintf(stderr, "heartline import: skipped a second %s in %s\n",
                     qPrintable(duplicate.server.name), qPrintable(request.from));
    if (added == 0) {
        std::fprintf(stderr, "heartline import: nothing imported\n");
        return 1;
    }
    if (!document.save(&error)) {
        std::fprintf(stderr, "heartline import: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("wrote %s\n", qPrintable(configPath));
    return 0;
}

} // namespace

int runImport(const QStringList &arguments, const QProcessEnvironment &environment,
              const QString &currentDir)
{
    ImportRequest request;
    bool help = false;
    QString problem;
    if (!parse(arguments, &request, &help, &problem))
        return usage(problem);
    if (help) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (request.from.isEmpty())
        return listServers(environment, currentDir);
    return importServers(request, environment);
}

} // namespace heartline
