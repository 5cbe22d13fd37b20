#include "server/protocol/session/methodtable.h"

#include <algorithm>

namespace heartline {

bool MethodRow::existsIn(bool stateless) const
{
    switch (era) {
    case MethodEra::WithSessions:
        return !stateless;
    case MethodEra::Stateless:
        return stateless;
    case MethodEra::Both:
        return true;
    }
    return false;
}

void MethodTable::add(MethodRow row)
{
    const auto at = std::lower_bound(
        m_rows.begin(), m_rows.end(), row.method,
        [](const MethodRow &existing, QLatin1StringView method) { return existing.method < method; });
    Q_ASSERT_X(at == m_rows.end() || at->method != row.method, "MethodTable::add",
               "a method has one handler");
    m_rows.insert(at, std::move(row));
}

const MethodRow *MethodTable::find(const QString &method) const
{
    const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), method,
                                     [](const MethodRow &row, const QString &wanted) {
                                         return row.method.compare(wanted) < 0;
                                     });
    return at != m_rows.cend() && at->method == method ? &*at : nullptr;
}

} // namespace heartline
