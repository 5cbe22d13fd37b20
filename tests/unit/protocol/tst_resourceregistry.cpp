#include "server/protocol/catalog/resourceregistry.h"
#include "tests/support/fakecatalog.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::Resource;
using heartline::ResourceContents;
using heartline::ResourceDefinition;
using heartline::ResourceRegistry;
using heartline::ResourceTemplate;
using heartline::ResourceTemplateDefinition;
namespace UriTemplate = heartline::UriTemplate;
using heartline::testing::TextResource;

namespace {

// Reads as "<tag>:<variables>", and exists only for the ids it is given (all when empty).
class FakeTemplate final : public ResourceTemplate
{
public:
    FakeTemplate(const QString &uriTemplate, const QString &tag, const QStringList &ids = {})
        : m_uriTemplate(uriTemplate)
        , m_tag(tag)
        , m_ids(ids)
    {}
    ResourceTemplateDefinition definition() const override
    {
        ResourceTemplateDefinition definition;
        definition.uriTemplate = m_uriTemplate;
        definition.name = m_tag;
        return definition;
    }
    bool read(const QString &uri, const QHash<QString, QString> &variables,
              QList<ResourceContents> *contents) const override
    {
        if (!m_ids.isEmpty() && !m_ids.contains(variables.value(u"id"_s)))
            return false;
        QStringList pairs;
        for (const QString &name : UriTemplate::variableNames(m_uriTemplate))
            pairs.append(name + u'=' + variables.value(name));
        *contents = {ResourceContents::fromText(uri, {}, m_tag + u':' + pairs.join(u','))};
        return true;
    }
    QStringList completeVariable(const QString &variable,
                                 const QHash<QString, QString> &context) const override
    {
        return {m_tag + u'/' + variable + u'/' + context.value(u"scope"_s)};
    }

private:
    QString m_uriTemplate;
    QString m_tag;
    QStringList m_ids;
};

std::shared_ptr<Resource> resource(const QString &uri, const QString &text = u"x"_s)
{
    return std::make_shared<TextResource>(uri, text);
}

std::shared_ptr<ResourceTemplate> resourceTemplate(const QString &uriTemplate,
                                                   const QString &tag = u"t"_s,
                                                   const QStringList &ids = {})
{
    return std::make_shared<FakeTemplate>(uriTemplate, tag, ids);
}

QString readText(const ResourceRegistry &registry, const QString &uri)
{
    QList<ResourceContents> contents;
    if (!registry.read(uri, &contents))
        return u"<not found>"_s;
    return contents.isEmpty() ? u"<empty>"_s : contents.first().text;
}

} // namespace

class tst_ResourceRegistry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void templateMatch_data();
    void templateMatch();
    void templateMatchWithoutOutputPointer();
    void variableNames_data();
    void variableNames();
    void validUri_data();
    void validUri();

    void registersAndListsSorted();
    void refusesDuplicatesAndInvalidUris();
    void refusesMalformedTemplates_data();
    void refusesMalformedTemplates();
    void unregisterRemoves();

    void readPrefersExactResource();
    void readTriesTemplatesInSortedOrder();
    void readFallsThroughTemplatesThatSayNotFound();
    void readUnknownIsNotFound();
    void completeVariableAsksTheNamedTemplate();

    void listChangedIsCoalescedPerBurst();
    void listChangedAgainForALaterBurst();
    void refusedRegistrationAnnouncesNothing();
    void updatedIsImmediate();
};

