#include "server/api/streamkind.h"

using namespace Qt::StringLiterals;

namespace heartline {

QString streamKindName(StreamKind kind)
{
    switch (kind) {
    case StreamKind::PostResponse:
        return u"post"_s;
    case StreamKind::Standalone:
        return u"get"_s;
    case StreamKind::Legacy:
        return u"legacy"_s;
    }
    return {};
}

} // namespace heartline
