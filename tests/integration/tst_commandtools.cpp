// Command tools end to end: the real server, real programs (coreutils, sh) and a client over
// HTTP. What a call's arguments can do (nothing but be text), and that nothing a command
// starts outlives its call: a timeout, the output cap and a cancel kill the whole group.

#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/command/commandtoolhost.h"
#include "server/tools/upstream/variableexpander.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/processgroup.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

CommandToolConfig commandTool(const QString &name, const QByteArray &json)
{
    const VariableExpander expander(QProcessEnvironment::systemEnvironment(), QDir::homePath());
    CommandToolConfig tool =
        parseCommandTool(name, QJsonDocument::fromJson(json).object(), expander);
    if (!tool.problem.isEmpty())
        qFatal("test tool refused: %s", qPrintable(tool.problem));
    return tool;
}

// echo, with the one argument a call gives it: no shell anywhere.
CommandToolConfig echoTool()
{
    return commandTool(u"say"_s, R"({"command": "echo", "args": ["{text}"],
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                        "required": ["text"]}})");
}

// A shell script the test writes, run with sh -c: the test's own code, not the caller's.
CommandToolConfig scriptTool(const QString &name, const QString &script,
                             const QByteArray &extraKeys = {})
{
    QJsonObject entry = QJsonDocument::fromJson("{" + extraKeys + "}").object();
    entry.insert("command"_L1, "sh"_L1);
    entry.insert("args"_L1, QJsonArray{"-c"_L1, script});
    return commandTool(name, QJsonDocument(entry).toJson());
}

QJsonObject resultOf(const QJsonObject &answer)
{
    return answer.value("result"_L1).toObject();
}

QString allText(const QJsonObject &answer)
{
    QStringList texts;
    const QJsonArray content = resultOf(answer).value("content"_L1).toArray();
    for (const QJsonValue &block : content)
        texts.append(block.toObject().value("text"_L1).toString());
    return texts.join(u'\n');
}

qint64 readPid(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return file.readAll().trimmed().toLongLong();
}

} // namespace

class tst_CommandTools final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_CommandTools()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void argumentsAreTextNeverShell_data();
    void argumentsAreTextNeverShell();
    void refusedArgumentsRunNothing_data();
    void refusedArgumentsRunNothing();
    void aFailedRunReportsItsExitCodeAndStderr();
    void aTimeoutKillsTheWholeGroup();
    void theOutputCapStopsTheCommand();
    void eachLineIsProgressWhenTheClientAsks();
    void cancellingKillsTheGroupAndAnswersNothing();
    void jsonOutputBecomesStructuredContent();
    void stdinIsEmptyAndAMissingProgramIsAnError();
    void applyReplacesChangedToolsAndKeepsTheirSwitch();

private:
    QJsonObject call(const QString &tool, const QJsonObject &arguments);
};

QJsonObject tst_CommandTools::call(const QString &tool, const QJsonObject &arguments)
{
    const McpTestSession session = openSession(m_port);
    if (!session.ok())
        qFatal("no session: %s", qPrintable(session.error));
    return finalAnswer(postOnce(m_port, session.post(), toolCallBody(5, tool, arguments)));
}

void tst_CommandTools::argumentsAreTextNeverShell_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("semicolon") << u"x; touch %1"_s;
    QTest::newRow("command substitution") << u"$(touch %1)"_s;
    QTest::newRow("backticks and pipes") << u"`touch %1` | touch %1 && touch %1"_s;
    QTest::newRow("newlines") << u"one\ntouch %1\nthree"_s;
    QTest::newRow("redirection") << u"> %1"_s;
}

void tst_CommandTools::argumentsAreTextNeverShell()
{
    QFETCH(QString, text);
    QVERIFY(startServer());
    m_server->commandTools()->apply({echoTool()});
    QTemporaryDir dir;
    const QString canary = dir.filePath(u"pwned"_s);
    const QString value = text.arg(canary);

    const QJsonObject answer = call(u"say"_s, {{"text"_L1, value}});
    QVERIFY2(!resultOf(answer).value("isError"_L1).toBool(),
             QJsonDocument(answer).toJson().constData());
    QCOMPARE(firstContentText(answer), value + u'\n'); // echo printed it back, whole
    QVERIFY(!QFile::exists(canary));
}

