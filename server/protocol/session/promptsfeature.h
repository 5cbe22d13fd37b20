#pragma once

#include "server/protocol/catalog/completion.h"
#include "server/protocol/session/sessionfeature.h"

namespace heartline {

class PromptRegistry;
class ResourceRegistry;

// prompts/list and prompts/get, completion/complete (of prompt arguments and of resource
// template variables), and (with sessions) the announcement that the prompt list changed.
class PromptsFeature final : public SessionFeature
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromptsFeature)

public:
    // Either registry may be null: then the methods exist but the capability is not offered.
    PromptsFeature(SessionPort &port, PromptRegistry *prompts, ResourceRegistry *resources,
                   int pageSize, QObject *parent = nullptr);

    void addMethods(MethodTable &table) override;
    void markListsSeen() override;

private:
    void handleList(const JsonRpcMessage &message);
    void handleGet(const JsonRpcMessage &message);
    void handleComplete(const JsonRpcMessage &message);
    // What answers completion/complete request `id` when the prompt or template has answered.
    CompletionReply completionAnswer(const RequestId &id);
    quint64 generation() const;

    PromptRegistry *m_prompts;
    ResourceRegistry *m_resources;
    int m_pageSize;
    quint64 m_generationSeen = 0;
};

} // namespace heartline
