#include "server/core/crossthreadcontrol.h"

#include <QThread>

namespace heartline {

CrossThreadControl::CrossThreadControl(ServerControl *target, QObject *context)
    : m_target(target)
    , m_context(context)
{}

template<typename Call>
auto CrossThreadControl::onServerThread(Call call) const -> decltype(call())
{
    // The server is gone (its thread tore down what it built): nothing to act on.
    if (!m_context)
        return decltype(call()){};
    if (m_context->thread() == QThread::currentThread())
        return call();
    decltype(call()) result{};
    QMetaObject::invokeMethod(
        m_context.data(), [&result, &call]() { result = call(); }, Qt::BlockingQueuedConnection);
    return result;
}

QList<ToolInfo> CrossThreadControl::tools() const
{
    return onServerThread([this]() { return m_target->tools(); });
}

bool CrossThreadControl::setToolEnabled(const QString &name, bool enabled, QString *error)
{
    return onServerThread(
        [this, &name, enabled, error]() { return m_target->setToolEnabled(name, enabled, error); });
}

QList<UpstreamInfo> CrossThreadControl::upstreams() const
{
    return onServerThread([this]() { return m_target->upstreams(); });
}

bool CrossThreadControl::startUpstream(const QString &name, QString *error)
{
    return onServerThread([this, &name, error]() { return m_target->startUpstream(name, error); });
}

bool CrossThreadControl::stopUpstream(const QString &name, QString *error)
{
    return onServerThread([this, &name, error]() { return m_target->stopUpstream(name, error); });
}

bool CrossThreadControl::restartUpstream(const QString &name, QString *error)
{
    return onServerThread(
        [this, &name, error]() { return m_target->restartUpstream(name, error); });
}

bool CrossThreadControl::setUpstreamEnabled(const QString &name, bool enabled, QString *error)
{
    return onServerThread([this, &name, enabled, error]() {
        return m_target->setUpstreamEnabled(name, enabled, error);
    });
}

QStringList CrossThreadControl::upstreamLog(const QString &name, QString *error) const
{
    return onServerThread([this, &name, error]() { return m_target->upstreamLog(name, error); });
}

QList<SessionInfo> CrossThreadControl::sessions() const
{
    return onServerThread([this]() { return m_target->sessions(); });
}

bool CrossThreadControl::closeSession(const QString &idOrPrefix, QString *error)
{
    return onServerThread(
        [this, &idOrPrefix, error]() { return m_target->closeSession(idOrPrefix, error); });
}

QList<StreamStats> CrossThreadControl::streamStats() const
{
    return onServerThread([this]() { return m_target->streamStats(); });
}

ServerConfig CrossThreadControl::settings() const
{
    return onServerThread([this]() { return m_target->settings(); });
}

bool CrossThreadControl::applySettings(const ServerConfig &config, QString *error)
{
    return onServerThread(
        [this, &config, error]() { return m_target->applySettings(config, error); });
}

} // namespace heartline
