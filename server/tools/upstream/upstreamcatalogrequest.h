#pragma once

#include "server/protocol/catalog/completion.h"
#include "server/protocol/catalog/resource.h"

#include <QHash>
#include <QJsonObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace heartline {

class UpstreamClient;

// Where an upstream prompt, resource or template sends what it is asked: the client of its
// server, held weakly (the server may stop or restart while the entry is registered), and the
// server's name for the errors clients read.
struct UpstreamLink
{
    QPointer<UpstreamClient> client;
    QString server;
    // The entry's timeoutMs (0 = none): a request past it fails and is cancelled upstream.
    int timeoutMs = 0;
};

// The fields a resource and a template describe themselves with, read from the upstream's list
// entry. The schema requires a name; a server that left it out gets `fallbackName` (its URI).
template<typename Definition>
void readDescription(const QJsonObject &entry, const QString &fallbackName, Definition *definition)
{
    using namespace Qt::StringLiterals;
    definition->name = entry.value("name"_L1).toString(fallbackName);
    definition->title = entry.value("title"_L1).toString();
    definition->description = entry.value("description"_L1).toString();
    definition->mimeType = entry.value("mimeType"_L1).toString();
    definition->annotations = entry.value("annotations"_L1).toObject();
}

// The requests the forwarding catalog entries send, each answered exactly once: with the
// upstream's answer, the upstream's error, a timeout after link.timeoutMs (the request then
// cancelled upstream), or at once with "not running" when there is no ready client to ask.
namespace UpstreamCatalogRequest {

QString notRunning(const QString &server);
// An upstream's JSON-RPC error as the downstream client reads it, naming the server.
QString describeError(const QString &server, int code, const QString &message);

void send(const UpstreamLink &link, const QString &method, const QJsonObject &params,
          std::function<void(const QJsonObject &result)> onResult,
          std::function<void(const QString &error, int code)> onError);

// completion/complete with `ref` as the upstream knows it (its own prompt name, its template).
void complete(const UpstreamLink &link, const QJsonObject &ref, const QString &argument,
              const QString &typed, const QHash<QString, QString> &context, CompletionReply reply);

// resources/read of `uri`; the upstream's resource-not-found error (-32002) is "not found", so
// the next template matching the URI is tried.
void read(const UpstreamLink &link, const QString &uri, ResourceReadReply reply);

} // namespace UpstreamCatalogRequest

} // namespace heartline