void tst_ResourceRegistry::templateMatch_data()
{
    QTest::addColumn<QString>("uriTemplate");
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("matches");
    // "name=value" in template order.
    QTest::addColumn<QStringList>("variables");

    const QString conformance = u"test://template/{id}/data"_s;
    QTest::newRow("conformance template")
        << conformance << u"test://template/123/data"_s << true << QStringList{u"id=123"_s};
    QTest::newRow("value with dots and dashes")
        << conformance << u"test://template/a.b-c_d~e/data"_s << true
        << QStringList{u"id=a.b-c_d~e"_s};
    QTest::newRow("percent-encoded value is decoded")
        << conformance << u"test://template/hello%20world/data"_s << true
        << QStringList{u"id=hello world"_s};
    QTest::newRow("variable at the end")
        << u"heartline://tools/{name}"_s << u"heartline://tools/echo"_s << true
        << QStringList{u"name=echo"_s};
    QTest::newRow("two variables")
        << u"repo://{owner}/{name}/readme"_s << u"repo://qt/qtbase/readme"_s << true
        << QStringList{u"owner=qt"_s, u"name=qtbase"_s};
    QTest::newRow("two variables in one segment")
        << u"v://{a}.{b}"_s << u"v://x.y.z"_s << true << QStringList{u"a=x.y"_s, u"b=z"_s};
    QTest::newRow("no variables, same text")
        << u"fixed://thing"_s << u"fixed://thing"_s << true << QStringList{};

    QTest::newRow("empty value") << conformance << u"test://template//data"_s << false
                                 << QStringList{};
    QTest::newRow("value spans a slash")
        << conformance << u"test://template/1/2/data"_s << false << QStringList{};
    QTest::newRow("value with a query")
        << u"heartline://tools/{name}"_s << u"heartline://tools/echo?x=1"_s << false
        << QStringList{};
    QTest::newRow("value with a fragment")
        << u"heartline://tools/{name}"_s << u"heartline://tools/echo#top"_s << false
        << QStringList{};
    QTest::newRow("literal prefix differs")
        << conformance << u"test://templates/123/data"_s << false << QStringList{};
    QTest::newRow("literal case differs")
        << conformance << u"TEST://template/123/data"_s << false << QStringList{};
    QTest::newRow("missing suffix")
        << conformance << u"test://template/123"_s << false << QStringList{};
    QTest::newRow("extra suffix") << conformance << u"test://template/123/data/more"_s << false
                                  << QStringList{};
    QTest::newRow("trailing slash")
        << u"heartline://tools/{name}"_s << u"heartline://tools/echo/"_s << false << QStringList{};
    QTest::newRow("no variables, other text")
        << u"fixed://thing"_s << u"fixed://thing2"_s << false << QStringList{};
    QTest::newRow("unbalanced template never matches")
        << u"test://{id"_s << u"test://{id"_s << false << QStringList{};
    QTest::newRow("empty name never matches")
        << u"test://{}"_s << u"test://{}"_s << false << QStringList{};
}

void tst_ResourceRegistry::templateMatch()
{
    QFETCH(QString, uriTemplate);
    QFETCH(QString, uri);
    QFETCH(bool, matches);
    QFETCH(QStringList, variables);

    QHash<QString, QString> found{{u"stale"_s, u"left over"_s}};
    QCOMPARE(UriTemplate::match(uriTemplate, uri, &found), matches);
    if (!matches)
        return;
    QStringList pairs;
    for (const QString &name : UriTemplate::variableNames(uriTemplate))
        pairs.append(name + u'=' + found.value(name));
    QCOMPARE(pairs, variables);
    QCOMPARE(found.size(), variables.size()); // replaced, not merged
}

void tst_ResourceRegistry::templateMatchWithoutOutputPointer()
{
    QVERIFY(UriTemplate::match(u"a://{x}"_s, u"a://1"_s, nullptr));
    QVERIFY(!UriTemplate::match(u"a://{x}"_s, u"a://"_s, nullptr));
}

void tst_ResourceRegistry::variableNames_data()
{
    QTest::addColumn<QString>("uriTemplate");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<bool>("valid");

    QTest::newRow("none") << u"a://b"_s << QStringList{} << true;
    QTest::newRow("one") << u"test://template/{id}/data"_s << QStringList{u"id"_s} << true;
    QTest::newRow("in order") << u"r://{owner}/{repo}/{path}"_s
                              << QStringList{u"owner"_s, u"repo"_s, u"path"_s} << true;
    QTest::newRow("dotted and encoded names")
        << u"r://{a.b}/{c%20d}/{_x9}"_s << QStringList{u"a.b"_s, u"c%20d"_s, u"_x9"_s} << true;
    QTest::newRow("unclosed") << u"r://{id"_s << QStringList{} << false;
    QTest::newRow("unopened") << u"r://id}"_s << QStringList{} << false;
    QTest::newRow("nested") << u"r://{a{b}}"_s << QStringList{} << false;
    QTest::newRow("empty name") << u"r://{}/x"_s << QStringList{} << false;
    QTest::newRow("level-2 operator") << u"r://{+path}"_s << QStringList{} << false;
    QTest::newRow("query operator") << u"r://x{?q}"_s << QStringList{} << false;
    QTest::newRow("space in name") << u"r://{a b}"_s << QStringList{} << false;
    QTest::newRow("leading dot") << u"r://{.a}"_s << QStringList{} << false;
    QTest::newRow("double dot") << u"r://{a..b}"_s << QStringList{} << false;
    QTest::newRow("bad percent") << u"r://{a%2}"_s << QStringList{} << false;
}

