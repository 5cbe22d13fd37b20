#pragma once

#include <QJsonObject>
#include <QLatin1StringView>

namespace heartline {

// What a server declares at initialize and server/discover, from what its catalog holds:
// tools and logging always, resources, prompts and completion when there are any. The method
// table asks offers() for every request, so it answers without building the declaration.
class ServerCapabilities final
{
public:
    ServerCapabilities(bool hasResources, bool hasPrompts);

    QJsonObject toJson() const;
    // Whether `capability` (a key of toJson(); empty means none is needed) is declared.
    bool offers(QLatin1StringView capability) const;

private:
    bool m_hasResources;
    bool m_hasPrompts;
};

} // namespace heartline
