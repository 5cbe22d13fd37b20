#include "server/tools/conformance/conformancefixtures.h"

#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/conformance/conformanceprompts.h"
#include "server/tools/conformance/conformanceresources.h"
#include "server/tools/conformance/conformancetools.h"

using namespace Qt::StringLiterals;

namespace heartline {

bool registerConformanceFixtures(ToolRegistry *tools, ResourceRegistry *resources,
                                 PromptRegistry *prompts)
{
    bool ok = true;
    if (tools) {
        for (const std::shared_ptr<Tool> &tool : conformanceTools())
            ok = tools->registerTool(tool, u"conformance"_s) && ok;
    }
    if (resources) {
        for (const std::shared_ptr<Resource> &resource : conformanceResources())
            ok = resources->registerResource(resource) && ok;
        for (const std::shared_ptr<ResourceTemplate> &resourceTemplate :
             conformanceResourceTemplates())
            ok = resources->registerTemplate(resourceTemplate) && ok;
    }
    if (prompts) {
        for (const std::shared_ptr<Prompt> &prompt : conformancePrompts())
            ok = prompts->registerPrompt(prompt) && ok;
    }
    return ok;
}

} // namespace heartline
