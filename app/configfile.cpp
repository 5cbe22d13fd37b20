#include "app/configfile.h"

#include <QFile>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// Where QJsonParseError's offset points: one past the character that could not be read.
qsizetype offendingOffset(const QJsonParseError &error)
{
    return qMax(0, error.offset - 1);
}

// QJsonParseError's words for the mistakes people make by hand, in people's words. A value
// where a comma should be is reported by Qt as an unterminated object or array.
QString parseErrorReason(const QByteArray &text, const QJsonParseError &error)
{
    const qsizetype at = offendingOffset(error);
    const bool atEnd = at >= text.size() || error.offset >= text.size();
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
        return atEnd ? u"unterminated object (a missing closing brace)"_s : u"missing comma"_s;
    case QJsonParseError::UnterminatedArray:
        return atEnd ? u"unterminated array (a missing closing bracket)"_s : u"missing comma"_s;
    case QJsonParseError::MissingValueSeparator:
        return u"missing comma"_s;
    case QJsonParseError::MissingNameSeparator:
        return u"missing colon after a key"_s;
    case QJsonParseError::MissingObject:
        return u"a key is missing (a trailing comma?)"_s;
    case QJsonParseError::UnterminatedString:
        return u"unterminated string"_s;
    case QJsonParseError::IllegalValue:
        return u"not a JSON value (a trailing comma, a comment or a missing quote?)"_s;
    default:
        return error.errorString();
    }
}

// "FILE:LINE:COLUMN: reason", counting from 1 as editors do; the offset is in UTF-8 bytes and
// the column in characters.
QString parseErrorLocation(const QString &path, const QByteArray &text,
                           const QJsonParseError &error)
{
    const QByteArray before = text.left(offendingOffset(error));
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = QString::fromUtf8(before.mid(lineStart)).size() + 1;
    return u"%1:%2:%3: %4"_s.arg(path, QString::number(line), QString::number(column),
                                 parseErrorReason(text, error));
}

} // namespace

void ConfigFile::addSection(Section section)
{
    m_sections.append(std::move(section));
}

QStringList ConfigFile::keys() const
{
    QStringList known;
    for (const Section &section : m_sections)
        known += section.keys;
    return known;
}

bool ConfigFile::load(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read config file %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    const QByteArray text = file.read(1024 * 1024);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = parseErrorLocation(path, text, parseError) + u" (not valid JSON)"_s;
        return false;
    }
    if (!document.isObject()) {
        *error = u"%1:1:1: the config file must be one JSON object ({...})"_s.arg(path);
        return false;
    }
    const QJsonObject json = document.object();

    const QStringList known = keys();
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = u"config file %1: unknown key \"%2\" (known: %3)"_s.arg(path, it.key(),
                                                                             known.join(u", "_s));
            return false;
        }
    }
    for (const Section &section : m_sections) {
        if (section.readText)
            section.readText(text);
        QString problem;
        if (!section.read(json, &problem)) {
            *error = u"config file %1: %2"_s.arg(path, problem);
            return false;
        }
    }
    return true;
}

} // namespace heartline
