#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamprompt.h"
#include "server/tools/upstream/upstreamresource.h"
#include "tests/support/fakeupstreamchannel.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace heartline;
using heartline::testing::FakeUpstreamChannel;

namespace {

constexpr int kTimeoutMs = 100;

} // namespace

// What forwarded prompts, resources and completions send upstream: each bounded by the entry's
// timeoutMs like a tool call, failing with an error that says so and cancelled upstream.
class TestUpstreamCatalogRequest final : public heartline::testing::ReadyClientTestCase
{
    Q_OBJECT

private:
    // A ready client over a fake server that answers initialize and the lists only.
    UpstreamLink link(int timeoutMs) { return UpstreamLink{m_client.get(), u"slowsrv"_s, timeoutMs}; }

    // The request of `method` was cancelled upstream with notifications/cancelled naming it.
    bool cancelledUpstream(const QString &method) const
    {
        const QJsonObject request = m_channel->lastRequest(method);
        for (const QJsonObject &cancel : m_channel->notifications(u"notifications/cancelled"_s)) {
            if (cancel.value("params"_L1).toObject().value("requestId"_L1)
                == request.value("id"_L1))
                return true;
        }
        return false;
    }

private Q_SLOTS:
    void aPromptGetPastTheTimeoutFailsAndIsCancelledUpstream()
    {
        const UpstreamPrompt prompt(PromptDefinition{u"slowsrv__p"_s, {}, {}, {}}, u"p"_s,
                                    link(kTimeoutMs));
        QString error;
        bool answered = false;
        prompt.getAsync({}, [&](const QJsonObject &, const QString &why) {
            answered = true;
            error = why;
        });
        QCOMPARE(m_channel->requests(u"prompts/get"_s).size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(answered, 5000);
        QVERIFY2(error.contains(u"timed out after %1 ms"_s.arg(kTimeoutMs)), qPrintable(error));
        QVERIFY2(error.contains(u"slowsrv"_s), qPrintable(error));
        QVERIFY(cancelledUpstream(u"prompts/get"_s));
    }

    void aResourceReadPastTheTimeoutFailsAndIsCancelledUpstream()
    {
        ResourceDefinition definition;
        definition.uri = u"slow://thing"_s;
        definition.name = u"thing"_s;
        const UpstreamResource resource(definition, link(kTimeoutMs));
        std::optional<ResourceReadOutcome> outcome;
        resource.readAsync([&](const ResourceReadOutcome &read) { outcome = read; });
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 5000);
        QCOMPARE(outcome->status, ResourceReadOutcome::Status::Failed);
        QVERIFY2(outcome->error.contains(u"timed out"_s), qPrintable(outcome->error));
        QVERIFY(cancelledUpstream(u"resources/read"_s));
    }

    void aCompletionPastTheTimeoutFailsAndIsCancelledUpstream()
    {
        const UpstreamPrompt prompt(PromptDefinition{u"slowsrv__p"_s, {}, {}, {}}, u"p"_s,
                                    link(kTimeoutMs));
        QString error;
        bool answered = false;
        prompt.completeAsync(u"city"_s, u"Par"_s, {}, [&](const QJsonObject &, const QString &why) {
            answered = true;
            error = why;
        });
        QTRY_VERIFY_WITH_TIMEOUT(answered, 5000);
        QVERIFY2(error.contains(u"timed out"_s), qPrintable(error));
        QVERIFY(cancelledUpstream(u"completion/complete"_s));
    }

    void anAnswerInTimeIsPassedOnAndNothingIsCancelled()
    {
        const UpstreamPrompt prompt(PromptDefinition{u"slowsrv__p"_s, {}, {}, {}}, u"p"_s,
                                    link(60'000));
        QJsonObject result;
        prompt.getAsync({}, [&](const QJsonObject &got, const QString &) { result = got; });
        m_channel->answer(m_channel->lastRequest(u"prompts/get"_s),
                          QJsonObject{{"messages"_L1, QJsonArray()}});
        QTRY_VERIFY(result.contains("messages"_L1));
        QVERIFY(m_channel->notifications(u"notifications/cancelled"_s).isEmpty());
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestUpstreamCatalogRequest)
#include "tst_upstreamcatalogrequest.moc"
