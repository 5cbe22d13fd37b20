#include "server/protocol/catalog/completion.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/builtincatalog.h"
#include "tests/support/fakecatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::Completion;
using heartline::PromptRegistry;
using heartline::PromptResult;
using heartline::ResourceContents;
using heartline::ResourceDefinition;
using heartline::ResourceRegistry;
using heartline::ResourceTemplateDefinition;
using heartline::Tool;
using heartline::ToolCall;
using heartline::ToolDefinition;
using heartline::ToolRegistry;
using heartline::testing::FakeTool;

namespace {

std::shared_ptr<FakeTool> describedTool(const QString &name, const QString &description)
{
    auto tool = std::make_shared<FakeTool>(name);
    tool->setDescription(description);
    return tool;
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Everything a test needs: three tools (one switched off) and the catalog over them.
struct Fixture
{
    ToolRegistry tools;
    ResourceRegistry resources;
    PromptRegistry prompts;

    Fixture()
    {
        tools.registerTool(describedTool(u"echo"_s, u"Says it back"_s));
        tools.registerTool(describedTool(u"sleep"_s, u"Waits a while"_s));
        tools.registerTool(describedTool(u"secret"_s, u"Hidden tool"_s));
        tools.setEnabled(u"secret"_s, false);
        heartline::registerBuiltinCatalog(&resources, &prompts, &tools);
    }

    ResourceContents readOne(const QString &uri, bool *found = nullptr) const
    {
        QList<ResourceContents> contents;
        const bool ok = resources.read(uri, &contents);
        if (found)
            *found = ok;
        return ok && contents.size() == 1 ? contents.first() : ResourceContents{};
    }
};

} // namespace

class tst_BuiltinCatalog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registersAboutTemplateAndPrompt();
    void aboutListsEnabledTools();
    void aboutIsReadAtReadTime();
    void aboutUpdatedWhenToolListChanges();
    void templateReadsToolDefinition();
    void templateReadsDisabledTool();
    void templateUnknownToolIsNotFound();
    void templateCompletesToolNames();
    void tryToolDefinition();
    void tryToolEmbedsDefinition();
    void tryToolUnknownToolHasNoResource();
    void tryToolCompletesToolNames();
    void worksWithoutPromptsOrTools();
    void survivesToolRegistryGoingFirst();
    void survivesResourceRegistryGoingFirst();
};

void tst_BuiltinCatalog::registersAboutTemplateAndPrompt()
{
    Fixture f;
    const QList<ResourceDefinition> resources = f.resources.definitions();
    QCOMPARE(resources.size(), 1);
    QJsonObject about = resources.first().toJson();
    QVERIFY(!about.take("description"_L1).toString().isEmpty());
    const QJsonObject expected =
        QJsonDocument::fromJson(R"({"uri":"heartline://about","name":"about",
                 "title":"About this Heartline server","mimeType":"text/markdown"})")
            .object();
    QCOMPARE(about, expected);

    const QList<ResourceTemplateDefinition> templates = f.resources.templateDefinitions();
    QCOMPARE(templates.size(), 1);
    QCOMPARE(templates.first().uriTemplate, u"heartline://tools/{name}"_s);
    QCOMPARE(templates.first().name, u"tool-definition"_s);
    QCOMPARE(templates.first().mimeType, u"application/json"_s);

    QVERIFY(f.prompts.contains(u"try_tool"_s));
    QCOMPARE(f.prompts.definitions().size(), 1);
}

void tst_BuiltinCatalog::aboutListsEnabledTools()
{
    Fixture f;
    bool found = false;
    const ResourceContents about = f.readOne(u"heartline://about"_s, &found);
    QVERIFY(found);
    QCOMPARE(about.uri, u"heartline://about"_s);
    QCOMPARE(about.mimeType, u"text/markdown"_s);
    QVERIFY(!about.isBlob);
    QVERIFY2(about.text.contains(u"Heartline"_s), qPrintable(about.text));
    QVERIFY2(about.text.contains(u"heartbeat"_s), qPrintable(about.text));
    QVERIFY2(about.text.contains(u"`echo`"_s), qPrintable(about.text));
    QVERIFY2(about.text.contains(u"Says it back"_s), qPrintable(about.text));
    QVERIFY2(about.text.contains(u"`sleep`"_s), qPrintable(about.text));
    QVERIFY2(!about.text.contains(u"secret"_s), qPrintable(about.text));
    QVERIFY2(about.text.indexOf(u"`echo`"_s) < about.text.indexOf(u"`sleep`"_s),
             qPrintable(about.text));
}