void tst_ResourceRegistry::variableNames()
{
    QFETCH(QString, uriTemplate);
    QFETCH(QStringList, names);
    QFETCH(bool, valid);
    QCOMPARE(UriTemplate::isValid(uriTemplate), valid);
    QCOMPARE(UriTemplate::variableNames(uriTemplate), names);
}

void tst_ResourceRegistry::validUri_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("valid");

    QTest::newRow("custom scheme") << u"test://static-text"_s << true;
    QTest::newRow("file") << u"file:///home/user/notes.md"_s << true;
    QTest::newRow("https") << u"https://example.com/a?b=c#d"_s << true;
    QTest::newRow("no authority") << u"urn:isbn:0451450523"_s << true;
    QTest::newRow("scheme with + - .") << u"git+ssh.v-2:x"_s << true;
    QTest::newRow("digits after first") << u"h2c:x"_s << true;
    QTest::newRow("percent and unicode") << u"test://caf%C3%A9/é"_s << true;

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("no colon") << u"static-text"_s << false;
    QTest::newRow("empty scheme") << u"://x"_s << false;
    QTest::newRow("scheme starts with a digit") << u"1abc:x"_s << false;
    QTest::newRow("scheme starts with +") << u"+a:x"_s << false;
    QTest::newRow("underscore in scheme") << u"my_scheme:x"_s << false;
    QTest::newRow("nothing after the colon") << u"test:"_s << false;
    QTest::newRow("space") << u"test://a b"_s << false;
    QTest::newRow("leading space") << u" test://a"_s << false;
    QTest::newRow("tab") << u"test://a\tb"_s << false;
    QTest::newRow("newline at end") << u"test://a\n"_s << false;
    QTest::newRow("NUL") << QString(u"test://a"_s + QChar(0) + u"b"_s) << false;
    QTest::newRow("DEL") << QString(u"test://a"_s + QChar(0x7f)) << false;
    QTest::newRow("no-break space") << QString(u"test://a"_s + QChar(0xa0) + u"b"_s) << false;
}

void tst_ResourceRegistry::validUri()
{
    QFETCH(QString, uri);
    QFETCH(bool, valid);
    QCOMPARE(ResourceRegistry::isValidUri(uri), valid);
}

void tst_ResourceRegistry::registersAndListsSorted()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerResource(resource(u"test://b"_s)));
    QVERIFY(registry.registerResource(resource(u"test://a"_s)));
    QVERIFY(registry.registerResource(resource(u"alpha://z"_s)));
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://{id}/z"_s)));
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://{id}/a"_s)));

    QStringList uris;
    for (const ResourceDefinition &definition : registry.definitions())
        uris.append(definition.uri);
    QCOMPARE(uris, (QStringList{u"alpha://z"_s, u"test://a"_s, u"test://b"_s}));
    QStringList templates;
    for (const ResourceTemplateDefinition &definition : registry.templateDefinitions())
        templates.append(definition.uriTemplate);
    QCOMPARE(templates, (QStringList{u"test://{id}/a"_s, u"test://{id}/z"_s}));

    QVERIFY(registry.containsUri(u"test://a"_s));
    QVERIFY(!registry.containsUri(u"test://1/a"_s)); // templates are not resources
    QVERIFY(registry.containsTemplate(u"test://{id}/a"_s));
}

