#pragma once

#include "server/protocol/catalog/prompt.h"

#include "server/protocol/catalog/listchangecoalescer.h"
#include <QMap>

#include <QObject>

#include <memory>

namespace heartline {

// The prompts a server offers, sorted by name; list changes are announced coalesced.
class PromptRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromptRegistry)

public:
    static constexpr int kDefaultCoalesceMs = ListChangeCoalescer::kDefaultIntervalMs;

    explicit PromptRegistry(QObject *parent = nullptr);

    // Fails (and logs why) for an empty name or one in use.
    bool registerPrompt(std::shared_ptr<Prompt> prompt);
    bool unregisterPrompt(const QString &name);

    QList<PromptDefinition> definitions() const;
    std::shared_ptr<Prompt> prompt(const QString &name) const;
    bool contains(const QString &name) const { return m_prompts.contains(name); }

    quint64 generation() const { return m_changes.generation(); }
    void setCoalesceInterval(int milliseconds);

Q_SIGNALS:
    void listChanged();

private:
    QMap<QString, std::shared_ptr<Prompt>> m_prompts;
    ListChangeCoalescer m_changes;
};

} // namespace heartline