void tst_CommandTools::refusedArgumentsRunNothing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("an option") << u"--output=%1"_s << u"would be read as an option"_s;
    QTest::newRow("1 MB") << QString(1024 * 1024, u'x') << u"longer than a command line"_s;
}

void tst_CommandTools::refusedArgumentsRunNothing()
{
    QFETCH(QString, text);
    QFETCH(QString, reason);
    QVERIFY(startServer());
    // touch, so that a run that happened would leave a file behind.
    m_server->commandTools()->apply({commandTool(u"touch"_s, R"({"command": "touch",
        "args": ["{file}"],
        "inputSchema": {"type": "object", "properties": {"file": {"type": "string"}}}})")});
    QTemporaryDir dir;
    const QString value = text.contains(u'%') ? text.arg(dir.filePath(u"x"_s)) : text;

    const QJsonObject answer = call(u"touch"_s, {{"file"_L1, value}});
    QVERIFY(resultOf(answer).value("isError"_L1).toBool());
    QVERIFY2(firstContentText(answer).contains(reason), qPrintable(firstContentText(answer)));
    QVERIFY(QDir(dir.path()).isEmpty());
    // The server goes on serving.
    m_server->commandTools()->apply({echoTool()});
    QCOMPARE(firstContentText(call(u"say"_s, {{"text"_L1, "still here"_L1}})), u"still here\n"_s);
}

void tst_CommandTools::aFailedRunReportsItsExitCodeAndStderr()
{
    QVERIFY(startServer());
    m_server->commandTools()->apply(
        {scriptTool(u"fails"_s, u"echo partial; echo 'disk on fire' >&2; exit 3"_s)});

    const QJsonObject answer = call(u"fails"_s, {});
    QVERIFY(resultOf(answer).value("isError"_L1).toBool());
    const QString text = allText(answer);
    QVERIFY2(text.contains(u"exited with code 3"_s), qPrintable(text));
    QVERIFY2(text.contains(u"disk on fire"_s), qPrintable(text));
    QVERIFY2(text.contains(u"partial"_s), qPrintable(text));
}

void tst_CommandTools::aTimeoutKillsTheWholeGroup()
{
    QVERIFY(startServer());
    QTemporaryDir dir;
    const QString pidFile = dir.filePath(u"pids"_s);
    // The shell starts a grandchild in the background and waits: both must go.
    m_server->commandTools()->apply(
        {scriptTool(u"hangs"_s, u"sleep 60 & echo $$ $! > '%1'; echo started; wait"_s.arg(pidFile),
                    R"("timeoutMs": 400)")});

    const QJsonObject answer = call(u"hangs"_s, {});
    QVERIFY(resultOf(answer).value("isError"_L1).toBool());
    QVERIFY2(allText(answer).contains(u"longer than its timeout of 400 ms"_s),
             qPrintable(allText(answer)));
    QVERIFY2(allText(answer).contains(u"started"_s), qPrintable(allText(answer)));
    QFile file(pidFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> pids = file.readAll().trimmed().split(' ');
    QCOMPARE(pids.size(), 2);
    const qint64 group = pids.at(0).toLongLong();
    const qint64 grandchild = pids.at(1).toLongLong();
    QVERIFY(group > 0 && grandchild > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(grandchild), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(group).isEmpty(), 5000);
}

void tst_CommandTools::theOutputCapStopsTheCommand()
{
    QVERIFY(startServer());
    m_server->commandTools()->apply({commandTool(
        u"endless"_s, R"({"command": "yes", "args": ["0123456789"], "maxOutputBytes": 1000})")});

    const QJsonObject answer = call(u"endless"_s, {});
    QVERIFY(resultOf(answer).value("isError"_L1).toBool());
    const QJsonArray content = resultOf(answer).value("content"_L1).toArray();
    QCOMPARE(content.size(), 2);
    QVERIFY2(content.at(0).toObject().value("text"_L1).toString().contains(u"output cap of 1000"_s),
             QJsonDocument(answer).toJson().constData());
    const QString output = content.at(1).toObject().value("text"_L1).toString();
    QCOMPARE(output.size(), 1000);
    QVERIFY(output.startsWith(u"0123456789\n0123456789\n"_s));
}

void tst_CommandTools::eachLineIsProgressWhenTheClientAsks()
{
    QVERIFY(startServer());
    m_server->commandTools()->apply({scriptTool(
        u"lines"_s, u"echo one; sleep 0.2; echo 'two words'; sleep 0.2; printf three"_s)});
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    const HttpResponse response =
        postOnce(m_port, session.post(), toolCallBody(9, u"lines"_s, {}, u"tok"_s));
    QVERIFY2(response.isEventStream(), qPrintable(response.describe()));
    QStringList messages;
    QList<double> progress;
    for (const QJsonObject &message : messagesOf(response.sse)) {
        if (message.value("method"_L1) != "notifications/progress"_L1)
            continue;
        const QJsonObject params = message.value("params"_L1).toObject();
        QCOMPARE(params.value("progressToken"_L1).toString(), u"tok"_s);
        messages.append(params.value("message"_L1).toString());
        progress.append(params.value("progress"_L1).toDouble());
    }
    QCOMPARE(messages, (QStringList{u"one"_s, u"two words"_s, u"three"_s}));
    QCOMPARE(progress, (QList<double>{1, 2, 3}));
    const QJsonObject answer = finalAnswer(response);
    QCOMPARE(firstContentText(answer), u"one\ntwo words\nthree"_s);

    // Without a progress token the same call sends no progress.
    const HttpResponse quiet = postOnce(m_port, session.post(), toolCallBody(10, u"lines"_s, {}));
    QCOMPARE(countMethod(quiet.sse, "notifications/progress"), 0);
    QCOMPARE(firstContentText(finalAnswer(quiet)), u"one\ntwo words\nthree"_s);
}

void tst_CommandTools::cancellingKillsTheGroupAndAnswersNothing()
{
    QVERIFY(startServer());
    QTemporaryDir dir;
    const QString pidFile = dir.filePath(u"pid"_s);
    m_server->commandTools()->apply(
        {scriptTool(u"waits"_s, u"echo $$ > '%1'; echo ready; sleep 60"_s.arg(pidFile))});
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient client(m_port);
    QVERIFY(client.send("POST", "/mcp", session.post(), toolCallBody(21, u"waits"_s, {}, 1)));
    QVERIFY(client.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, "notifications/progress") >= 1;
    }));
    const qint64 group = readPid(pidFile);
    QVERIFY(group > 0);
    QVERIFY(!livingProcessesInGroup(group).isEmpty());

    const HttpResponse accepted =
        postOnce(m_port, session.post(),
                 notificationBody(u"notifications/cancelled"_s, {{"requestId"_L1, 21}}));
    QCOMPARE(accepted.status, 202);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(group).isEmpty(), 5000);
    QVERIFY(client.waitForComplete(5000));
    for (const QJsonObject &message : messagesOf(client.response().sse))
        QVERIFY2(!isFinalResponse(message), QJsonDocument(message).toJson().constData());
}