void tst_BuiltinCatalog::aboutIsReadAtReadTime()
{
    Fixture f;
    QVERIFY(f.tools.setEnabled(u"secret"_s, true));
    QVERIFY(f.tools.setEnabled(u"echo"_s, false));
    const QString text = f.readOne(u"heartline://about"_s).text;
    QVERIFY2(text.contains(u"`secret`"_s), qPrintable(text));
    QVERIFY2(!text.contains(u"`echo`"_s), qPrintable(text));

    QVERIFY(f.tools.setEnabled(u"secret"_s, false));
    QVERIFY(f.tools.setEnabled(u"sleep"_s, false));
    const QString none = f.readOne(u"heartline://about"_s).text;
    QVERIFY2(!none.contains(u"`sleep`"_s), qPrintable(none));
    QVERIFY2(none.contains(u"No tools"_s), qPrintable(none));
}

void tst_BuiltinCatalog::aboutUpdatedWhenToolListChanges()
{
    Fixture f;
    f.tools.setCoalesceInterval(5);
    // The registrations in the fixture announce a list change too; let it pass first.
    QSignalSpy toolsChanged(&f.tools, &ToolRegistry::listChanged);
    QVERIFY(toolsChanged.wait(5000));

    QSignalSpy updated(&f.resources, &ResourceRegistry::updated);
    QVERIFY(f.tools.setEnabled(u"echo"_s, false));
    QVERIFY(f.tools.setEnabled(u"sleep"_s, false));
    QCOMPARE(updated.size(), 0); // follows the coalesced tool list signal
    QTRY_COMPARE_WITH_TIMEOUT(updated.size(), 1, 5000);
    QCOMPARE(updated.first().first().toString(), u"heartline://about"_s);

    QVERIFY(f.tools.unregisterTool(u"secret"_s));
    QTRY_COMPARE_WITH_TIMEOUT(updated.size(), 2, 5000);
    QCOMPARE(updated.last().first().toString(), u"heartline://about"_s);
}

void tst_BuiltinCatalog::templateReadsToolDefinition()
{
    Fixture f;
    bool found = false;
    const ResourceContents contents = f.readOne(u"heartline://tools/echo"_s, &found);
    QVERIFY(found);
    QCOMPARE(contents.uri, u"heartline://tools/echo"_s);
    QCOMPARE(contents.mimeType, u"application/json"_s);
    QVERIFY(!contents.isBlob);
    const ToolDefinition echo = describedTool(u"echo"_s, u"Says it back"_s)->definition();
    QCOMPARE(contents.text, compact(echo.toJson()));
    QCOMPARE(QJsonDocument::fromJson(contents.text.toUtf8()).object().value("description"_L1),
             QJsonValue(u"Says it back"_s));
}

void tst_BuiltinCatalog::templateReadsDisabledTool()
{
    Fixture f;
    bool found = false;
    const ResourceContents contents = f.readOne(u"heartline://tools/secret"_s, &found);
    QVERIFY(found);
    QVERIFY(contents.text.contains(u"Hidden tool"_s));
}

void tst_BuiltinCatalog::templateUnknownToolIsNotFound()
{
    Fixture f;
    bool found = true;
    f.readOne(u"heartline://tools/missing"_s, &found);
    QVERIFY(!found);
    f.readOne(u"heartline://tools/"_s, &found);
    QVERIFY(!found);
    f.readOne(u"heartline://tools/echo/x"_s, &found);
    QVERIFY(!found);

    QVERIFY(f.tools.unregisterTool(u"echo"_s));
    f.readOne(u"heartline://tools/echo"_s, &found);
    QVERIFY(!found);
}

void tst_BuiltinCatalog::templateCompletesToolNames()
{
    Fixture f;
    const QString uriTemplate = u"heartline://tools/{name}"_s;
    QCOMPARE(f.resources.completeVariable(uriTemplate, u"name"_s, {}),
             (QStringList{u"echo"_s, u"secret"_s, u"sleep"_s}));
    QVERIFY(f.resources.completeVariable(uriTemplate, u"other"_s, {}).isEmpty());
    const Completion completion = Completion::fromCandidates(
        f.resources.completeVariable(uriTemplate, u"name"_s, {}), u"s"_s);
    QCOMPARE(completion.values, (QStringList{u"secret"_s, u"sleep"_s}));
}

void tst_BuiltinCatalog::tryToolDefinition()
{
    Fixture f;
    const auto prompt = f.prompts.prompt(u"try_tool"_s);
    QVERIFY(prompt);
    const QJsonObject expected = QJsonDocument::fromJson(R"({"name":"try_tool",
        "title":"Try a tool",
        "description":"Ask the assistant to call one of this server's tools and explain the result",
        "arguments":[{"name":"tool","description":"Name of the tool to try","required":true}]})")
                                     .object();
    QVERIFY(!expected.isEmpty());
    QCOMPARE(prompt->definition().toJson(), expected);
    QCOMPARE(prompt->definition().missingRequiredArgument({}), u"tool"_s);
}

