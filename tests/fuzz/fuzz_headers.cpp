// The small parsers of what a client sends besides the body: 2026-07-28's mirrored header
// values with the =?base64?...?= sentinel, the Accept header, URI template matching
// (resources/read against templates), and ${...} expansion of config values. The input is cut
// at its first two newlines into the parts each one takes.
//
// Invariants: nothing crashes (under ASan and UBSan); a plain header value accepted holds no
// control character but tab (the base64 sentinel may carry any); text without "${" expands to
// itself.

#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/session/requestmetadata.h"
#include "server/tools/upstream/variableexpander.h"
#include "server/transport/streamablehttp.h"
#include "tests/fuzz/fuzzsupport.h"

using namespace heartline;
using namespace Qt::StringLiterals;

HEARTLINE_FUZZ_INITIALIZE()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzzing::bytes(data, size);
    const QList<QByteArray> parts = input.split('\n');
    const QByteArray first = parts.value(0);
    const QByteArray second = parts.value(1);

    QString value;
    QString problem;
    // The base64 sentinel exists to carry any text; a plain value must be header-safe.
    if (RequestMetadata::decodeHeaderValue(first, &value, &problem)
        && !first.trimmed().startsWith("=?base64?")) {
        for (const QChar c : std::as_const(value)) {
            if (c.unicode() < 0x20 && c != u'\t')
                fuzzing::fail("a decoded header value holds a control character", input);
        }
    }

    StreamableHttp::acceptsMediaType(first, "text/event-stream");
    StreamableHttp::acceptsMediaType(first, "application/json");

    QHash<QString, QString> variables;
    UriTemplate::match(QString::fromUtf8(first), QString::fromUtf8(second), &variables);
    UriTemplate::variableNames(QString::fromUtf8(first));

    const VariableExpander expander(fuzzing::environment(), u"/home/fuzz"_s);
    const QString text = QString::fromUtf8(input);
    QString expanded;
    QString error;
    if (expander.expand(text, &expanded, &error) && !text.contains("${"_L1) && expanded != text)
        fuzzing::fail("text without ${ changed in expansion", input);
    expander.expandKeepingSecrets(text, &expanded, &error);
    return 0;
}
