#include "server/protocol/catalog/completion.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace heartline {

Completion Completion::fromCandidates(const QStringList &candidates, const QString &typed)
{
    QStringList exact;
    QStringList folded;
    QSet<QString> seen;
    for (const QString &candidate : candidates) {
        if (seen.contains(candidate))
            continue;
        if (candidate.startsWith(typed, Qt::CaseSensitive)) {
            exact.append(candidate);
            seen.insert(candidate);
        } else if (candidate.startsWith(typed, Qt::CaseInsensitive)) {
            folded.append(candidate);
            seen.insert(candidate);
        }
    }

    Completion completion;
    completion.values = exact + folded;
    completion.total = int(completion.values.size());
    completion.hasMore = completion.total > kMaxValues;
    if (completion.hasMore)
        completion.values = completion.values.mid(0, kMaxValues);
    return completion;
}

QJsonObject Completion::toJson() const
{
    return QJsonObject{{"completion"_L1, toCompletionJson()}};
}

QJsonObject Completion::toCompletionJson() const
{
    return QJsonObject{{"values"_L1, QJsonArray::fromStringList(values)},
                       {"total"_L1, total},
                       {"hasMore"_L1, hasMore}};
}

} // namespace heartline
