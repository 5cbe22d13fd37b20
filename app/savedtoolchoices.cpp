#include "app/savedtoolchoices.h"

#include "server/api/servercontrol.h"

#include <QLoggingCategory>

namespace heartline {

Q_LOGGING_CATEGORY(lcToolChoices, "heartline.app.toolchoices")

void applySavedToolChoices(ServerControl *control, const QStringList &disabledTools)
{
    for (const ToolInfo &entry : control->tools()) {
        const QString &name = entry.name;
        if (!disabledTools.contains(name) || !entry.enabled)
            continue;
        QString error;
        if (!control->setToolEnabled(name, false, &error))
            qCWarning(lcToolChoices).noquote() << "could not disable" << name << "again:" << error;
    }
}

} // namespace heartline
