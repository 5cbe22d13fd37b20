#pragma once

#include <QString>
#include <QStringList>

namespace heartline {

// Walks a subcommand's arguments (`heartline import ...`, `heartline connect ...`) one word at a
// time, so that "--config FILE" and "--config=FILE" read the same everywhere.
class CommandWords final
{
public:
    explicit CommandWords(const QStringList &arguments)
        : m_arguments(arguments)
    {}

    // Moves to the next word; false when there is none.
    bool next()
    {
        if (++m_index >= m_arguments.size())
            return false;
        const QString &argument = m_arguments.at(m_index);
        m_inline = argument.startsWith(QLatin1StringView("--")) && argument.contains(u'=');
        m_word = m_inline ? argument.section(u'=', 0, 0) : argument;
        m_inlineValue = m_inline ? argument.section(u'=', 1) : QString();
        return true;
    }

    // The option's name ("--config"), or the word as written.
    const QString &word() const { return m_word; }
    const QString &written() const { return m_arguments.at(m_index); }
    // Whether the word carried its value ("--config=FILE"): wrong for a flag.
    bool hasInlineValue() const { return m_inline; }

    // The option's value: the inline one, else the next word, which it consumes. False when
    // there is none (or the inline one is empty).
    bool takeValue(QString *value)
    {
        if (m_inline) {
            *value = m_inlineValue;
            return !value->isEmpty();
        }
        if (m_index + 1 >= m_arguments.size())
            return false;
        *value = m_arguments.at(++m_index);
        return true;
    }

private:
    const QStringList m_arguments;
    qsizetype m_index = -1;
    QString m_word;
    QString m_inlineValue;
    bool m_inline = false;
};

} // namespace heartline
