#pragma once

#include "server/tools/upstream/upstreamconfigparser.h"
#include "ui/window/serverentrystore.h"

#include <QProcessEnvironment>

namespace heartline {

// The window's Add, Edit and Remove over the config file (ConfigDocument): every other byte of
// meaning in the file is kept, a new file is the user's alone, and an entry is checked as the
// running instance will read it (the name's rule, ${VAR}s that expand) before it is written.
class ConfigEntryFile final : public ServerEntryStore
{
public:
    ConfigEntryFile(QString path, const QProcessEnvironment &environment);

    QString path() const override { return m_path; }
    bool entry(const QString &name, QJsonObject *entry, QString *error) const override;
    bool save(const QString &name, const QJsonObject &entry, const QString &previousName,
              QString *error) override;
    bool remove(const QString &name, QString *error) override;
    bool saveCommandTool(const QString &name, const QJsonObject &entry, QString *error) override;
    bool approve(const QString &name, const QString &shownHash, QString *error) override;

private:
    QString m_path;
    UpstreamConfigParser m_parser;
    VariableExpander m_expander;
};

} // namespace heartline