void tst_BuiltinCatalog::tryToolEmbedsDefinition()
{
    Fixture f;
    const PromptResult result = f.prompts.prompt(u"try_tool"_s)->get({{u"tool"_s, u"echo"_s}});
    QCOMPARE(result.messages.size(), 2);

    QCOMPARE(result.messages.at(0).role, u"user"_s);
    const QJsonObject text = result.messages.at(0).content;
    QCOMPARE(text.value("type"_L1).toString(), u"text"_s);
    QVERIFY(text.value("text"_L1).toString().contains(u"echo"_s));
    QVERIFY(text.value("text"_L1).toString().contains(u"Says it back"_s));

    QCOMPARE(result.messages.at(1).role, u"user"_s);
    const QJsonObject embedded = result.messages.at(1).content;
    QCOMPARE(embedded.value("type"_L1).toString(), u"resource"_s);
    const QJsonObject resource = embedded.value("resource"_L1).toObject();
    QCOMPARE(resource.value("uri"_L1).toString(), u"heartline://tools/echo"_s);
    QCOMPARE(resource.value("mimeType"_L1).toString(), u"application/json"_s);
    // The same text the template serves, so a client can re-read it by its URI.
    QCOMPARE(resource.value("text"_L1).toString(), f.readOne(u"heartline://tools/echo"_s).text);

    const QJsonObject json = result.toJson();
    QCOMPARE(json.value("messages"_L1).toArray().size(), 2);
}

void tst_BuiltinCatalog::tryToolUnknownToolHasNoResource()
{
    Fixture f;
    const PromptResult result =
        f.prompts.prompt(u"try_tool"_s)->get({{u"tool"_s, u"nonexistent"_s}});
    QCOMPARE(result.messages.size(), 1);
    QCOMPARE(result.messages.first().content.value("type"_L1).toString(), u"text"_s);
    QVERIFY(result.messages.first().content.value("text"_L1).toString().contains(u"nonexistent"_s));
}

void tst_BuiltinCatalog::tryToolCompletesToolNames()
{
    Fixture f;
    const auto prompt = f.prompts.prompt(u"try_tool"_s);
    QCOMPARE(prompt->completeArgument(u"tool"_s, {}),
             (QStringList{u"echo"_s, u"secret"_s, u"sleep"_s}));
    QVERIFY(prompt->completeArgument(u"other"_s, {}).isEmpty());
    QVERIFY(f.tools.registerTool(std::make_shared<FakeTool>(u"added"_s)));
    QVERIFY(prompt->completeArgument(u"tool"_s, {}).contains(u"added"_s));
}

void tst_BuiltinCatalog::worksWithoutPromptsOrTools()
{
    ResourceRegistry resources;
    heartline::registerBuiltinCatalog(&resources, nullptr, nullptr);
    QCOMPARE(resources.definitions().size(), 1);
    QVERIFY(resources.templateDefinitions().isEmpty());
    QList<ResourceContents> contents;
    QVERIFY(resources.read(u"heartline://about"_s, &contents));
    QVERIFY(contents.first().text.contains(u"No tools"_s));

    ToolRegistry tools;
    PromptRegistry prompts;
    heartline::registerBuiltinCatalog(nullptr, &prompts, &tools);
    QVERIFY(prompts.contains(u"try_tool"_s));
}

void tst_BuiltinCatalog::survivesToolRegistryGoingFirst()
{
    ResourceRegistry resources;
    PromptRegistry prompts;
    {
        ToolRegistry tools;
        tools.registerTool(std::make_shared<FakeTool>(u"echo"_s));
        heartline::registerBuiltinCatalog(&resources, &prompts, &tools);
    }
    QList<ResourceContents> contents;
    QVERIFY(resources.read(u"heartline://about"_s, &contents));
    QVERIFY(contents.first().text.contains(u"No tools"_s));
    QVERIFY(!resources.read(u"heartline://tools/echo"_s, &contents));
    QCOMPARE(prompts.prompt(u"try_tool"_s)->get({{u"tool"_s, u"echo"_s}}).messages.size(), 1);
}

void tst_BuiltinCatalog::survivesResourceRegistryGoingFirst()
{
    ToolRegistry tools;
    tools.setCoalesceInterval(5);
    {
        ResourceRegistry resources;
        heartline::registerBuiltinCatalog(&resources, nullptr, &tools);
    }
    // The connection died with the resource registry, its context object: nothing is left
    // to disconnect.
    QVERIFY(!QObject::disconnect(&tools, &ToolRegistry::listChanged, nullptr, nullptr));
    QSignalSpy listChanged(&tools, &ToolRegistry::listChanged);
    QVERIFY(tools.registerTool(std::make_shared<FakeTool>(u"echo"_s)));
    QVERIFY(listChanged.wait(5000));
}

QTEST_GUILESS_MAIN(tst_BuiltinCatalog)
#include "tst_builtincatalog.moc"
