#include "server/core/upstreamswitchwriter.h"

#include "server/core/configdocument.h"

#include <functional>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

bool editEntry(const QString &path, const QString &server,
               const std::function<void(ConfigDocument &)> &edit, QString *error)
{
    if (path.isEmpty())
        return true;
    ConfigDocument document(path);
    if (!document.load(error))
        return false;
    if (!document.hasServer(server)) {
        // Never written from here: an entry is a command line, and only the person writes those.
        *error = u"%1: has no mcpServers entry '%2' (was it just removed?); nothing changed"_s.arg(
            path, server);
        return false;
    }
    edit(document);
    return document.save(error);
}

} // namespace

bool UpstreamSwitchWriter::writeEnabled(const QString &server, bool enabled, QString *error) const
{
    return editEntry(
        m_path, server,
        [&](ConfigDocument &document) { document.setEnabled(server, enabled); }, error);
}

bool UpstreamSwitchWriter::writeDisabledTools(const QString &server,
                                              const QStringList &upstreamTools,
                                              QString *error) const
{
    return editEntry(
        m_path, server,
        [&](ConfigDocument &document) { document.setDisabledTools(server, upstreamTools); },
        error);
}

} // namespace heartline
