// ${...} expansion in upstream server entries: the forms users write in Claude Code, Cursor and
// VS Code configs, from an environment the test makes up, and every way one can fail. What must
// never happen is a "${...}" passed on as written.

#include "server/tools/upstream/variableexpander.h"
#include "tests/support/servertestmain.h"

#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

class tst_VariableExpander : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expandsKnownForms_data();
    void expandsKnownForms();
    void refusesWhatCannotBeExpanded_data();
    void refusesWhatCannotBeExpanded();
    void readsOnlyTheGivenEnvironment();

private:
    static VariableExpander expander();
};

VariableExpander tst_VariableExpander::expander()
{
    QProcessEnvironment environment(QProcessEnvironment::InheritFromParent);
    environment.clear();
    environment.insert(u"TOKEN"_s, u"s3cret"_s);
    environment.insert(u"HOST"_s, u"api.example.com"_s);
    environment.insert(u"EMPTY"_s, QString());
    environment.insert(u"WITH_BRACES"_s, u"${TOKEN}"_s);
    return VariableExpander(environment, u"/home/ada"_s);
}

void tst_VariableExpander::expandsKnownForms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain text") << u"npx"_s << u"npx"_s;
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("${NAME}") << u"${TOKEN}"_s << u"s3cret"_s;
    QTest::newRow("${env:NAME}") << u"${env:TOKEN}"_s << u"s3cret"_s;
    QTest::newRow("inside text") << u"Bearer ${TOKEN}!"_s << u"Bearer s3cret!"_s;
    QTest::newRow("two in a row") << u"https://${HOST}/${env:TOKEN}"_s
                                  << u"https://api.example.com/s3cret"_s;
    QTest::newRow("${userHome}") << u"${userHome}/notes"_s << u"/home/ada/notes"_s;
    QTest::newRow("default not used") << u"${TOKEN:-nope}"_s << u"s3cret"_s;
    QTest::newRow("default for unset") << u"${MISSING:-fallback}"_s << u"fallback"_s;
    QTest::newRow("default for empty") << u"${EMPTY:-fallback}"_s << u"fallback"_s;
    QTest::newRow("empty default") << u"a${MISSING:-}b"_s << u"ab"_s;
    QTest::newRow("default with colon and slash")
        << u"${MISSING:-http://localhost:3000}"_s << u"http://localhost:3000"_s;
    QTest::newRow("env form with default") << u"${env:MISSING:-x}"_s << u"x"_s;
    QTest::newRow("set but empty, no default") << u"[${EMPTY}]"_s << u"[]"_s;
    QTest::newRow("bare $NAME stays") << u"$TOKEN"_s << u"$TOKEN"_s;
    QTest::newRow("$$ stays") << u"cost $$5"_s << u"cost $$5"_s;
    QTest::newRow("lone $ at the end stays") << u"price$"_s << u"price$"_s;
    QTest::newRow("$ then brace later") << u"$ {TOKEN}"_s << u"$ {TOKEN}"_s;
    QTest::newRow("a value is not expanded again") << u"${WITH_BRACES}"_s << u"${TOKEN}"_s;
}

void tst_VariableExpander::expandsKnownForms()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    QString expanded = u"untouched"_s;
    QString error;
    QVERIFY2(expander().expand(text, &expanded, &error), qPrintable(error));
    QCOMPARE(expanded, expected);
}

void tst_VariableExpander::refusesWhatCannotBeExpanded_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("named"); // what the error must mention

    QTest::newRow("unset") << u"Bearer ${GITHUB_TOKEN}"_s << u"GITHUB_TOKEN is not set"_s;
    QTest::newRow("unset env form") << u"${env:GITHUB_TOKEN}"_s << u"GITHUB_TOKEN is not set"_s;
    QTest::newRow("second one unset") << u"${TOKEN}-${NOPE}"_s << u"NOPE is not set"_s;
    QTest::newRow("workspaceFolder")
        << u"${workspaceFolder}/src"_s << u"not available to a global host"_s;
    QTest::newRow("workspaceFolderBasename")
        << u"${workspaceFolderBasename}"_s << u"not available to a global host"_s;
    QTest::newRow("input") << u"${input:api-key}"_s << u"not available to a global host"_s;
    QTest::newRow("unknown prefix") << u"${file:/etc/passwd}"_s << u"${file:/etc/passwd}"_s;
    QTest::newRow("not a name") << u"${MY-VAR}"_s << u"${MY-VAR}"_s;
    QTest::newRow("empty braces") << u"${}"_s << u"${}"_s;
    QTest::newRow("unterminated") << u"Bearer ${TOKEN"_s << u"closing"_s;
}

void tst_VariableExpander::refusesWhatCannotBeExpanded()
{
    QFETCH(QString, text);
    QFETCH(QString, named);

    QString expanded = u"untouched"_s;
    QString error;
    QVERIFY(!expander().expand(text, &expanded, &error));
    QVERIFY2(error.contains(named), qPrintable(error));
    QCOMPARE(expanded, u"untouched"_s);
}

void tst_VariableExpander::readsOnlyTheGivenEnvironment()
{
    // PATH is set in any real environment; an expander given an empty one must not see it.
    QVERIFY(!qEnvironmentVariableIsEmpty("PATH"));
    QProcessEnvironment empty(QProcessEnvironment::InheritFromParent);
    empty.clear();
    const VariableExpander isolated(empty, u"/home/ada"_s);
    QString expanded;
    QString error;
    QVERIFY(!isolated.expand(u"${PATH}"_s, &expanded, &error));
    QVERIFY2(error.contains(u"PATH"_s), qPrintable(error));
}

HEARTLINE_SERVER_TEST_MAIN(tst_VariableExpander)
#include "tst_variableexpander.moc"