void tst_CommandTools::jsonOutputBecomesStructuredContent()
{
    QVERIFY(startServer());
    const QByteArray schema =
        R"("outputSchema": {"type": "object", "properties": {"n": {"type": "integer"}},
                            "required": ["n"]})";
    m_server->commandTools()->apply({scriptTool(u"json"_s, uR"(printf '{"n": 7}')"_s, schema),
                                     scriptTool(u"notjson"_s, u"echo hello"_s, schema)});

    const QJsonObject answer = call(u"json"_s, {});
    QVERIFY2(!resultOf(answer).value("isError"_L1).toBool(),
             QJsonDocument(answer).toJson().constData());
    QCOMPARE(resultOf(answer).value("structuredContent"_L1).toObject().value("n"_L1).toInt(), 7);

    const QJsonObject broken = call(u"notjson"_s, {});
    QVERIFY(resultOf(broken).value("isError"_L1).toBool());
    QVERIFY2(firstContentText(broken).contains(u"not a JSON object"_s),
             qPrintable(firstContentText(broken)));
}

void tst_CommandTools::stdinIsEmptyAndAMissingProgramIsAnError()
{
    QVERIFY(startServer());
    m_server->commandTools()->apply(
        {commandTool(u"cat"_s, R"({"command": "cat"})"),
         commandTool(u"ghost"_s, R"({"command": "no-such-program-heartline"})"),
         commandTool(u"nowhere"_s, R"({"command": "true", "cwd": "/no/such/folder"})")});

    // cat reads stdin: with /dev/null it ends at once instead of waiting forever.
    const QJsonObject cat = call(u"cat"_s, {});
    QVERIFY2(!resultOf(cat).value("isError"_L1).toBool(), QJsonDocument(cat).toJson().constData());
    QCOMPARE(firstContentText(cat), QString());

    const QJsonObject ghost = call(u"ghost"_s, {});
    QVERIFY(resultOf(ghost).value("isError"_L1).toBool());
    QVERIFY2(firstContentText(ghost).contains(u"not found"_s), qPrintable(firstContentText(ghost)));

    const QJsonObject nowhere = call(u"nowhere"_s, {});
    QVERIFY(resultOf(nowhere).value("isError"_L1).toBool());
    QVERIFY2(firstContentText(nowhere).contains(u"/no/such/folder does not exist"_s),
             qPrintable(firstContentText(nowhere)));
}

