#include "server/tools/builtintools.h"

#include "server/protocol/catalog/toolregistry.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

QJsonObject readOnlyAnnotations()
{
    return {{"readOnlyHint"_L1, true}, {"openWorldHint"_L1, false}};
}

} // namespace

ToolDefinition EchoTool::definition() const
{
    return {u"echo"_s,
            u"Echo"_s,
            u"Returns the given message unchanged. Useful to check a connection end to end."_s,
            QJsonObject{{"type"_L1, "object"_L1},
                        {"properties"_L1,
                         QJsonObject{{"message"_L1, QJsonObject{{"type"_L1, "string"_L1},
                                                                {"description"_L1,
                                                                 "The text to send back"_L1}}}}},
                        {"required"_L1, QJsonArray{"message"_L1}},
                        {"additionalProperties"_L1, false}},
            {},
            readOnlyAnnotations()};
}

void EchoTool::call(ToolCall *call)
{
    call->finishWithText(call->arguments().value("message"_L1).toString());
}

ToolDefinition SleepTool::definition() const
{
    return {
        u"sleep"_s,
        u"Sleep"_s,
        u"Waits the given number of milliseconds, then answers. Sends a progress notification "
        "every progressEveryMs (default 1000) when the request carries a progress token. "
        "Use it to see a long call survive proxies and heartbeats."_s,
        QJsonObject{
            {"type"_L1, "object"_L1},
            {"properties"_L1,
             QJsonObject{
                 {"ms"_L1, QJsonObject{{"type"_L1, "integer"_L1},
                                       {"minimum"_L1, 0},
                                       {"maximum"_L1, kMaxMs},
                                       {"description"_L1, "How long to wait, in milliseconds"_L1}}},
                 {"progressEveryMs"_L1,
                  QJsonObject{
                      {"type"_L1, "integer"_L1},
                      {"minimum"_L1, 10},
                      {"maximum"_L1, kMaxMs},
                      {"description"_L1,
                       "How often to report progress, in milliseconds (default 1000)"_L1}}}}},
            {"required"_L1, QJsonArray{"ms"_L1}},
            {"additionalProperties"_L1, false}},
        {},
        readOnlyAnnotations()};
}

void SleepTool::call(ToolCall *call)
{
    const int ms = call->arguments().value("ms"_L1).toInt();
    const int every = call->arguments().value("progressEveryMs"_L1).toInt(kDefaultProgressEveryMs);

    // Both timers are children of the call: cancelling or finishing deletes the call and,
    // with it, any tick still scheduled.
    auto *done = new QTimer(call);
    done->setSingleShot(true);
    done->setTimerType(Qt::PreciseTimer);
    QObject::connect(done, &QTimer::timeout, call,
                     [call, ms]() { call->finishWithText(u"Slept %1 ms."_s.arg(ms)); });

    if (call->wantsProgress() && every < ms) {
        auto *ticker = new QTimer(call);
        ticker->setInterval(every);
        auto elapsed = std::make_shared<QElapsedTimer>();
        elapsed->start();
        QObject::connect(ticker, &QTimer::timeout, call, [call, ms, elapsed]() {
            const qint64 sofar = qMin<qint64>(elapsed->elapsed(), ms);
            call->reportProgress(double(sofar), double(ms), u"%1 of %2 ms"_s.arg(sofar).arg(ms));
        });
        QObject::connect(call, &ToolCall::cancelled, ticker, &QTimer::stop);
        ticker->start();
    }
    QObject::connect(call, &ToolCall::cancelled, done, &QTimer::stop);
    done->start(ms);
}

ToolDefinition NowTool::definition() const
{
    return {
        u"now"_s,
        u"Current time"_s,
        u"Returns the current local time (ISO 8601 with UTC offset), the IANA time zone and "
        "the Unix time in milliseconds."_s,
        QJsonObject{{"type"_L1, "object"_L1},
                    {"properties"_L1, QJsonObject{}},
                    {"additionalProperties"_L1, false}},
        QJsonObject{{"type"_L1, "object"_L1},
                    {"properties"_L1,
                     QJsonObject{{"iso8601"_L1, QJsonObject{{"type"_L1, "string"_L1}}},
                                 {"timeZone"_L1, QJsonObject{{"type"_L1, "string"_L1}}},
                                 {"utcOffsetSeconds"_L1, QJsonObject{{"type"_L1, "integer"_L1}}},
                                 {"unixMs"_L1, QJsonObject{{"type"_L1, "integer"_L1}}}}},
                    {"required"_L1,
                     QJsonArray{"iso8601"_L1, "timeZone"_L1, "utcOffsetSeconds"_L1, "unixMs"_L1}}},
        readOnlyAnnotations()};
}

void NowTool::call(ToolCall *call)
{
    const QDateTime now = QDateTime::currentDateTime();
    const QJsonObject structured{
        {"iso8601"_L1, now.toOffsetFromUtc(now.offsetFromUtc()).toString(Qt::ISODateWithMs)},
        {"timeZone"_L1, QString::fromUtf8(QTimeZone::systemTimeZoneId())},
        {"utcOffsetSeconds"_L1, now.offsetFromUtc()},
        {"unixMs"_L1, now.toMSecsSinceEpoch()}};
    // Structured output also goes out as text for clients older than 2025-06-18.
    call->finish(
        {{"content"_L1,
          QJsonArray{QJsonObject{
              {"type"_L1, "text"_L1},
              {"text"_L1,
               QString::fromUtf8(QJsonDocument(structured).toJson(QJsonDocument::Compact))}}}},
         {"structuredContent"_L1, structured}});
}

void registerBuiltinTools(ToolRegistry *registry)
{
    registry->registerTool(std::make_shared<EchoTool>());
    registry->registerTool(std::make_shared<SleepTool>());
    registry->registerTool(std::make_shared<NowTool>());
}

} // namespace heartline
