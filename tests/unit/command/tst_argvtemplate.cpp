// A command tool's argument template: what a call's arguments can and cannot do to the command
// line. Nothing here runs a process; tst_commandtools runs the same cases end to end.

#include "server/tools/command/argvtemplate.h"
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
    environment.insert(u"NOTES"_s, u"/home/ada/notes"_s);
    environment.insert(u"TRICK"_s, u"{pattern}"_s);
    return VariableExpander(environment, u"/home/ada"_s);
}

QJsonObject schema(const QByteArray &propertiesJson)
{
    return QJsonObject{{"type"_L1, "object"_L1},
                       {"properties"_L1, QJsonDocument::fromJson(propertiesJson).object()}};
}

const QByteArray kProperties = R"({
    "pattern": {"type": "string"},
    "limit": {"type": "integer"},
    "files": {"type": "array", "items": {"type": "string"}},
    "flag": {"type": "boolean"},
    "mode": {"type": "string", "default": "fast"},
    "offset": {"type": "string", "allowLeadingDash": true}
})";

ArgvTemplate parsed(const QStringList &written)
{
    ArgvTemplate result;
    QString problem;
    if (!ArgvTemplate::parse(written, schema(kProperties), expander(), &result, &problem))
        qFatal("template refused: %s", qPrintable(problem));
    return result;
}

} // namespace

class tst_ArgvTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valuesBecomeWholeArgumentsAsWritten_data();
    void valuesBecomeWholeArgumentsAsWritten();
    void optionLikeValuesAreRefusedBeforeTheDoubleDash_data();
    void optionLikeValuesAreRefusedBeforeTheDoubleDash();
    void valuesNoCommandLineCanCarryAreRefused_data();
    void valuesNoCommandLineCanCarryAreRefused();
    void badTemplatesAreConfigProblems_data();
    void badTemplatesAreConfigProblems();
};

void tst_ArgvTemplate::valuesBecomeWholeArgumentsAsWritten_data()
{
    QTest::addColumn<QStringList>("written");
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QStringList>("argv");

    const QStringList grep{u"-rn"_s, u"--"_s, u"{pattern}"_s, u"${NOTES}"_s};
    // Shell syntax is text: there is no shell.
    QTest::newRow("semicolon") << grep << QByteArray(R"({"pattern": "x; rm -rf ~"})")
                               << QStringList{u"-rn"_s, u"--"_s, u"x; rm -rf ~"_s,
                                              u"/home/ada/notes"_s};
    QTest::newRow("command substitution")
        << grep << QByteArray(R"({"pattern": "$(touch /tmp/pwned) `id`"})")
        << QStringList{u"-rn"_s, u"--"_s, u"$(touch /tmp/pwned) `id`"_s, u"/home/ada/notes"_s};
    QTest::newRow("spaces and newlines stay one argument")
        << grep << QByteArray(R"({"pattern": "a b\nc\td"})")
        << QStringList{u"-rn"_s, u"--"_s, u"a b\nc\td"_s, u"/home/ada/notes"_s};
    QTest::newRow("a value that looks like a placeholder is not filled again")
        << grep << QByteArray(R"({"pattern": "{limit} ${NOTES}"})")
        << QStringList{u"-rn"_s, u"--"_s, u"{limit} ${NOTES}"_s, u"/home/ada/notes"_s};
    QTest::newRow("an expanded variable is not a placeholder")
        << QStringList{u"${TRICK}"_s} << QByteArray(R"({"pattern": "x"})")
        << QStringList{u"{pattern}"_s};
    QTest::newRow("inside an argument")
        << QStringList{u"--max-count={limit}"_s, u"--"_s, u"{pattern}"_s}
        << QByteArray(R"({"pattern": "x", "limit": 3})")
        << QStringList{u"--max-count=3"_s, u"--"_s, u"x"_s};
    QTest::newRow("left out when absent")
        << QStringList{u"--max-count={limit}"_s, u"--"_s, u"{pattern}"_s}
        << QByteArray(R"({"pattern": "x"})") << QStringList{u"--"_s, u"x"_s};
    QTest::newRow("a list is one argument per item")
        << QStringList{u"--"_s, u"{files}"_s} << QByteArray(R"({"files": ["a b", "-c", "d"]})")
        << QStringList{u"--"_s, u"a b"_s, u"-c"_s, u"d"_s};
    QTest::newRow("numbers and booleans as typed")
        << QStringList{u"{limit}"_s, u"--flag={flag}"_s, u"{pattern}"_s}
        << QByteArray(R"({"limit": 2.0, "flag": false, "pattern": 0.1})")
        << QStringList{u"2"_s, u"--flag=false"_s, u"0.1"_s};
    QTest::newRow("the schema's default fills a missing value")
        << QStringList{u"--mode={mode}"_s} << QByteArray("{}") << QStringList{u"--mode=fast"_s};
    QTest::newRow("escaped braces and JSON are literal")
        << QStringList{u"{{pattern}}"_s, u"{\"a\": 1}"_s, u"{pattern}"_s}
        << QByteArray(R"({"pattern": "p"})")
        << QStringList{u"{pattern}"_s, u"{\"a\": 1}"_s, u"p"_s};
    QTest::newRow("an empty value is an empty argument")
        << QStringList{u"{pattern}"_s} << QByteArray(R"({"pattern": ""})")
        << QStringList{QString()};
    QTest::newRow("a dash where the schema allows it")
        << QStringList{u"{offset}"_s} << QByteArray(R"({"offset": "-5"})") << QStringList{u"-5"_s};
    QTest::newRow("a dash inside an argument is not an option")
        << QStringList{u"--pattern={pattern}"_s} << QByteArray(R"({"pattern": "-v"})")
        << QStringList{u"--pattern=-v"_s};
}

