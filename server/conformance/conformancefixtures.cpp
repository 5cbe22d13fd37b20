#include "conformancefixtures.h"

#include "conformanceprompts.h"
#include "conformanceresources.h"
#include "conformancetools.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "toolregistry.h"

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
