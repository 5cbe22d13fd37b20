#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

class VariableExpander;

// A command tool's argument list as the config writes it, with {name} placeholders for the
// call's arguments. A placeholder is replaced by the value as it is, inside the one argument
// that holds it: nothing is split on spaces and nothing passes through a shell, so `; rm -rf`
// or `$(...)` in a value is only text. An argument that is exactly "{files}" of an array
// becomes one argument per item; an argument whose placeholder has no value (an optional
// parameter the call left out, with no default) is left out whole, so "--limit={limit}" is
// either complete or absent. "{{" and "}}" are literal braces; ${NAME} is the config's
// variable expansion, done once when the file is read.
//
// A value that begins with "-" would be read as an option ("--output=/etc/passwd"), so it is
// refused where it would start an argument, unless a literal "--" comes earlier in the list
// (everything after it is an operand) or the parameter's schema says
// "allowLeadingDash": true.
class ArgvTemplate final
{
public:
    // Linux refuses a single argument of 128 KiB or more (MAX_ARG_STRLEN) and a whole command
    // line past a share of the stack limit; refusing earlier gives the call a clear reason.
    static constexpr qsizetype kMaxArgumentBytes = 128 * 1024 - 1;
    static constexpr qsizetype kMaxCommandLineBytes = 1024 * 1024;

    ArgvTemplate() = default;

    // False, with `problem` naming the argument ("args[2]"), for a placeholder that the input
    // schema does not declare, an unclosed brace, or a ${...} that cannot be expanded.
    static bool parse(const QStringList &written, const QJsonObject &inputSchema,
                      const VariableExpander &expander, ArgvTemplate *parsed, QString *problem);

    // The argument list for one call, or false with `error`, a sentence for the caller.
    bool fill(const QJsonObject &arguments, QStringList *argv, QString *error) const;

    // The parameter names used, in order of first use.
    QStringList placeholders() const;

    bool operator==(const ArgvTemplate &other) const;
    bool operator!=(const ArgvTemplate &other) const { return !(*this == other); }

private:
    struct Piece
    {
        QString text;        // literal text, when placeholder is empty
        QString placeholder; // a parameter name
        bool operator==(const Piece &other) const
        {
            return text == other.text && placeholder == other.placeholder;
        }
    };
    struct Argument
    {
        QList<Piece> pieces;
        bool operandsOnly = false; // a literal "--" came before it
        bool operator==(const Argument &other) const
        {
            return pieces == other.pieces && operandsOnly == other.operandsOnly;
        }
    };

    bool fillOne(const Argument &argument, const QJsonObject &arguments, QStringList *argv,
                 QString *error) const;
    bool scalarText(const QString &name, const QJsonValue &value, bool startsArgument,
                    bool operandsOnly, QString *text, QString *error) const;

    QList<Argument> m_arguments;
    QJsonObject m_properties; // the input schema's, for defaults and allowLeadingDash
};

} // namespace heartline
