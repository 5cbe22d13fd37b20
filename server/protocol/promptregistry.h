#pragma once

#include "prompt.h"

#include <QMap>
#include <QObject>
#include <QTimer>

#include <memory>

namespace heartline {

// The prompts a server offers, sorted by name; list changes are announced coalesced.
class PromptRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromptRegistry)

public:
    static constexpr int kDefaultCoalesceMs = 10;

    explicit PromptRegistry(QObject *parent = nullptr);

    // Fails (and logs why) for an empty name or one in use.
    bool registerPrompt(std::shared_ptr<Prompt> prompt);
    bool unregisterPrompt(const QString &name);

    QList<PromptDefinition> definitions() const;
    std::shared_ptr<Prompt> prompt(const QString &name) const;
    bool contains(const QString &name) const { return m_prompts.contains(name); }

    quint64 generation() const { return m_generation; }
    void setCoalesceInterval(int milliseconds);

Q_SIGNALS:
    void listChanged();

private:
    void scheduleListChanged();

    QMap<QString, std::shared_ptr<Prompt>> m_prompts;
    QTimer m_coalesce;
    quint64 m_generation = 0;
};

} // namespace heartline
