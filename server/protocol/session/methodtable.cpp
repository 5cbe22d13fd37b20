#include "server/protocol/session/methodtable.h"

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
    const QString method(row.method);
    Q_ASSERT_X(!m_rows.contains(method), "MethodTable::add", "a method has one handler");
    m_rows.insert(method, std::move(row));
}

const MethodRow *MethodTable::find(const QString &method) const
{
    const auto it = m_rows.constFind(method);
    return it == m_rows.cend() ? nullptr : &it.value();
}

} // namespace heartline
