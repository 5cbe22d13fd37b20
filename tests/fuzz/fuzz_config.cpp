// Text as a config file (heartline.json) through every section the running instance reads: the
// server settings, mcpServers with ${...} expansion, commandTools with their argument templates.
//
// Invariants: nothing crashes; a file that reads is read the same the second time; and an
// upstream server without a `problem` can run as written (a stdio server has a command, a remote
// one an http(s) URL), so a bad entry is always named instead of started.

#include "app/configfilesettings.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QUrl>

using namespace heartline;
using namespace Qt::StringLiterals;

HEARTLINE_FUZZ_INITIALIZE()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text = fuzzing::bytes(data, size);
    const QProcessEnvironment environment = fuzzing::environment();

    ConfigFileSettings first;
    QString error;
    if (!readConfigText(text, u"fuzz.json"_s, environment, &first, &error))
        return 0;
    ConfigFileSettings second;
    if (!readConfigText(text, u"fuzz.json"_s, environment, &second, &error)
        || second.upstreamServers != first.upstreamServers
        || second.commandTools != first.commandTools)
        fuzzing::fail("the same text read differently", text);
    for (const UpstreamServerConfig &server : std::as_const(first.upstreamServers)) {
        if (!server.problem.isEmpty())
            continue;
        if (server.transport == UpstreamServerConfig::Transport::Stdio) {
            if (server.command.trimmed().isEmpty())
                fuzzing::fail("a stdio server without a command has no problem", text);
        } else {
            const QUrl url(server.url);
            if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1))
                fuzzing::fail("a remote server without an http(s) URL has no problem", text);
        }
    }
    return 0;
}
