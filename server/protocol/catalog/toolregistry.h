#pragma once

#include "server/protocol/catalog/tool.h"

#include "server/protocol/catalog/listchangecoalescer.h"
#include <QMap>

#include <QObject>

#include <memory>

namespace heartline {

struct ToolEntry
{
    ToolDefinition definition;
    QString source; // "built-in", "conformance", ...
    bool enabled = true;
};

// The set of tools a server offers. Every change is announced at once by a specific signal
// (for the GUI and the log) and, coalesced over a short burst, by listChanged() (for
// clients, who should get one notifications/tools/list_changed per burst of toggles).
// Tools are kept sorted by name, which gives tools/list a deterministic order and stable
// pagination cursors.
class ToolRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolRegistry)

public:
    static constexpr int kDefaultCoalesceMs = ListChangeCoalescer::kDefaultIntervalMs;

    explicit ToolRegistry(QObject *parent = nullptr);

    // Fails (and logs why) for an empty, over-long or badly spelled name or a name in use.
    bool registerTool(std::shared_ptr<Tool> tool,
                      const QString &source = QStringLiteral("built-in"));
    bool unregisterTool(const QString &name);
    bool setEnabled(const QString &name, bool enabled);

    bool contains(const QString &name) const { return m_tools.contains(name); }
    bool isEnabled(const QString &name) const;
    // Where a tool came from ("built-in", "upstream:NAME", ...); empty for an unknown name.
    QString sourceOf(const QString &name) const;
    QList<ToolEntry> entries() const;
    QList<ToolDefinition> enabledDefinitions() const;
    // The tool to run for a call, or null when it is unknown or switched off.
    std::shared_ptr<Tool> enabledTool(const QString &name) const;
    // The definition taken at registration (what tools/list serves), without asking the tool
    // to build it again; empty for an unknown name.
    ToolDefinition definition(const QString &name) const;

    // Counts changes; a session compares it with what its client last saw, so a client that
    // arrived after a change (or listed since) is not told about it again. It counts a change
    // before the change's signal goes out, so a listener reads the generation that has it.
    quint64 generation() const { return m_changes.generation(); }

    void setCoalesceInterval(int milliseconds);
    static bool isValidToolName(const QString &name);

Q_SIGNALS:
    void toolRegistered(const QString &name);
    void toolUnregistered(const QString &name);
    void toolEnabledChanged(const QString &name, bool enabled);
    void listChanged();

private:
    struct Slot
    {
        std::shared_ptr<Tool> tool;
        ToolEntry entry;
    };

    QMap<QString, Slot> m_tools;
    ListChangeCoalescer m_changes;
};

} // namespace heartline
