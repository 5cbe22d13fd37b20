#include "server/tools/upstream/variableexpander.h"

#include "server/tools/upstream/secretreferences.h"

#include <QRegularExpression>

#include <optional>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

bool isVariableName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    return pattern.match(name).hasMatch();
}

// VS Code's predefined variables that only mean something inside an editor's workspace.
bool isWorkspaceVariable(const QString &name)
{
    return name.startsWith("workspaceFolder"_L1) || name == "workspaceRoot"_L1
           || name == "fileWorkspaceFolder"_L1;
}

} // namespace

VariableExpander::VariableExpander(QProcessEnvironment environment, QString userHome)
    : m_environment(std::move(environment))
    , m_userHome(std::move(userHome))
{}

bool VariableExpander::expand(const QString &text, QString *expanded, QString *error) const
{
    return expand(text, Secrets::Refuse, expanded, error);
}

bool VariableExpander::expandKeepingSecrets(const QString &text, QString *expanded,
                                            QString *error) const
{
    return expand(text, Secrets::Keep, expanded, error);
}

bool VariableExpander::expand(const QString &text, Secrets secrets, QString *expanded,
                              QString *error) const
{
    QString result;
    result.reserve(text.size());
    qsizetype done = 0;
    while (true) {
        const qsizetype start = text.indexOf("${"_L1, done);
        if (start < 0)
            break;
        const qsizetype end = text.indexOf(u'}', start + 2);
        if (end < 0) {
            *error = u"\"${\" without a closing \"}\""_s;
            return false;
        }
        QString value;
        if (!expandOne(text.mid(start + 2, end - start - 2), secrets, &value, error))
            return false;
        result += QStringView(text).mid(done, start - done);
        result += value;
        done = end + 1;
    }
    result += QStringView(text).mid(done);
    *expanded = result;
    return true;
}

bool VariableExpander::expandOne(const QString &form, Secrets secrets, QString *value,
                                 QString *error) const
{
    if (form.startsWith("secret:"_L1)) {
        const QString name = form.mid(7);
        if (!SecretReferences::isValidName(name)) {
            *error =
                u"${%1}: a secret's name is letters, digits, \".\", \"_\" and \"-\""_s.arg(form);
            return false;
        }
        if (secrets == Secrets::Refuse) {
            *error = u"${%1} can stand only in env and headers values (and the token): a "
                     "command line is readable by every user of this machine"_s.arg(form);
            return false;
        }
        *value = u"${"_s + form + u'}';
        return true;
    }

    if (form == "userHome"_L1) {
        *value = m_userHome;
        return true;
    }
    if (isWorkspaceVariable(form) || form.startsWith("input:"_L1)) {
        *error = u"${%1} is not available to a global host (it belongs to an editor's "
                 "workspace); write the value, or use ${NAME} from the environment"_s.arg(form);
        return false;
    }

    // ${env:NAME} is ${NAME}; both may carry a default after ":-", used when NAME is unset or
    // empty (as in the shell).
    QString name = form.startsWith("env:"_L1) ? form.mid(4) : form;
    std::optional<QString> fallback;
    if (const qsizetype dash = name.indexOf(":-"_L1); dash >= 0) {
        fallback = name.mid(dash + 2);
        name.truncate(dash);
    }
    if (!isVariableName(name)) {
        *error = u"${%1} is not a form Heartline expands (${NAME}, ${NAME:-default}, "
                 "${env:NAME}, ${userHome}, ${secret:NAME})"_s.arg(form);
        return false;
    }

    const QString set = m_environment.value(name);
    if (!set.isEmpty() || (!fallback && m_environment.contains(name))) {
        *value = set;
        return true;
    }
    if (fallback) {
        *value = *fallback;
        return true;
    }
    *error = u"variable %1 is not set (set it, or write ${%1:-default})"_s.arg(name);
    return false;
}

} // namespace heartline
