#pragma once

#include "server/tools/command/commandtoolconfig.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>

namespace heartline {

class ToolRegistry;

// The config file's command tools in the tool registry (source "command"): apply() brings the
// registry to a new list, registering what is new, replacing what changed (keeping its
// on/off switch) and withdrawing what is gone. An entry with a problem is logged and left out;
// the others are offered.
class CommandToolHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommandToolHost)

public:
    static constexpr auto kSource = "command";

    explicit CommandToolHost(ToolRegistry *tools, QObject *parent = nullptr);
    ~CommandToolHost() override;

    void apply(const QList<heartline::CommandToolConfig> &tools);
    // The PATH the commands are looked up on and run with (the login shell's, when the host
    // took it); empty: Heartline's own.
    void setPath(const QString &path);

    QList<CommandToolConfig> tools() const { return m_applied; }

private:
    ToolRegistry *m_tools;
    std::shared_ptr<QString> m_path;
    QList<CommandToolConfig> m_applied;
    QStringList m_registered;
};

} // namespace heartline
