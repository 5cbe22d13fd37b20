#include "server/protocol/session/sessionfeature.h"

#include "server/protocol/catalog/pagination.h"

#include <QJsonArray>

#include <algorithm>
#include <vector>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSession, "heartline.protocol.session")

SessionFeature::SessionFeature(SessionPort &port, QObject *parent)
    : QObject(parent)
    , m_port(port)
{}

bool SessionFeature::cancel(const RequestId &id, const QString &reason)
{
    Q_UNUSED(reason)
    if (!m_awaited.forget(id))
        return false;
    m_port.finishPending(id, RequestOutcome::Result::Cancelled);
    return true;
}

void SessionFeature::requestFinished(const RequestId &id)
{
    m_awaited.forget(id);
}

bool SessionFeature::paginate(const JsonRpcMessage &message,
                              const QList<QPair<QString, QJsonObject>> &items,
                              const QString &listKey, int pageSize, QJsonObject *result)
{
    const QJsonValue cursorValue = message.paramsObject().value("cursor"_L1);
    QString after;
    if (!cursorValue.isUndefined() && !cursorValue.isNull()
        && !(cursorValue.isString() && Pagination::decode(cursorValue.toString(), &after))) {
        m_port.respondError(
            message.id, JsonRpcCode::InvalidParams,
            u"Invalid params: unknown cursor; use the nextCursor of a previous page"_s);
        return false;
    }
    QJsonArray page;
    QString lastKey;
    bool more = false;
    for (const auto &item : items) {
        if (!after.isEmpty() && item.first <= after)
            continue;
        if (page.size() == pageSize) {
            more = true;
            break;
        }
        page.append(item.second);
        lastKey = item.first;
    }
    result->insert(listKey, page);
    if (more)
        result->insert("nextCursor"_L1, Pagination::cursorAfter(lastKey));
    return true;
}

bool SessionFeature::readStringParam(const JsonRpcMessage &message, const QString &name,
                                     QString *value)
{
    const QJsonValue param = message.paramsObject().value(name);
    if (!param.isString() || param.toString().isEmpty()) {
        m_port.rejectMalformed(
            message.id,
            u"Invalid params: %1 needs \"%2\" as a non-empty string"_s.arg(message.method, name));
        return false;
    }
    *value = param.toString();
    return true;
}

void SessionFeature::announceListChange(quint64 generation, quint64 *seen, const QString &method)
{
    if (!m_port.isReady() || generation == *seen)
        return;
    *seen = generation;
    // Every session announces the same change with the same bytes: made once per method (on
    // the server's one thread), not 10,000 times.
    struct Announcement
    {
        QString method;
        QJsonObject json;
        QByteArray bytes;
    };
    thread_local std::vector<Announcement> made;
    auto it = std::find_if(made.begin(), made.end(),
                           [&method](const Announcement &a) { return a.method == method; });
    if (it == made.end()) {
        const QJsonObject json = JsonRpc::notification(method);
        made.push_back({method, json, JsonRpc::serialize(json)});
        it = made.end() - 1;
    }
    m_port.sendUnrelatedSerialized(it->json, it->bytes);
}

} // namespace heartline
