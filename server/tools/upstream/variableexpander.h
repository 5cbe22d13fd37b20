#pragma once

#include <QProcessEnvironment>
#include <QString>

namespace heartline {

// Expands the ${...} forms users already write in their MCP client configs (Claude Code's
// ${NAME} and ${NAME:-default}, Cursor's and VS Code's ${env:NAME} and ${userHome}) from an
// environment and a home folder it is given, so tests never touch the real environment.
//
// Only ${...} is a form: a bare $NAME, $$ or a lone $ stay as written (they collide too easily
// with literal text). Whatever ${...} cannot be expanded is an error, never passed on as
// written: a literal "${TOKEN}" sent upstream makes baffling authentication failures.
class VariableExpander final
{
public:
    VariableExpander(QProcessEnvironment environment, QString userHome);

    // `text` with every ${...} replaced. False, with `error` naming the variable or the form
    // and `expanded` untouched, when one cannot be: an unset variable without a default, a
    // VS Code form no global host can answer (${workspaceFolder}, ${input:...}), an unknown
    // form or an unterminated "${".
    // ${secret:NAME} is refused here: a secret belongs in an environment variable or a header,
    // not in a command line every user of the machine can read (ps).
    bool expand(const QString &text, QString *expanded, QString *error) const;
    // The same, keeping each ${secret:NAME} with a valid name as written, for the caller to
    // put the value in once looked up (SecretReferences): env and headers values.
    bool expandKeepingSecrets(const QString &text, QString *expanded, QString *error) const;

private:
    enum class Secrets { Refuse, Keep };
    bool expand(const QString &text, Secrets secrets, QString *expanded, QString *error) const;
    bool expandOne(const QString &form, Secrets secrets, QString *value, QString *error) const;

    QProcessEnvironment m_environment;
    QString m_userHome;
};

} // namespace heartline