void tst_ArgvTemplate::valuesBecomeWholeArgumentsAsWritten()
{
    QFETCH(QStringList, written);
    QFETCH(QByteArray, arguments);
    QFETCH(QStringList, argv);

    QStringList filled;
    QString error;
    QVERIFY2(parsed(written).fill(QJsonDocument::fromJson(arguments).object(), &filled, &error),
             qPrintable(error));
    QCOMPARE(filled, argv);
}

void tst_ArgvTemplate::optionLikeValuesAreRefusedBeforeTheDoubleDash_data()
{
    QTest::addColumn<QStringList>("written");
    QTest::addColumn<QByteArray>("arguments");

    QTest::newRow("an option") << QStringList{u"{pattern}"_s}
                               << QByteArray(R"({"pattern": "--output=/tmp/x"})");
    QTest::newRow("a short option")
        << QStringList{u"-n"_s, u"{pattern}"_s} << QByteArray(R"({"pattern": "-e"})");
    QTest::newRow("a list item") << QStringList{u"{files}"_s}
                                 << QByteArray(R"({"files": ["a", "--delete"]})");
    QTest::newRow("the start of a longer argument")
        << QStringList{u"{pattern}.txt"_s} << QByteArray(R"({"pattern": "-rf"})");
    QTest::newRow("a negative number")
        << QStringList{u"{limit}"_s} << QByteArray(R"({"limit": -1})");
}

void tst_ArgvTemplate::optionLikeValuesAreRefusedBeforeTheDoubleDash()
{
    QFETCH(QStringList, written);
    QFETCH(QByteArray, arguments);

    QStringList filled{u"untouched"_s};
    QString error;
    QVERIFY(!parsed(written).fill(QJsonDocument::fromJson(arguments).object(), &filled, &error));
    QVERIFY2(error.contains(u"would be read as an option"_s), qPrintable(error));
    QCOMPARE(filled, QStringList{u"untouched"_s});

    // The same value after a literal "--" is an operand, and passes.
    QVERIFY2(parsed(QStringList{u"--"_s} + written)
                 .fill(QJsonDocument::fromJson(arguments).object(), &filled, &error),
             qPrintable(error));
    QCOMPARE(filled.first(), u"--"_s);
}

void tst_ArgvTemplate::valuesNoCommandLineCanCarryAreRefused_data()
{
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<QString>("reason");

    QTest::newRow("NUL") << QJsonObject{{"pattern"_L1, u"a\0b"_s}} << u"NUL"_s;
    QTest::newRow("1 MB value") << QJsonObject{{"pattern"_L1, QString(1024 * 1024, u'x')}}
                                << u"longer than a command line argument can be"_s;
    QTest::newRow("just over one argument's limit")
        << QJsonObject{{"pattern"_L1, QString(ArgvTemplate::kMaxArgumentBytes + 1, u'x')}}
        << u"longer than a command line argument can be"_s;
    QJsonArray many;
    for (int i = 0; i < 20; ++i)
        many.append(QString(100 * 1024, u'y'));
    QTest::newRow("a command line too long in all")
        << QJsonObject{{"files"_L1, many}} << u"more than a command line takes"_s;
    QTest::newRow("an object") << QJsonObject{{"pattern"_L1, QJsonObject{{"a"_L1, 1}}}}
                               << u"must be a string, a number or true/false"_s;
    QTest::newRow("a list inside an argument")
        << QJsonObject{{"pattern"_L1, "p"_L1}, {"limit"_L1, QJsonArray{1, 2}}}
        << u"a list fills only an argument of its own"_s;
}

void tst_ArgvTemplate::valuesNoCommandLineCanCarryAreRefused()
{
    QFETCH(QJsonObject, arguments);
    QFETCH(QString, reason);

    const ArgvTemplate argv = parsed({u"--"_s, u"{pattern}"_s, u"--limit={limit}"_s, u"{files}"_s});
    QStringList filled;
    QString error;
    QVERIFY(!argv.fill(arguments, &filled, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void tst_ArgvTemplate::badTemplatesAreConfigProblems_data()
{
    QTest::addColumn<QStringList>("written");
    QTest::addColumn<QString>("problem");

    QTest::newRow("undeclared parameter")
        << QStringList{u"-n"_s, u"{patern}"_s}
        << u"args[1]: {patern} is not a parameter of the tool's inputSchema"_s;
    QTest::newRow("unset variable") << QStringList{u"${NOPE}"_s} << u"args[0]: "_s;
}

void tst_ArgvTemplate::badTemplatesAreConfigProblems()
{
    QFETCH(QStringList, written);
    QFETCH(QString, problem);

    ArgvTemplate result;
    QString error;
    QVERIFY(!ArgvTemplate::parse(written, schema(kProperties), expander(), &result, &error));
    QVERIFY2(error.startsWith(problem), qPrintable(error));
}

HEARTLINE_SERVER_TEST_MAIN(tst_ArgvTemplate)
#include "tst_argvtemplate.moc"