void tst_ResourceRegistry::refusesDuplicatesAndInvalidUris()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerResource(resource(u"test://a"_s, u"first"_s)));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"\"test://a\".*already registered"_s));
    QVERIFY(!registry.registerResource(resource(u"test://a"_s, u"second"_s)));
    QCOMPARE(readText(registry, u"test://a"_s), u"first"_s);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"invalid URI \"not a uri\""_s));
    QVERIFY(!registry.registerResource(resource(u"not a uri"_s)));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"invalid URI \"\""_s));
    QVERIFY(!registry.registerResource(resource({})));
    QVERIFY(!registry.registerResource(nullptr));
    QCOMPARE(registry.definitions().size(), 1);

    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://{id}"_s, u"first"_s)));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"\"test://\\{id\\}\".*already registered"_s));
    QVERIFY(!registry.registerTemplate(resourceTemplate(u"test://{id}"_s, u"second"_s)));
    QVERIFY(!registry.registerTemplate(nullptr));
    QCOMPARE(registry.templateDefinitions().size(), 1);
    QCOMPARE(readText(registry, u"test://9"_s), u"first:id=9"_s);
}

void tst_ResourceRegistry::refusesMalformedTemplates_data()
{
    QTest::addColumn<QString>("uriTemplate");
    QTest::newRow("unclosed") << u"test://{id"_s;
    QTest::newRow("unopened") << u"test://id}"_s;
    QTest::newRow("empty name") << u"test://{}"_s;
    QTest::newRow("operator") << u"test://{+id}"_s;
    QTest::newRow("no scheme") << u"{id}"_s;
    QTest::newRow("whitespace") << u"test://a b/{id}"_s;
    QTest::newRow("empty") << QString();
}

void tst_ResourceRegistry::refusesMalformedTemplates()
{
    QFETCH(QString, uriTemplate);
    ResourceRegistry registry;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"refused resource template"_s));
    QVERIFY(!registry.registerTemplate(resourceTemplate(uriTemplate)));
    QVERIFY(registry.templateDefinitions().isEmpty());
    QCOMPARE(registry.generation(), quint64(0));
}

void tst_ResourceRegistry::unregisterRemoves()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerResource(resource(u"test://a"_s)));
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://t/{id}"_s)));
    const quint64 before = registry.generation();

    QVERIFY(registry.unregisterResource(u"test://a"_s));
    QVERIFY(!registry.unregisterResource(u"test://a"_s));
    QVERIFY(registry.unregisterTemplate(u"test://t/{id}"_s));
    QVERIFY(!registry.unregisterTemplate(u"test://t/{id}"_s));
    QCOMPARE(registry.generation(), before + 2);
    QCOMPARE(readText(registry, u"test://a"_s), u"<not found>"_s);
    QCOMPARE(readText(registry, u"test://t/1"_s), u"<not found>"_s);
}

void tst_ResourceRegistry::readPrefersExactResource()
{
    ResourceRegistry registry;
    // Registered first so that a registry trying templates first would find it.
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://template/{id}/data"_s)));
    QVERIFY(registry.registerResource(resource(u"test://template/fixed/data"_s, u"exact"_s)));

    QList<ResourceContents> contents;
    QVERIFY(registry.read(u"test://template/fixed/data"_s, &contents));
    QCOMPARE(contents.size(), 1);
    QCOMPARE(contents.first().text, u"exact"_s);
    QCOMPARE(contents.first().uri, u"test://template/fixed/data"_s);
    QCOMPARE(readText(registry, u"test://template/123/data"_s), u"t:id=123"_s);
}

void tst_ResourceRegistry::readTriesTemplatesInSortedOrder()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://{b}"_s, u"second"_s)));
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://{a}"_s, u"first"_s)));
    QCOMPARE(readText(registry, u"test://x"_s), u"first:a=x"_s);
}

void tst_ResourceRegistry::readFallsThroughTemplatesThatSayNotFound()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerTemplate(
        resourceTemplate(u"test://a/{id}"_s, u"only-1"_s, QStringList{u"1"_s})));
    QVERIFY(registry.registerTemplate(
        resourceTemplate(u"test://b/{id}"_s, u"only-2"_s, QStringList{u"2"_s})));
    QVERIFY(registry.registerTemplate(
        resourceTemplate(u"test://{dir}/{id}"_s, u"any"_s, QStringList{u"2"_s})));

    QCOMPARE(readText(registry, u"test://a/1"_s), u"only-1:id=1"_s);
    QCOMPARE(readText(registry, u"test://a/2"_s), u"any:dir=a,id=2"_s);
    QCOMPARE(readText(registry, u"test://a/3"_s), u"<not found>"_s);
}

