// The real Heartline server, in this process on port 0, spoken to in raw HTTP/1.1: a prompt
// that answers later (as an upstream server's does) keeps its POST open with heartbeats until
// the answer comes, and an answer that comes after its session was deleted goes nowhere while
// the server keeps serving.

#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"

#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/prompt.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/session/sessionstore.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

// A prompt that keeps each prompts/get for the test to answer.
class LatePrompt final : public Prompt
{
public:
    explicit LatePrompt(QList<PromptReply> *asked)
        : m_asked(asked)
    {}

    PromptDefinition definition() const override { return {u"late"_s, {}, {}, {}}; }

    void getAsync(const QHash<QString, QString> & /*arguments*/, PromptReply reply) const override
    {
        m_asked->append(std::move(reply));
    }

private:
    QList<PromptReply> *m_asked;
};

QJsonObject answer()
{
    return {{"description"_L1, "said later"_L1},
            {"messages"_L1,
             QJsonArray{QJsonObject{
                 {"role"_L1, "user"_L1},
                 {"content"_L1, QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, "late"_L1}}}}}}};
}

} // namespace

class tst_LateAnswers final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_LateAnswers()
        // Heartbeats every 50 ms, POST replies turning into streams after 20 ms.
        : InProcessServerTest(loopbackConfig(50, 20))
    {}

private Q_SLOTS:
    void init();
    void lateAnswerEndsItsPostAfterHeartbeats();
    void answerAfterSessionDeletedGoesNowhere();

private:
    // Opens a session and POSTs prompts/get of the late prompt (id 7) on `client`; empty once
    // the prompt has been asked, else what went wrong.
    QString askLatePrompt(RawHttpClient &client, McpTestSession *session);

    QList<PromptReply> m_asked;
};

void tst_LateAnswers::init()
{
    m_asked.clear();
    QVERIFY(startServer());
    QVERIFY(m_server->prompts());
    QVERIFY(m_server->prompts()->registerPrompt(std::make_shared<LatePrompt>(&m_asked)));
}

QString tst_LateAnswers::askLatePrompt(RawHttpClient &client, McpTestSession *session)
{
    *session = openSession(m_port);
    if (!session->ok())
        return session->error;
    if (!client.send("POST", "/mcp", session->post(),
                     requestBody(7, u"prompts/get"_s, {{"name"_L1, "late"_L1}})))
        return u"the POST could not be sent"_s;
    if (!QTest::qWaitFor([this]() { return m_asked.size() == 1; }, 5000))
        return u"the prompt was not asked"_s;
    return {};
}

void tst_LateAnswers::lateAnswerEndsItsPostAfterHeartbeats()
{
    McpTestSession session;
    RawHttpClient client(m_port);
    const QString problem = askLatePrompt(client, &session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // The request waits on an open stream that heartbeats keep alive.
    QVERIFY2(client.waitForSse(
                 [](const QList<SseItem> &items) { return heartbeatCount(items) >= 2; }, 5000),
             qPrintable(client.response().describe()));
    QVERIFY(!client.response().complete);

    m_asked.first()(answer(), {});
    QVERIFY2(client.waitForComplete(5000), qPrintable(client.response().describe()));
    const QList<QJsonObject> messages = messagesOf(client.response().sse);
    QVERIFY(!messages.isEmpty());
    QCOMPARE(messages.last().value("id"_L1), QJsonValue(7));
    QCOMPARE(messages.last().value("result"_L1).toObject(), answer());
}

void tst_LateAnswers::answerAfterSessionDeletedGoesNowhere()
{
    McpTestSession session;
    RawHttpClient client(m_port);
    const QString problem = askLatePrompt(client, &session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    RawHttpClient deleter(m_port);
    const HttpResponse deleted = deleter.request("DELETE", "/mcp", session.post());
    QVERIFY2(deleted.status >= 200 && deleted.status < 300, qPrintable(deleted.describe()));
    // The pending POST is ended by the session's end, not by the late answer.
    QVERIFY2(client.waitForComplete(5000), qPrintable(client.response().describe()));
    const QByteArray before = client.response().rawBody;
    QTRY_COMPARE_WITH_TIMEOUT(m_server->sessions()->count(), 0, 5000);

    m_asked.first()(answer(), {});
    // Nothing more is written anywhere, and the server serves the next session.
    QCOMPARE(client.response().rawBody, before);
    QVERIFY(client.unexpectedBytes().isEmpty());
    const McpTestSession next = openSession(m_port);
    QVERIFY2(next.ok(), qPrintable(next.error));
    QString error;
    QVERIFY2(!listToolNames(m_port, next, &error).isEmpty(), qPrintable(error));
}

HEARTLINE_SERVER_TEST_MAIN(tst_LateAnswers)
#include "tst_lateanswers.moc"
