#include "server/tools/upstream/remotehttp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

namespace heartline::RemoteHttp {

QString urlProblem(const QUrl &url)
{
    if (!url.isValid())
        return u"the url is not valid: %1"_s.arg(url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme != "http"_L1 && scheme != "https"_L1)
        return u"the url must start with http:// or https://: %1"_s.arg(url.toDisplayString());
    if (url.host().isEmpty())
        return u"the url names no host: %1"_s.arg(url.toDisplayString());
    if (!url.userInfo().isEmpty())
        return u"the url carries a user name or password; put credentials in `headers` "
               "instead"_s;
    return {};
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort = [](const QUrl &url) {
        return url.scheme().toLower() == "https"_L1 ? 443 : 80;
    };
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0
           && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
           && a.port(defaultPort(a)) == b.port(defaultPort(b));
}

QNetworkRequest request(const QUrl &url, const QHash<QString, QString> &headers)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("heartline"));
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        request.setRawHeader(it.key().toUtf8(), it.value().toUtf8());
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::SameOriginRedirectPolicy);
    // No cookies of one upstream for another, no cache in between: each exchange is its own.
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    return request;
}

int status(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

QByteArray mediaType(const QNetworkReply *reply)
{
    const QByteArray contentType = reply->rawHeader("Content-Type");
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

QString failure(QNetworkReply *reply, const QByteArray &body)
{
    const int code = status(reply);
    if (code == 0)
        return reply->errorString();
    const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    QString line = u"HTTP %1"_s.arg(code);
    if (!phrase.isEmpty())
        line += u' ' + phrase;
    const QByteArray start = body.left(kQuotedBodyBytes).simplified();
    if (!start.isEmpty())
        line += u": "_s + QString::fromUtf8(start)
                + (body.size() > kQuotedBodyBytes ? u"..."_s : QString());
    return line;
}

QList<QJsonObject> parseMessages(const QByteArray &body, QString *problem)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        *problem = u"not JSON (%1 at offset %2): %3"_s.arg(error.errorString())
                       .arg(error.offset)
                       .arg(QString::fromUtf8(body.left(kQuotedBodyBytes)));
        return {};
    }
    if (document.isObject())
        return {document.object()};
    QList<QJsonObject> messages;
    const QJsonArray batch = document.array();
    for (const QJsonValue &value : batch) {
        if (!value.isObject()) {
            *problem = u"a batch entry is not a JSON-RPC message"_s;
            continue;
        }
        messages.append(value.toObject());
    }
    if (batch.isEmpty())
        *problem = u"an empty JSON-RPC batch"_s;
    return messages;
}

bool isRequest(const QJsonObject &message)
{
    return message.contains("method"_L1) && message.contains("id"_L1);
}

bool isResponse(const QJsonObject &message)
{
    return !message.contains("method"_L1)
           && (message.contains("result"_L1) || message.contains("error"_L1));
}

QJsonObject errorResponse(const QJsonValue &id, const QString &message)
{
    // -32603 Internal error: the request may or may not have reached the upstream.
    return {{"jsonrpc"_L1, u"2.0"_s},
            {"id"_L1, id},
            {"error"_L1, QJsonObject{{"code"_L1, -32603}, {"message"_L1, message}}}};
}

void abandon(QNetworkReply *reply, QObject *receiver)
{
    if (!reply)
        return;
    QObject::disconnect(reply, nullptr, receiver, nullptr);
    reply->abort();
    reply->deleteLater();
}

} // namespace heartline::RemoteHttp