void tst_ResourceRegistry::readUnknownIsNotFound()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerResource(resource(u"test://a"_s)));
    QList<ResourceContents> contents{ResourceContents::fromText(u"keep://me"_s, {}, {})};
    QVERIFY(!registry.read(u"test://b"_s, &contents));
    QCOMPARE(contents.size(), 1); // untouched on failure
    QVERIFY(!registry.read(u"test://a/"_s, nullptr));
    QVERIFY(registry.read(u"test://a"_s, nullptr));
}

void tst_ResourceRegistry::completeVariableAsksTheNamedTemplate()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://{id}"_s, u"one"_s)));
    QVERIFY(registry.registerTemplate(resourceTemplate(u"other://{id}"_s, u"two"_s)));
    const QHash<QString, QString> context{{u"scope"_s, u"s"_s}};
    QCOMPARE(registry.completeVariable(u"other://{id}"_s, u"id"_s, context),
             QStringList{u"two/id/s"_s});
    QCOMPARE(registry.completeVariable(u"test://{id}"_s, u"id"_s, {}), QStringList{u"one/id/"_s});
    QVERIFY(registry.completeVariable(u"missing://{id}"_s, u"id"_s, {}).isEmpty());
}

void tst_ResourceRegistry::listChangedIsCoalescedPerBurst()
{
    ResourceRegistry registry;
    registry.setCoalesceInterval(5);
    QSignalSpy listChanged(&registry, &ResourceRegistry::listChanged);

    QVERIFY(registry.registerResource(resource(u"test://a"_s)));
    QVERIFY(registry.registerResource(resource(u"test://b"_s)));
    QVERIFY(registry.registerTemplate(resourceTemplate(u"test://t/{id}"_s)));
    QVERIFY(registry.unregisterResource(u"test://b"_s));
    QCOMPARE(registry.generation(), quint64(4));
    QCOMPARE(listChanged.size(), 0); // never synchronous

    QTRY_COMPARE_WITH_TIMEOUT(listChanged.size(), 1, 5000);
    // A second signal from the same burst would be due long before this wait ends.
    QTest::qWait(100);
    QCOMPARE(listChanged.size(), 1);
}

void tst_ResourceRegistry::listChangedAgainForALaterBurst()
{
    ResourceRegistry registry;
    registry.setCoalesceInterval(5);
    QSignalSpy listChanged(&registry, &ResourceRegistry::listChanged);

    QVERIFY(registry.registerResource(resource(u"test://a"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(listChanged.size(), 1, 5000);
    QVERIFY(registry.unregisterResource(u"test://a"_s));
    QCOMPARE(listChanged.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(listChanged.size(), 2, 5000);
}

void tst_ResourceRegistry::refusedRegistrationAnnouncesNothing()
{
    ResourceRegistry registry;
    registry.setCoalesceInterval(5);
    QVERIFY(registry.registerResource(resource(u"test://a"_s)));
    QSignalSpy listChanged(&registry, &ResourceRegistry::listChanged);
    QVERIFY(listChanged.wait(5000));

    const quint64 generation = registry.generation();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"already registered"_s));
    QVERIFY(!registry.registerResource(resource(u"test://a"_s)));
    QVERIFY(!registry.unregisterResource(u"test://missing"_s));
    QCOMPARE(registry.generation(), generation);
    QVERIFY(!listChanged.wait(100));
    QCOMPARE(listChanged.size(), 1);
}

void tst_ResourceRegistry::updatedIsImmediate()
{
    ResourceRegistry registry;
    QVERIFY(registry.registerResource(resource(u"test://watched-resource"_s)));
    QSignalSpy updated(&registry, &ResourceRegistry::updated);
    QSignalSpy listChanged(&registry, &ResourceRegistry::listChanged);
    const quint64 generation = registry.generation();

    registry.notifyUpdated(u"test://watched-resource"_s);
    registry.notifyUpdated(u"test://watched-resource"_s);
    QCOMPARE(updated.size(), 2); // synchronous, one per change
    QCOMPARE(updated.at(0).at(0).toString(), u"test://watched-resource"_s);
    // Content changes are not list changes.
    QCOMPARE(registry.generation(), generation);
    QCOMPARE(listChanged.size(), 0);
}

QTEST_GUILESS_MAIN(tst_ResourceRegistry)
#include "tst_resourceregistry.moc"
