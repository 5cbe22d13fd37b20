// The config file's commandTools entries: what an entry becomes, and the one line that says
// which key is wrong when it cannot be offered.

#include "server/tools/command/commandtoolconfig.h"
#include "server/tools/upstream/variableexpander.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

VariableExpander expander()
{
    QProcessEnvironment environment(QProcessEnvironment::InheritFromParent);
    environment.clear();
    environment.insert(u"TOOLS"_s, u"/opt/tools"_s);
    return VariableExpander(environment, u"/home/ada"_s);
}

CommandToolConfig entry(const QString &name, const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return parseCommandTool(name, document.object(), expander());
}

} // namespace

class tst_CommandToolConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aMinimalEntryGetsTheDefaults();
    void everyKeyIsRead();
    void problemsNameTheKey_data();
    void problemsNameTheKey();
    void theSectionMustBeAnObject();
};

void tst_CommandToolConfig::aMinimalEntryGetsTheDefaults()
{
    const CommandToolConfig tool = entry(u"date"_s, R"({"command": "date"})");
    QCOMPARE(tool.problem, QString());
    QCOMPARE(tool.name, u"date"_s);
    QCOMPARE(tool.command, u"date"_s);
    QCOMPARE(tool.timeoutMs, 60000);
    QCOMPARE(tool.maxOutputBytes, qint64(1024 * 1024));
    QCOMPARE(tool.inputSchema, (QJsonObject{{"type"_L1, "object"_L1}}));
    QVERIFY(tool.outputSchema.isEmpty());
    QVERIFY(tool.cwd.isEmpty());
}

void tst_CommandToolConfig::everyKeyIsRead()
{
    const CommandToolConfig tool = entry(u"lines"_s, R"({
        "title": "Count lines", "description": "wc -l of a file",
        "command": "${TOOLS}/wc", "args": ["-l", "--", "{file}"],
        "inputSchema": {"type": "object", "properties": {"file": {"type": "string"}},
                        "required": ["file"]},
        "outputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true},
        "cwd": "${userHome}/src", "env": {"LC_ALL": "C", "WHERE": "${TOOLS}"},
        "timeoutMs": 1500, "maxOutputBytes": 4096})");
    QCOMPARE(tool.problem, QString());
    QCOMPARE(tool.title, u"Count lines"_s);
    QCOMPARE(tool.description, u"wc -l of a file"_s);
    QCOMPARE(tool.command, u"/opt/tools/wc"_s);
    QCOMPARE(tool.writtenArgs, (QStringList{u"-l"_s, u"--"_s, u"{file}"_s}));
    QCOMPARE(tool.args.placeholders(), QStringList{u"file"_s});
    QCOMPARE(tool.cwd, u"/home/ada/src"_s);
    QCOMPARE(tool.env.value(u"WHERE"_s), u"/opt/tools"_s);
    QCOMPARE(tool.timeoutMs, 1500);
    QCOMPARE(tool.maxOutputBytes, qint64(4096));
    QCOMPARE(tool.annotations.value("readOnlyHint"_L1).toBool(), true);
    QCOMPARE(tool.outputSchema.value("type"_L1).toString(), u"object"_s);

    // Equal entries are equal (a reload that changes nothing replaces nothing), and any change
    // is a change.
    CommandToolConfig changed = tool;
    QVERIFY(changed == tool);
    changed.timeoutMs = 1501;
    QVERIFY(changed != tool);
}

void tst_CommandToolConfig::problemsNameTheKey_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("problem");

    QTest::newRow("no command") << u"t"_s << QByteArray(R"({"args": []})")
                                << u"commandTools.t.command: must be a non-empty string"_s;
    QTest::newRow("blank command") << u"t"_s << QByteArray(R"({"command": "  "})")
                                   << u"commandTools.t.command: must be a non-empty string"_s;
    QTest::newRow("args not strings") << u"t"_s << QByteArray(R"({"command": "x", "args": [1]})")
                                      << u"commandTools.t.args[0]: must be a string"_s;
    QTest::newRow("a typo'd key") << u"t"_s << QByteArray(R"({"command": "x", "timeout": 5})")
                                  << u"commandTools.t.timeout: unknown key"_s;
    QTest::newRow("zero timeout") << u"t"_s << QByteArray(R"({"command": "x", "timeoutMs": 0})")
                                  << u"commandTools.t.timeoutMs: must be a whole number"_s;
    QTest::newRow("fractional cap")
        << u"t"_s << QByteArray(R"({"command": "x", "maxOutputBytes": 1.5})")
        << u"commandTools.t.maxOutputBytes: must be a whole number of bytes"_s;
    QTest::newRow("schema not an object type")
        << u"t"_s << QByteArray(R"({"command": "x", "inputSchema": {"type": "string"}})")
        << u"commandTools.t.inputSchema: must have \"type\": \"object\""_s;
    QTest::newRow("undeclared placeholder")
        << u"t"_s << QByteArray(R"({"command": "x", "args": ["{file}"]})")
        << u"commandTools.t.args[0]: {file} is not a parameter"_s;
    QTest::newRow("unset variable")
        << u"t"_s << QByteArray(R"({"command": "${NOPE}/x"})") << u"commandTools.t.command: "_s;
    QTest::newRow("bad name") << u"no spaces"_s << QByteArray(R"({"command": "x"})")
                              << u"commandTools.no spaces: a tool name must be"_s;
    QTest::newRow("not an object")
        << u"t"_s << QByteArray(R"([])") << u"commandTools.t: must be an object"_s;
}

void tst_CommandToolConfig::problemsNameTheKey()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, json);
    QFETCH(QString, problem);

    const QJsonDocument document = QJsonDocument::fromJson(json);
    const QJsonValue value =
        document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    const CommandToolConfig tool = parseCommandTool(name, value, expander());
    QVERIFY2(tool.problem.startsWith(problem), qPrintable(tool.problem));
}

void tst_CommandToolConfig::theSectionMustBeAnObject()
{
    QList<CommandToolConfig> tools{CommandToolConfig()};
    QString error;
    QVERIFY(parseCommandTools(QJsonValue::Undefined, expander(), &tools, &error));
    QVERIFY(tools.isEmpty());
    QVERIFY(!parseCommandTools(QJsonArray(), expander(), &tools, &error));
    QCOMPARE(error, u"commandTools: must be an object of tools by name"_s);
    // One bad entry does not take the others with it.
    QVERIFY(parseCommandTools(QJsonDocument::fromJson(R"({"good": {"command": "date"},
                                                          "bad": {"command": 3}})")
                                  .object(),
                              expander(), &tools, &error));
    QCOMPARE(tools.size(), 2);
    for (const CommandToolConfig &tool : std::as_const(tools))
        QCOMPARE(tool.problem.isEmpty(), tool.name == "good"_L1);
}

HEARTLINE_SERVER_TEST_MAIN(tst_CommandToolConfig)
#include "tst_commandtoolconfig.moc"