void tst_CommandTools::applyReplacesChangedToolsAndKeepsTheirSwitch()
{
    QVERIFY(startServer());
    ToolRegistry *tools = m_server->tools();
    m_server->commandTools()->apply({echoTool(), commandTool(u"date"_s, R"({"command": "date"})")});
    QVERIFY(tools->contains(u"say"_s));
    QVERIFY(tools->contains(u"date"_s));
    QCOMPARE(tools->definition(u"say"_s).inputSchema.value("required"_L1).toArray().size(), 1);
    tools->setEnabled(u"say"_s, false);

    // "say" changes (a description), "date" goes, a tool named like a built-in is refused,
    // and a broken entry is left out without taking the rest with it.
    CommandToolConfig changed = echoTool();
    changed.description = u"Says it back"_s;
    CommandToolConfig clash = commandTool(u"echo"_s, R"({"command": "echo"})");
    CommandToolConfig broken = commandTool(u"fine"_s, R"({"command": "true"})");
    broken.problem = u"commandTools.fine.command: something"_s;
    m_server->commandTools()->apply({changed, clash, broken});
    QVERIFY(tools->contains(u"say"_s));
    QCOMPARE(tools->definition(u"say"_s).description, u"Says it back"_s);
    QVERIFY(!tools->isEnabled(u"say"_s)); // the user's switch survives the edit
    QVERIFY(!tools->contains(u"date"_s));
    QVERIFY(!tools->contains(u"fine"_s));
    const auto entries = tools->entries();
    for (const ToolEntry &entry : entries) {
        if (entry.definition.name == "echo"_L1)
            QCOMPARE(entry.source, u"built-in"_s);
        if (entry.definition.name == "say"_L1)
            QCOMPARE(entry.source, u"command"_s);
    }

    m_server->commandTools()->apply({});
    QVERIFY(!tools->contains(u"say"_s));
    QVERIFY(tools->contains(u"echo"_s));
}

HEARTLINE_SERVER_TEST_MAIN(tst_CommandTools)
#include "tst_commandtools.moc"
