#include "server/protocol/session/awaitedanswers.h"

namespace heartline {

quint64 AwaitedAnswers::await(const RequestId &id)
{
    m_serials.insert(id, ++m_lastSerial);
    return m_lastSerial;
}

bool AwaitedAnswers::claim(const RequestId &id, quint64 serial)
{
    const auto it = m_serials.constFind(id);
    if (it == m_serials.cend() || *it != serial)
        return false;
    m_serials.erase(it);
    return true;
}

bool AwaitedAnswers::forget(const RequestId &id)
{
    return m_serials.remove(id) > 0;
}

} // namespace heartline
