#pragma once

#include <QJsonObject>
#include <QStringList>

#include <functional>

namespace heartline {

// A completion/complete result: the candidates that start with what the user typed (case
// sensitive first, then case-insensitive), at most 100 of them (MCP MUST), with the total and
// whether more exist.
struct Completion
{
    static constexpr int kMaxValues = 100;

    QStringList values;
    int total = 0;
    bool hasMore = false;

    static Completion fromCandidates(const QStringList &candidates, const QString &typed);
    QJsonObject toJson() const;           // {"completion":{"values":[...],"total":N,"hasMore":b}}
    QJsonObject toCompletionJson() const; // {"values":[...],"total":N,"hasMore":b}
};

// How a completion that may come later (an upstream's) answers: `completion` is the result's
// {values, total, hasMore} object, passed to the client verbatim, or `error` is set and the
// client gets an internal error carrying it. Called exactly once, on the loop's thread.
using CompletionReply = std::function<void(const QJsonObject &completion, const QString &error)>;

} // namespace heartline
