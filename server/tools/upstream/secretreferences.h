#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace heartline {

// What a lookup of named secrets found: each name has a value or a problem (one line: "not in
// the keyring nor in FILE", "the keyring is locked").
struct SecretValues
{
    QHash<QString, QString> values;
    QHash<QString, QString> problems;
};

// `${secret:NAME}`: a value kept in the desktop's keyring (or the 0600 file beside the config),
// not in the config file. The parser keeps the form as written where a secret may stand (env
// and headers values, the token); these find the names and put the values in before use.
namespace SecretReferences {

// A secret's name: letters, digits, ".", "_" and "-", 1 to 128 characters, starting with a
// letter or digit ("github.token", "OPENAI_API_KEY").
bool isValidName(const QString &name);

// The names `text` refers to, each once, in order of appearance.
QStringList namesIn(const QString &text);
QStringList namesIn(const QHash<QString, QString> &values);

// `text` with every ${secret:NAME} replaced from `secrets`. False, with `problem` naming the
// secret and why ("secret github.token: not in the keyring"), when one has no value.
bool substitute(const QString &text, const SecretValues &secrets, QString *out, QString *problem);
// The same over each value of `values`; `problem` starts with the key ("API_KEY: secret ...").
bool substitute(QHash<QString, QString> *values, const SecretValues &secrets, QString *problem);

} // namespace SecretReferences
} // namespace heartline
