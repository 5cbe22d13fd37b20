#include "server/protocol/wire/revision.h"

#include <array>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr std::array<RevisionTraits, 5> kRevisions{{
    // revision, name, batches, version header, priming, early close, stateless, -32002
    {Revision::V2024_11_05, "2024-11-05", false, false, false, false, false, true},
    {Revision::V2025_03_26, "2025-03-26", true, false, false, false, false, true},
    {Revision::V2025_06_18, "2025-06-18", false, true, false, false, false, true},
    {Revision::V2025_11_25, "2025-11-25", false, true, true, true, false, true},
    {Revision::V2026_07_28, "2026-07-28", false, true, false, false, true, false},
}};

} // namespace

namespace Revisions {

Revision latest()
{
    return kRevisions.back().revision;
}

Revision latestWithSessions()
{
    return Revision::V2025_11_25;
}

QList<Revision> all()
{
    QList<Revision> revisions;
    for (const RevisionTraits &traits : kRevisions)
        revisions.append(traits.revision);
    return revisions;
}

const RevisionTraits &traits(Revision revision)
{
    for (const RevisionTraits &traits : kRevisions) {
        if (traits.revision == revision)
            return traits;
    }
    return kRevisions.back();
}

QString name(Revision revision)
{
    return QString::fromLatin1(traits(revision).name);
}

bool parse(const QString &text, Revision *revision)
{
    for (const RevisionTraits &traits : kRevisions) {
        if (text == QLatin1StringView(traits.name)) {
            *revision = traits.revision;
            return true;
        }
    }
    return false;
}

Revision negotiate(const QString &requested)
{
    Revision revision;
    return parse(requested, &revision) && !traits(revision).stateless ? revision
                                                                      : latestWithSessions();
}

Revision assumedWithoutHeader()
{
    return Revision::V2025_03_26;
}

QStringList supportedNames()
{
    QStringList names;
    for (auto it = kRevisions.rbegin(); it != kRevisions.rend(); ++it)
        names.append(QString::fromLatin1(it->name));
    return names;
}

} // namespace Revisions
} // namespace heartline
