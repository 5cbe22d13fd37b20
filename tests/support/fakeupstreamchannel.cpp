#include "tests/support/fakeupstreamchannel.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline::testing {

FakeUpstreamChannel::FakeUpstreamChannel(QObject *parent)
    : UpstreamChannel(parent)
{}

void FakeUpstreamChannel::open()
{
    ++openCount;
    QTimer::singleShot(0, this, [this] {
        if (failOpen) {
            Q_EMIT closed(failReason, false);
            return;
        }
        m_open = true;
        Q_EMIT opened();
    });
}

void FakeUpstreamChannel::send(const QJsonObject &message)
{
    if (!m_open)
        return;
    sent.append(message);
    Q_EMIT messageSent(message);
    if (actAsServer)
        answerAsServer(message);
}

void FakeUpstreamChannel::close()
{
    ++closeCount;
    QTimer::singleShot(0, this, [this] {
        if (!m_open)
            return;
        m_open = false;
        Q_EMIT closed(u"closed by Heartline"_s, true);
    });
}

QList<QJsonObject> FakeUpstreamChannel::requests(const QString &method) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &message : sent) {
        if (message.contains("id"_L1) && message.value("method"_L1).toString() == method)
            found.append(message);
    }
    return found;
}

QJsonObject FakeUpstreamChannel::lastRequest(const QString &method) const
{
    const QList<QJsonObject> found = requests(method);
    return found.isEmpty() ? QJsonObject() : found.last();
}

QList<QJsonObject> FakeUpstreamChannel::notifications(const QString &method) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &message : sent) {
        if (!message.contains("id"_L1) && message.value("method"_L1).toString() == method)
            found.append(message);
    }
    return found;
}

void FakeUpstreamChannel::answer(const QJsonObject &request, const QJsonObject &result)
{
    deliver({{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, request.value("id"_L1)}, {"result"_L1, result}});
}

void FakeUpstreamChannel::answerError(const QJsonObject &request, int code, const QString &message)
{
    deliver({{"jsonrpc"_L1, "2.0"_L1},
             {"id"_L1, request.value("id"_L1)},
             {"error"_L1, QJsonObject{{"code"_L1, code}, {"message"_L1, message}}}});
}

void FakeUpstreamChannel::notifyClient(const QString &method, const QJsonObject &params)
{
    QJsonObject message{{"jsonrpc"_L1, "2.0"_L1}, {"method"_L1, method}};
    if (!params.isEmpty())
        message.insert("params"_L1, params);
    deliver(message);
}

void FakeUpstreamChannel::requestFromServer(const QJsonValue &id, const QString &method,
                                            const QJsonObject &params)
{
    QJsonObject message{{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, id}, {"method"_L1, method}};
    if (!params.isEmpty())
        message.insert("params"_L1, params);
    deliver(message);
}

void FakeUpstreamChannel::deliver(const QJsonObject &message)
{
    if (m_open)
        Q_EMIT messageReceived(message);
}

void FakeUpstreamChannel::writeDiagnostic(const QString &line)
{
    Q_EMIT diagnosticLine(line);
}

void FakeUpstreamChannel::crash(const QString &reason)
{
    if (!m_open)
        return;
    m_open = false;
    Q_EMIT closed(reason, false);
}

void FakeUpstreamChannel::answerAsServer(const QJsonObject &message)
{
    if (!message.contains("id"_L1) || !message.contains("method"_L1))
        return;
    const QString method = message.value("method"_L1).toString();
    QJsonObject result;
    if (method == "initialize"_L1) {
        result = {{"protocolVersion"_L1, serverRevision},
                  {"capabilities"_L1, serverCapabilities},
                  {"serverInfo"_L1, QJsonObject{{"name"_L1, "fake"_L1}, {"version"_L1, "1"_L1}}}};
    } else if (method == "tools/list"_L1) {
        result = {{"tools"_L1, QJsonArray()}};
    } else if (method == "prompts/list"_L1) {
        result = {{"prompts"_L1, QJsonArray()}};
    } else if (method == "resources/list"_L1) {
        result = {{"resources"_L1, QJsonArray()}};
    } else if (method == "resources/templates/list"_L1) {
        result = {{"resourceTemplates"_L1, QJsonArray()}};
    } else if (method != "ping"_L1 || ignorePings) {
        return;
    }
    // Answered on the next turn, as a process would: never from inside the client's send().
    QTimer::singleShot(0, this, [this, message, result] { answer(message, result); });
}

UpstreamSupervisor::ChannelFactory FakeChannelMaker::factory()
{
    return [this](const UpstreamServerConfig &) {
        auto *channel = new FakeUpstreamChannel;
        channel->actAsServer = true;
        channel->failOpen = failOpen;
        channel->failReason = failReason;
        channel->ignorePings = ignorePings;
        made.append(channel);
        return channel;
    };
}

std::unique_ptr<UpstreamClient> readyClientOver(FakeUpstreamChannel *channel, int timeoutMs)
{
    channel->actAsServer = true;
    auto client = std::make_unique<UpstreamClient>(channel, UpstreamClient::Options());
    QEventLoop loop;
    QObject::connect(client.get(), &UpstreamClient::ready, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    client->start();
    if (client->state() != UpstreamClient::State::Ready)
        loop.exec();
    if (client->state() != UpstreamClient::State::Ready)
        return nullptr;
    return client;
}

void ReadyClientTestCase::init()
{
    m_channel = new FakeUpstreamChannel;
    m_client = readyClientOver(m_channel);
    if (!m_client)
        qFatal("the fake upstream server did not get ready");
}

} // namespace heartline::testing
