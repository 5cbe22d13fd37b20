#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/promptregistry.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::Prompt;
using heartline::PromptArgument;
using heartline::PromptDefinition;
using heartline::PromptMessage;
using heartline::PromptRegistry;
using heartline::PromptResult;
namespace Content = heartline::Content;

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

PromptArgument argument(const QString &name, bool required, const QString &description = {})
{
    PromptArgument argument;
    argument.name = name;
    argument.description = description;
    argument.required = required;
    return argument;
}

class FakePrompt final : public Prompt
{
public:
    explicit FakePrompt(const QString &name, QList<PromptArgument> arguments = {})
        : m_name(name)
        , m_arguments(std::move(arguments))
    {}
    PromptDefinition definition() const override
    {
        PromptDefinition definition;
        definition.name = m_name;
        definition.description = u"Prompt "_s + m_name;
        definition.arguments = m_arguments;
        return definition;
    }
    PromptResult get(const QHash<QString, QString> &arguments) const override
    {
        PromptResult result;
        result.messages.push_back(
            PromptMessage{u"user"_s, Content::text(m_name + u' ' + arguments.value(u"a"_s))});
        return result;
    }

private:
    QString m_name;
    QList<PromptArgument> m_arguments;
};

std::shared_ptr<Prompt> fake(const QString &name, QList<PromptArgument> arguments = {})
{
    return std::make_shared<FakePrompt>(name, std::move(arguments));
}

QStringList names(const QList<PromptDefinition> &definitions)
{
    QStringList result;
    for (const PromptDefinition &definition : definitions)
        result.append(definition.name);
    return result;
}

} // namespace

class tst_PromptRegistry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsSortedByName();
    void looksUpByName();
    void refusesEmptyAndDuplicateNames();
    void unregisterRemoves();
    void listChangedIsCoalescedPerBurst();
    void missingRequiredArgument_data();
    void missingRequiredArgument();
    void definitionJsonOmitsWhatIsUnset();
    void definitionJsonListsArguments();
    void resultJsonHasMessages();
    void resultJsonCarriesDescription();
};

void tst_PromptRegistry::listsSortedByName()
{
    PromptRegistry registry;
    QVERIFY(registry.registerPrompt(fake(u"test_simple_prompt"_s)));
    QVERIFY(registry.registerPrompt(fake(u"a_prompt"_s)));
    QVERIFY(registry.registerPrompt(fake(u"try_tool"_s)));
    QCOMPARE(names(registry.definitions()),
             (QStringList{u"a_prompt"_s, u"test_simple_prompt"_s, u"try_tool"_s}));
}

void tst_PromptRegistry::looksUpByName()
{
    PromptRegistry registry;
    QVERIFY(registry.registerPrompt(fake(u"one"_s)));
    QVERIFY(registry.contains(u"one"_s));
    QVERIFY(!registry.contains(u"two"_s));
    const std::shared_ptr<Prompt> prompt = registry.prompt(u"one"_s);
    QVERIFY(prompt);
    QCOMPARE(prompt->definition().name, u"one"_s);
    QVERIFY(!registry.prompt(u"two"_s));
    QVERIFY(!registry.prompt(u"ONE"_s)); // names are case-sensitive
}

void tst_PromptRegistry::refusesEmptyAndDuplicateNames()
{
    PromptRegistry registry;
    QVERIFY(registry.registerPrompt(fake(u"one"_s)));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"\"one\".*already registered"_s));
    QVERIFY(!registry.registerPrompt(fake(u"one"_s, {argument(u"x"_s, true)})));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"empty name"_s));
    QVERIFY(!registry.registerPrompt(fake({})));
    QVERIFY(!registry.registerPrompt(nullptr));
    QCOMPARE(registry.definitions().size(), 1);
    QVERIFY(registry.definitions().first().arguments.isEmpty()); // the first one stayed
    QCOMPARE(registry.generation(), quint64(1));
}

void tst_PromptRegistry::unregisterRemoves()
{
    PromptRegistry registry;
    QVERIFY(registry.registerPrompt(fake(u"one"_s)));
    QVERIFY(registry.unregisterPrompt(u"one"_s));
    QVERIFY(!registry.unregisterPrompt(u"one"_s));
    QVERIFY(registry.definitions().isEmpty());
    QCOMPARE(registry.generation(), quint64(2));
}

