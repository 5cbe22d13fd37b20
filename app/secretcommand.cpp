#include "app/secretcommand.h"

#include "app/defaultconfigpath.h"
#include "app/secretvault.h"
#include "server/tools/upstream/secretreferences.h"

#include <QCoreApplication>
#include <QFile>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

const char kUsage[] =
    "usage: heartline secret set NAME [--config FILE]    (the value on standard input)\n"
    "       heartline secret delete NAME [--config FILE]\n"
    "\n"
    "Keeps a value a config file names as ${secret:NAME} (in env or headers of mcpServers and\n"
    "commandTools, or as the token) in the desktop's keyring, or, where no keyring answers, in\n"
    "secrets.json beside the config file, readable by you only. A running Heartline reads it\n"
    "when the config file next changes or it starts.\n"
    "\n"
    "  --config FILE  Heartline's config file (default: $XDG_CONFIG_HOME/heartline/\n"
    "                 heartline.json, or ~/.config/heartline/heartline.json)\n"
    "\n"
    "Exit status: 0 done, 1 refused, 2 a usage error.\n";

int usage(const QString &problem)
{
    std::fprintf(stderr, "heartline secret: %s\n%s", qPrintable(problem), kUsage);
    return 2;
}

// The value as piped in: one trailing newline (echo's, a here-string's) is not part of it.
QString valueFromStandardInput()
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return {};
    QByteArray value = in.readAll();
    if (value.endsWith('\n'))
        value.chop(1);
    if (value.endsWith('\r'))
        value.chop(1);
    return QString::fromUtf8(value);
}

} // namespace

int runSecret(const QStringList &arguments, const QProcessEnvironment &environment)
{
    if (arguments.contains(u"--help"_s) || arguments.contains(u"-h"_s)) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    QString verb;
    QString name;
    QString config;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &word = arguments.at(i);
        if (word == "--config"_L1) {
            if (i + 1 >= arguments.size())
                return usage(u"--config needs a file"_s);
            config = arguments.at(++i);
        } else if (verb.isEmpty()) {
            verb = word;
        } else if (name.isEmpty()) {
            name = word;
        } else {
            return usage(u"unexpected argument '%1'"_s.arg(word));
        }
    }
    if (verb != "set"_L1 && verb != "delete"_L1)
        return usage(verb.isEmpty() ? u"set or delete?"_s : u"unknown command '%1'"_s.arg(verb));
    if (!SecretReferences::isValidName(name))
        return usage(name.isEmpty() ? u"which secret?"_s
                                    : u"'%1' is not a secret's name (letters, digits, \".\", "
                                      "\"_\" and \"-\")"_s.arg(name));

    QString value;
    if (verb == "set"_L1) {
        value = valueFromStandardInput();
        if (value.isEmpty()) {
            std::fprintf(stderr,
                         "heartline secret: no value on standard input; try:\n"
                         "  read -rs VALUE && printf %%s \"$VALUE\" | heartline secret "
                         "set %s\n",
                         qPrintable(name));
            return 1;
        }
    }
    SecretVault vault(
        SecretVault::fallbackFileFor(config.isEmpty() ? defaultConfigPath(environment) : config));
    int status = 1;
    const auto finish = [&status, name, verb](const SecretVault::Outcome &outcome) {
        if (!outcome.ok)
            std::fprintf(stderr, "heartline secret: %s\n", qPrintable(outcome.error));
        else if (verb == "set"_L1)
            std::printf("kept %s in %s; a config names it as ${secret:%s}\n", qPrintable(name),
                        qPrintable(outcome.where), qPrintable(name));
        else
            std::printf("deleted %s\n", qPrintable(name));
        status = outcome.ok ? 0 : 1;
        QCoreApplication::quit();
    };
    QObject context;
    if (verb == "set"_L1)
        vault.store(name, value, &context, finish);
    else
        vault.remove(name, &context, finish);
    QCoreApplication::exec();
    return status;
}

} // namespace heartline
