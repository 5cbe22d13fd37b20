#include "app/addservercommand.h"

#include "app/defaultconfigpath.h"
#include "server/core/configdocument.h"
#include "server/tools/upstream/stdiochannel.h"
#include "server/tools/upstream/upstreamconfigparser.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

const char kUsage[] =
    "usage: heartline ctl servers add NAME [--env KEY=VALUE]... [--cwd DIR] [--config FILE]\n"
    "                                 -- COMMAND [ARGS...]\n";

struct AddRequest
{
    QString name;
    QString config;
    QString cwd;
    QJsonObject env;
    QStringList argv; // the command and its arguments, as given after --
};

int usage(const QString &problem)
{
    std::fprintf(stderr, "heartline ctl: %s\n%s", qPrintable(problem), kUsage);
    return 2;
}

int refuse(const QString &problem)
{
    std::fprintf(stderr, "heartline ctl: %s\n", qPrintable(problem));
    return 1;
}

// False with `problem` on a usage error.
bool parse(const QStringList &arguments, AddRequest *request, QString *problem)
{
    const qsizetype dashes = arguments.indexOf(u"--"_s);
    if (dashes < 0 || dashes + 1 >= arguments.size()) {
        *problem = u"the command to run goes after '--'"_s;
        return false;
    }
    request->argv = arguments.mid(dashes + 1);
    for (qsizetype i = 0; i < dashes; ++i) {
        const QString word = arguments.at(i);
        const bool takesValue = word == "--env"_L1 || word == "--cwd"_L1 || word == "--config"_L1;
        if (takesValue && i + 1 >= dashes) {
            *problem = word + u" needs a value"_s;
            return false;
        }
        if (word == "--env"_L1) {
            const QString pair = arguments.at(++i);
            const qsizetype equals = pair.indexOf(u'=');
            if (equals <= 0) {
                *problem = u"--env needs KEY=VALUE, not '%1'"_s.arg(pair);
                return false;
            }
            request->env.insert(pair.left(equals), pair.mid(equals + 1));
        } else if (word == "--cwd"_L1) {
            request->cwd = arguments.at(++i);
        } else if (word == "--config"_L1) {
            request->config = arguments.at(++i);
        } else if (word.startsWith(u'-')) {
            *problem = u"unknown option '%1'"_s.arg(word);
            return false;
        } else if (request->name.isEmpty()) {
            request->name = word;
        } else {
            *problem = u"one NAME only ('%1' too); the command goes after '--'"_s.arg(word);
            return false;
        }
    }
    if (request->name.isEmpty()) {
        *problem = u"which NAME should the server have?"_s;
        return false;
    }
    return true;
}

// The entry as Claude Desktop writes one: command, args, env, cwd (only the keys given).
QJsonObject stdioEntry(const AddRequest &request)
{
    QJsonObject entry{{"command"_L1, request.argv.first()}};
    if (request.argv.size() > 1)
        entry.insert("args"_L1, QJsonArray::fromStringList(request.argv.mid(1)));
    if (!request.env.isEmpty())
        entry.insert("env"_L1, request.env);
    if (!request.cwd.isEmpty())
        entry.insert("cwd"_L1, request.cwd);
    return entry;
}

} // namespace

int runAddServer(const QStringList &arguments, const QProcessEnvironment &environment)
{
    AddRequest request;
    QString problem;
    if (!parse(arguments, &request, &problem))
        return usage(problem);

    const QJsonObject entry = stdioEntry(request);
    // The checks the running instance will make when it reads the entry (the name's rule,
    // ${VAR}s that expand): refused here, where the person can still fix it.
    const UpstreamConfigParser parser(
        VariableExpander(environment, environment.value(u"HOME"_s, QDir::homePath())));
    const UpstreamServerConfig parsed = parser.parseEntry(request.name, entry);
    if (!parsed.problem.isEmpty())
        return refuse(parsed.problem);

    const QString path = request.config.isEmpty() ? defaultConfigPath(environment) : request.config;
    ConfigDocument document(path);
    if (!document.load(&problem))
        return refuse(problem);
    if (document.hasServer(request.name))
        return refuse(
            u"%1 already has a server named '%2'; nothing changed"_s.arg(path, request.name));
    // Typed by the person: approved, so a window does not ask about it again.
    document.setServer(request.name, approvedEntry(parsed, entry));
    if (!document.save(&problem))
        return refuse(problem);
    // The command line as given; environment values are not echoed (they may be tokens).
    std::printf("added %s: %s\nwrote %s\n", qPrintable(request.name),
                qPrintable(StdioChannel::quotedCommandLine(request.argv)), qPrintable(path));
    return 0;
}

} // namespace heartline
