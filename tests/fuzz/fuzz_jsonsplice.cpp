// Another program's config file (an MCP client's mcp.json, comments allowed) through the editor
// that `heartline connect` writes Heartline's entry with: setJsonMember, then removeJsonMember.
//
// Invariants: nothing crashes; setting is idempotent (set again, not one byte changes); when the
// file is plain JSON, the result is too, holding the entry with its value and every other
// top-level member unchanged; what was set can be removed, and is then gone.

#include "server/protocol/wire/jsonsplice.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace heartline;
using namespace Qt::StringLiterals;

HEARTLINE_FUZZ_INITIALIZE()

namespace {

const QStringList kPath{u"mcpServers"_s, u"heartline"_s};
const QByteArray kValue = R"({"type": "http", "url": "http://127.0.0.1:8650/mcp"})";

QJsonObject objectOf(const QByteArray &text, bool *ok)
{
    const QJsonDocument document = QJsonDocument::fromJson(text);
    *ok = document.isObject();
    return document.object();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray original = fuzzing::bytes(data, size);
    QByteArray text = original;
    QString error;
    if (!setJsonMember(&text, kPath, kValue, &error))
        return 0;
    QByteArray again = text;
    if (!setJsonMember(&again, kPath, kValue, &error) || again != text)
        fuzzing::fail("setting the same member twice changed the text", original);

    bool plain = false;
    const QJsonObject before = objectOf(original, &plain);
    if (plain) {
        bool parsed = false;
        const QJsonObject after = objectOf(text, &parsed);
        if (!parsed)
            fuzzing::fail("plain JSON edited into text that does not parse", original);
        const QJsonObject servers = after.value("mcpServers"_L1).toObject();
        if (servers.value("heartline"_L1).toObject() != QJsonDocument::fromJson(kValue).object())
            fuzzing::fail("the member set does not hold its value", original);
        for (auto it = before.constBegin(); it != before.constEnd(); ++it) {
            if (it.key() != "mcpServers"_L1 && after.value(it.key()) != it.value())
                fuzzing::fail("another top-level member changed", original);
        }
    }

    if (!removeJsonMember(&text, kPath, &error))
        fuzzing::fail("the member just set could not be removed", original);
    if (plain) {
        bool parsed = false;
        const QJsonObject removed = objectOf(text, &parsed);
        if (!parsed || removed.value("mcpServers"_L1).toObject().contains("heartline"_L1))
            fuzzing::fail("the member removed is still there, or the text broke", original);
    }
    return 0;
}
