#include "app/configfile.h"

#include "server/protocol/wire/jsontext.h"

#include <QFile>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace heartline {

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
    return parse(file.read(1024 * 1024), path, error);
}

bool ConfigFile::parse(const QByteArray &text, const QString &path, QString *error) const
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = describeJsonParseError(path, text, parseError) + u" (not valid JSON)"_s;
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
