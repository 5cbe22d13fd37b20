#include "server/protocol/session/servercapabilities.h"

using namespace Qt::StringLiterals;

namespace heartline {

ServerCapabilities::ServerCapabilities(bool hasResources, bool hasPrompts)
    : m_hasResources(hasResources)
    , m_hasPrompts(hasPrompts)
{}

QJsonObject ServerCapabilities::toJson() const
{
    QJsonObject capabilities{{"tools"_L1, QJsonObject{{"listChanged"_L1, true}}},
                             {"logging"_L1, QJsonObject{}}};
    if (m_hasResources) {
        capabilities.insert("resources"_L1,
                            QJsonObject{{"subscribe"_L1, true}, {"listChanged"_L1, true}});
    }
    if (m_hasPrompts)
        capabilities.insert("prompts"_L1, QJsonObject{{"listChanged"_L1, true}});
    if (m_hasResources || m_hasPrompts)
        capabilities.insert("completions"_L1, QJsonObject{});
    return capabilities;
}

bool ServerCapabilities::offers(QLatin1StringView capability) const
{
    if (capability.isEmpty() || capability == "tools"_L1 || capability == "logging"_L1)
        return true;
    if (capability == "resources"_L1)
        return m_hasResources;
    if (capability == "prompts"_L1)
        return m_hasPrompts;
    if (capability == "completions"_L1)
        return m_hasResources || m_hasPrompts;
    return false;
}

} // namespace heartline