void tst_PromptRegistry::listChangedIsCoalescedPerBurst()
{
    PromptRegistry registry;
    registry.setCoalesceInterval(5);
    QSignalSpy listChanged(&registry, &PromptRegistry::listChanged);
    QVERIFY(registry.registerPrompt(fake(u"a"_s)));
    QVERIFY(registry.registerPrompt(fake(u"b"_s)));
    QVERIFY(registry.unregisterPrompt(u"a"_s));
    QCOMPARE(listChanged.size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(listChanged.size(), 1, 5000);
    QTest::qWait(100);
    QCOMPARE(listChanged.size(), 1);

    QVERIFY(registry.registerPrompt(fake(u"c"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(listChanged.size(), 2, 5000);
}

void tst_PromptRegistry::missingRequiredArgument_data()
{
    QTest::addColumn<QStringList>("given");
    QTest::addColumn<QString>("missing");

    QTest::newRow("all given") << QStringList{u"arg1"_s, u"opt"_s, u"arg2"_s} << QString();
    QTest::newRow("optional left out") << QStringList{u"arg1"_s, u"arg2"_s} << QString();
    QTest::newRow("first missing") << QStringList{u"arg2"_s, u"opt"_s} << u"arg1"_s;
    QTest::newRow("second missing") << QStringList{u"arg1"_s} << u"arg2"_s;
    QTest::newRow("none given") << QStringList{} << u"arg1"_s;
    QTest::newRow("case matters") << QStringList{u"ARG1"_s, u"arg2"_s} << u"arg1"_s;
}

void tst_PromptRegistry::missingRequiredArgument()
{
    QFETCH(QStringList, given);
    QFETCH(QString, missing);

    PromptDefinition definition;
    definition.name = u"test_prompt_with_arguments"_s;
    definition.arguments = {argument(u"arg1"_s, true), argument(u"opt"_s, false),
                            argument(u"arg2"_s, true)};
    QHash<QString, QString> arguments;
    for (const QString &name : given)
        arguments.insert(name, u"value"_s);
    QCOMPARE(definition.missingRequiredArgument(arguments), missing);
}

void tst_PromptRegistry::definitionJsonOmitsWhatIsUnset()
{
    PromptDefinition definition;
    definition.name = u"test_simple_prompt"_s;
    QCOMPARE(definition.toJson(), parse(R"({"name":"test_simple_prompt"})"));
}

void tst_PromptRegistry::definitionJsonListsArguments()
{
    PromptDefinition definition;
    definition.name = u"code_review"_s;
    definition.title = u"Request Code Review"_s;
    definition.description = u"Asks the LLM to analyze code quality"_s;
    PromptArgument titled = argument(u"style"_s, false);
    titled.title = u"Style"_s;
    definition.arguments = {argument(u"code"_s, true, u"The code to review"_s),
                            argument(u"language"_s, false), titled};
    QCOMPARE(definition.toJson(), parse(R"({"name":"code_review","title":"Request Code Review",
                       "description":"Asks the LLM to analyze code quality",
                       "arguments":[
                         {"name":"code","description":"The code to review","required":true},
                         {"name":"language"},
                         {"name":"style","title":"Style"}]})"));
}

void tst_PromptRegistry::resultJsonHasMessages()
{
    PromptResult result;
    result.messages.push_back(
        PromptMessage{u"user"_s, Content::text(u"This is a simple prompt for testing."_s)});
    QCOMPARE(result.toJson(), parse(R"({"messages":[{"role":"user","content":{"type":"text",
                       "text":"This is a simple prompt for testing."}}]})"));
}

void tst_PromptRegistry::resultJsonCarriesDescription()
{
    PromptResult result;
    result.description = u"Two turns"_s;
    result.messages.push_back(PromptMessage{u"user"_s, Content::text(u"Hi"_s)});
    result.messages.push_back(PromptMessage{
        u"assistant"_s, Content::embeddedText(u"test://r"_s, u"text/plain"_s, u"body"_s)});
    const QJsonObject expected = parse(R"({"description":"Two turns","messages":[
                       {"role":"user","content":{"type":"text","text":"Hi"}},
                       {"role":"assistant","content":{"type":"resource",
                        "resource":{"uri":"test://r","mimeType":"text/plain","text":"body"}}}]})");
    QCOMPARE(result.toJson(), expected);
}

QTEST_GUILESS_MAIN(tst_PromptRegistry)
#include "tst_promptregistry.moc"
