#pragma once

#include "server/tools/upstream/variableexpander.h"

#include <QHash>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <utility>

namespace heartline {

// Reads one config entry's keys (an mcpServers server, a command tool); the first thing wrong
// becomes `problem`, named by its key path ("mcpServers.notes.args[1]",
// "commandTools.grep.timeoutMs"), and every later read is skipped.
class ConfigEntryReader
{
public:
    ConfigEntryReader(const QJsonObject &entry, const QString &path,
                      const VariableExpander &expander);

    bool ok() const { return m_problem.isEmpty(); }
    QString problem() const { return m_problem; }
    bool has(QLatin1String key) const { return m_entry.contains(key); }

    bool fail(const QString &keyPath, const QString &what);
    QString pathOf(QLatin1String key) const;

    // Each reads `key` if present (absent leaves `out` as it is) and returns ok(). `expand`
    // replaces ${...} forms (see VariableExpander).
    bool text(QLatin1String key, QString *out, bool expand);
    bool list(QLatin1String key, QStringList *out, bool expand);
    // An object of strings, each expanded with ${secret:NAME} kept as written (env, headers).
    bool map(QLatin1String key, QHash<QString, QString> *out);
    bool boolean(QLatin1String key, bool *out);
    bool object(QLatin1String key, QJsonObject *out);
    // A whole number from `minimum` up.
    bool milliseconds(QLatin1String key, int *out, int minimum = 0);
    bool bytes(QLatin1String key, qint64 *out, qint64 minimum);

    template<typename T>
    bool choice(QLatin1String key, std::initializer_list<std::pair<QLatin1String, T>> choices,
                T *out)
    {
        const QJsonValue value = m_entry.value(key);
        if (!ok() || value.isUndefined())
            return ok();
        QStringList names;
        for (const auto &[name, meaning] : choices) {
            if (value.toString() == name) {
                *out = meaning;
                return true;
            }
            names.append(name);
        }
        return failChoice(key, value, names);
    }

private:
    bool failChoice(QLatin1String key, const QJsonValue &value, const QStringList &names);
    bool expanded(const QString &keyPath, const QString &written, QString *out, bool expand);
    bool wholeNumber(QLatin1String key, double minimum, double maximum, const QString &what,
                     double *out);

    const QJsonObject &m_entry;
    const QString m_path;
    const VariableExpander &m_expander;
    QString m_problem;
};

} // namespace heartline
