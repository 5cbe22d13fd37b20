#include "server/protocol/catalog/tool.h"
#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamforwarder.h"
#include "tests/support/fakeupstreamchannel.h"
#include "tests/support/servertestmain.h"

#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using heartline::testing::FakeUpstreamChannel;

// A forwarded tools/call as the upstream receives it: the client's _meta passed on, with
// Heartline's own progress token in place of the client's.
class TestUpstreamForwarder final : public heartline::testing::ReadyClientTestCase
{
    Q_OBJECT

private:
    // The params the upstream got for a call whose client sent `meta`.
    QJsonObject sentParamsFor(const QJsonObject &meta, const QJsonValue &progressToken)
    {
        UpstreamForwarder forwarder(u"srv"_s);
        forwarder.attach(m_client.get());
        ToolCall call(u"srv__tool"_s, QJsonObject{{"a"_L1, 1}}, progressToken);
        call.setMeta(meta);
        forwarder.callTool(u"tool"_s, &call);
        const QJsonObject sent = m_channel->lastRequest(u"tools/call"_s);
        forwarder.detach(u"test over"_s);
        return sent.value("params"_L1).toObject();
    }

private Q_SLOTS:
    void theClientsMetaIsPassedOnWithHeartlinesProgressToken()
    {
        const QJsonObject meta{{"progressToken"_L1, "client-token"_L1},
                               {"com.example/trace"_L1, QJsonObject{{"id"_L1, "abc"_L1}}},
                               {"note"_L1, 42}};
        const QJsonObject params = sentParamsFor(meta, u"client-token"_s);
        QCOMPARE(params.value("name"_L1).toString(), u"tool"_s);
        QCOMPARE(params.value("arguments"_L1).toObject().value("a"_L1).toInt(), 1);
        const QJsonObject sentMeta = params.value("_meta"_L1).toObject();
        QCOMPARE(sentMeta.value("com.example/trace"_L1), meta.value("com.example/trace"_L1));
        QCOMPARE(sentMeta.value("note"_L1).toInt(), 42);
        // Heartline's own token: the upstream request's id, never the client's value.
        const QJsonObject sent = m_channel->lastRequest(u"tools/call"_s);
        QCOMPARE(sentMeta.value("progressToken"_L1), sent.value("id"_L1));
    }

    void aClientTokenThatCannotBeUsedIsNotPassedOn()
    {
        // No usable token (the session passes none): the client's raw value must not leak.
        const QJsonObject params =
            sentParamsFor(QJsonObject{{"progressToken"_L1, "x"_L1}, {"keep"_L1, true}},
                          QJsonValue(QJsonValue::Undefined));
        const QJsonObject sentMeta = params.value("_meta"_L1).toObject();
        QVERIFY(!sentMeta.contains("progressToken"_L1));
        QVERIFY(sentMeta.value("keep"_L1).toBool());
    }

    void noMetaSendsNoMeta()
    {
        const QJsonObject params = sentParamsFor({}, QJsonValue(QJsonValue::Undefined));
        QVERIFY(!params.contains("_meta"_L1));
    }

    void theStatelessFramingOfTheClientsHopStaysHere()
    {
        const QJsonObject meta{{"io.modelcontextprotocol/protocolVersion"_L1, "2026-07-28"_L1},
                               {"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject()},
                               {"io.modelcontextprotocol/clientInfo"_L1, QJsonObject()},
                               {"io.modelcontextprotocol/logLevel"_L1, "debug"_L1},
                               {"io.modelcontextprotocol/other"_L1, 1}};
        const QJsonObject passed = UpstreamForwarder::metaForUpstream(meta);
        QCOMPARE(passed, (QJsonObject{{"io.modelcontextprotocol/other"_L1, 1}}));
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestUpstreamForwarder)
#include "tst_upstreamforwarder.moc"
