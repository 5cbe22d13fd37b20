#pragma once

#include <QJsonObject>
#include <QStringList>

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
    QJsonObject toJson() const; // {"completion":{"values":[...],"total":N,"hasMore":b}}
};

} // namespace heartline
