#include "server/tools/upstream/upstreamcatalogrequest.h"

#include "server/protocol/wire/jsonrpc.h"
#include "server/tools/upstream/upstreamclient.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace heartline::UpstreamCatalogRequest {

QString notRunning(const QString &server)
{
    return u"upstream server '%1' is not running"_s.arg(server);
}

QString describeError(const QString &server, int code, const QString &message)
{
    return u"%1 (upstream server '%2', error %3)"_s.arg(message, server).arg(code);
}

void send(const UpstreamLink &link, const QString &method, const QJsonObject &params,
          std::function<void(const QJsonObject &result)> onResult,
          std::function<void(const QString &error, int code)> onError)
{
    if (!link.client || link.client->state() != UpstreamClient::State::Ready) {
        onError(notRunning(link.server), int(JsonRpcCode::InternalError));
        return;
    }
    UpstreamClient::Reply reply;
    reply.onResult = std::move(onResult);
    reply.onError = [server = link.server, onError = std::move(onError)](
                        int code, const QString &message, const QJsonValue &data) {
        Q_UNUSED(data)
        onError(describeError(server, code, message), code);
    };
    link.client->request(method, params, std::move(reply), link.timeoutMs);
}

void complete(const UpstreamLink &link, const QJsonObject &ref, const QString &argument,
              const QString &typed, const QHash<QString, QString> &context, CompletionReply reply)
{
    QJsonObject params{{"ref"_L1, ref},
                       {"argument"_L1, QJsonObject{{"name"_L1, argument}, {"value"_L1, typed}}}};
    if (!context.isEmpty()) {
        QJsonObject arguments;
        for (auto it = context.cbegin(); it != context.cend(); ++it)
            arguments.insert(it.key(), it.value());
        params.insert("context"_L1, QJsonObject{{"arguments"_L1, arguments}});
    }
    send(
        link, u"completion/complete"_s, params,
        [reply, server = link.server](const QJsonObject &result) {
            const QJsonValue completion = result.value("completion"_L1);
            if (!completion.isObject()) {
                reply({}, u"upstream server '%1' answered completion/complete without a "
                          "\"completion\" object"_s.arg(server));
                return;
            }
            reply(completion.toObject(), {});
        },
        [reply](const QString &error, int code) {
            Q_UNUSED(code)
            reply({}, error);
        });
}

void read(const UpstreamLink &link, const QString &uri, ResourceReadReply reply)
{
    send(
        link, u"resources/read"_s, {{"uri"_L1, uri}},
        [reply, server = link.server](const QJsonObject &result) {
            const QJsonValue contents = result.value("contents"_L1);
            if (!contents.isArray()) {
                reply(ResourceReadOutcome::failed(
                    u"upstream server '%1' answered resources/read without a \"contents\" "
                    "array"_s.arg(server)));
                return;
            }
            reply(ResourceReadOutcome::found(contents.toArray()));
        },
        [reply](const QString &error, int code) {
            if (code == int(JsonRpcCode::ResourceNotFound))
                reply(ResourceReadOutcome::notFound());
            else
                reply(ResourceReadOutcome::failed(error));
        });
}

} // namespace heartline::UpstreamCatalogRequest
