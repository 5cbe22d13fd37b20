#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/resource.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::ResourceContents;
using heartline::ResourceDefinition;
using heartline::ResourceTemplateDefinition;
namespace Content = heartline::Content;

Q_DECLARE_METATYPE(ResourceContents)

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

} // namespace

class tst_Content final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blocksHaveTheMcpShapes_data();
    void blocksHaveTheMcpShapes();
    void resourceDefinitionOmitsUnsetFields();
    void resourceDefinitionCarriesEverySetField();
    void templateDefinitionOmitsUnsetFields();
    void resourceContentsIsTextOrBlob_data();
    void resourceContentsIsTextOrBlob();
};

void tst_Content::blocksHaveTheMcpShapes_data()
{
    QTest::addColumn<QJsonObject>("block");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("text") << Content::text(u"hello"_s)
                          << parse(R"({"type":"text","text":"hello"})");
    QTest::newRow("empty text keeps text")
        << Content::text({}) << parse(R"({"type":"text","text":""})");
    QTest::newRow("image") << Content::image(u"iVBORw0KGgo="_s, u"image/png"_s)
                           << parse(R"({"type":"image","data":"iVBORw0KGgo=",
                                        "mimeType":"image/png"})");
    QTest::newRow("audio") << Content::audio(u"UklGRg=="_s, u"audio/wav"_s)
                           << parse(R"({"type":"audio","data":"UklGRg==",
                                        "mimeType":"audio/wav"})");
    QTest::newRow("resource link, minimal")
        << Content::resourceLink(u"test://a"_s, u"a"_s)
        << parse(R"({"type":"resource_link","uri":"test://a","name":"a"})");
    QTest::newRow("resource link, full")
        << Content::resourceLink(u"test://a"_s, u"a"_s, u"text/plain"_s, u"The A"_s)
        << parse(R"({"type":"resource_link","uri":"test://a","name":"a",
                     "mimeType":"text/plain","description":"The A"})");
    QTest::newRow("embedded text")
        << Content::embeddedText(u"test://embedded-resource"_s, u"text/plain"_s,
                                 u"This is an embedded resource content."_s)
        << parse(R"({"type":"resource","resource":{"uri":"test://embedded-resource",
                     "mimeType":"text/plain","text":"This is an embedded resource content."}})");
    QTest::newRow("embedded blob")
        << Content::embeddedBlob(u"test://bin"_s, u"application/octet-stream"_s, u"AAEC"_s)
        << parse(R"({"type":"resource","resource":{"uri":"test://bin",
                     "mimeType":"application/octet-stream","blob":"AAEC"}})");
}

void tst_Content::blocksHaveTheMcpShapes()
{
    QFETCH(QJsonObject, block);
    QFETCH(QJsonObject, expected);
    QVERIFY(!expected.isEmpty()); // the reference parsed
    QCOMPARE(block, expected);
}

void tst_Content::resourceDefinitionOmitsUnsetFields()
{
    ResourceDefinition definition;
    definition.uri = u"test://static-text"_s;
    definition.name = u"static-text"_s;
    const QJsonObject expected = parse(R"({"uri":"test://static-text","name":"static-text"})");
    QCOMPARE(definition.toJson(), expected);
}

void tst_Content::resourceDefinitionCarriesEverySetField()
{
    ResourceDefinition definition;
    definition.uri = u"test://a"_s;
    definition.name = u"a"_s;
    definition.title = u"A"_s;
    definition.description = u"The letter"_s;
    definition.mimeType = u"text/plain"_s;
    definition.size = 0; // zero is a real size, unlike -1
    definition.annotations = QJsonObject{{"priority"_L1, 0.5}};
    const QJsonObject expected =
        parse(R"({"uri":"test://a","name":"a","title":"A","description":"The letter",
                       "mimeType":"text/plain","size":0,"annotations":{"priority":0.5}})");
    QCOMPARE(definition.toJson(), expected);
}

void tst_Content::templateDefinitionOmitsUnsetFields()
{
    ResourceTemplateDefinition definition;
    definition.uriTemplate = u"test://template/{id}/data"_s;
    definition.name = u"template"_s;
    const QJsonObject expected =
        parse(R"({"uriTemplate":"test://template/{id}/data","name":"template"})");
    QCOMPARE(definition.toJson(), expected);
    definition.mimeType = u"application/json"_s;
    definition.title = u"T"_s;
    const QJsonObject full = parse(R"({"uriTemplate":"test://template/{id}/data","name":"template",
                       "title":"T","mimeType":"application/json"})");
    QCOMPARE(definition.toJson(), full);
}

void tst_Content::resourceContentsIsTextOrBlob_data()
{
    QTest::addColumn<ResourceContents>("contents");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("text") << ResourceContents::fromText(u"test://t"_s, u"text/plain"_s, u"hi"_s)
                          << parse(R"({"uri":"test://t","mimeType":"text/plain","text":"hi"})");
    QTest::newRow("text without mime type")
        << ResourceContents::fromText(u"test://t"_s, {}, u"hi"_s)
        << parse(R"({"uri":"test://t","text":"hi"})");
    QTest::newRow("empty text is still text")
        << ResourceContents::fromText(u"test://t"_s, u"text/plain"_s, {})
        << parse(R"({"uri":"test://t","mimeType":"text/plain","text":""})");
    QTest::newRow("blob") << ResourceContents::fromBlob(u"test://b"_s, u"image/png"_s, u"AAEC"_s)
                          << parse(R"({"uri":"test://b","mimeType":"image/png","blob":"AAEC"})");
    QTest::newRow("empty blob is still a blob")
        << ResourceContents::fromBlob(u"test://b"_s, u"image/png"_s, {})
        << parse(R"({"uri":"test://b","mimeType":"image/png","blob":""})");
}

void tst_Content::resourceContentsIsTextOrBlob()
{
    QFETCH(ResourceContents, contents);
    QFETCH(QJsonObject, expected);
    QVERIFY(!expected.isEmpty());
    QCOMPARE(contents.toJson(), expected);
}

QTEST_GUILESS_MAIN(tst_Content)
#include "tst_content.moc"
