#include "server/protocol/catalog/toolregistry.h"
#include "tests/support/fakecatalog.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::Tool;
using heartline::ToolCall;
using heartline::ToolDefinition;
using heartline::ToolRegistry;
using heartline::testing::FakeTool;

namespace {

std::shared_ptr<Tool> fake(const QString &name)
{
    return std::make_shared<FakeTool>(name);
}

QStringList names(const QList<ToolDefinition> &definitions)
{
    QStringList result;
    for (const ToolDefinition &definition : definitions)
        result.append(definition.name);
    return result;
}

} // namespace

class tst_ToolRegistry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registerAnnouncesTheTool();
    void unregisterAnnouncesTheTool();
    void unregisterUnknownChangesNothing();
    void setEnabledAnnouncesOnlyRealChanges();
    void setEnabledUnknownFails();
    void refusesDuplicateNames();
    void refusesNullTool();
    void refusesInvalidNames_data();
    void refusesInvalidNames();
    void acceptsValidNames_data();
    void acceptsValidNames();
    void refusesInputSchemaWithoutObjectType_data();
    void refusesInputSchemaWithoutObjectType();
    void listChangedCoalescesABurst();
    void listChangedFiresAgainForALaterChange();
    void listChangedIsNotPostponedByAStreamOfChanges();
    void enabledToolIsNullWhenDisabledOrUnknown();
    void listsAreSortedByNameAndKeepDisabledEntries();
};

void tst_ToolRegistry::registerAnnouncesTheTool()
{
    ToolRegistry registry;
    QSignalSpy registered(&registry, &ToolRegistry::toolRegistered);
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);

    QVERIFY(registry.registerTool(fake(u"alpha"_s), u"conformance"_s));

    QCOMPARE(registered.size(), 1);
    QCOMPARE(registered.first().first().toString(), u"alpha"_s);
    QVERIFY(registry.contains(u"alpha"_s));
    QVERIFY(registry.isEnabled(u"alpha"_s));
    QCOMPARE(registry.entries().first().source, u"conformance"_s);
    QCOMPARE(listChanged.size(), 0); // coalesced, so never synchronous
    QVERIFY(listChanged.wait(5000));
    QCOMPARE(listChanged.size(), 1);
}

void tst_ToolRegistry::unregisterAnnouncesTheTool()
{
    ToolRegistry registry;
    QVERIFY(registry.registerTool(fake(u"alpha"_s)));
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);
    QVERIFY(listChanged.wait(5000));
    QSignalSpy unregistered(&registry, &ToolRegistry::toolUnregistered);

    QVERIFY(registry.unregisterTool(u"alpha"_s));

    QCOMPARE(unregistered.size(), 1);
    QCOMPARE(unregistered.first().first().toString(), u"alpha"_s);
    QVERIFY(!registry.contains(u"alpha"_s));
    QVERIFY(!registry.enabledTool(u"alpha"_s));
    QVERIFY(listChanged.wait(5000));
    QCOMPARE(listChanged.size(), 2);
}

void tst_ToolRegistry::unregisterUnknownChangesNothing()
{
    ToolRegistry registry;
    QSignalSpy unregistered(&registry, &ToolRegistry::toolUnregistered);
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);

    QVERIFY(!registry.unregisterTool(u"ghost"_s));

    QCOMPARE(unregistered.size(), 0);
    QVERIFY(!listChanged.wait(100));
}

void tst_ToolRegistry::setEnabledAnnouncesOnlyRealChanges()
{
    ToolRegistry registry;
    QVERIFY(registry.registerTool(fake(u"alpha"_s)));
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);
    QVERIFY(listChanged.wait(5000));
    QSignalSpy enabledChanged(&registry, &ToolRegistry::toolEnabledChanged);

    QVERIFY(registry.setEnabled(u"alpha"_s, true)); // already enabled: no change
    QCOMPARE(enabledChanged.size(), 0);
    QVERIFY(!listChanged.wait(100));

    QVERIFY(registry.setEnabled(u"alpha"_s, false));
    QCOMPARE(enabledChanged.size(), 1);
    QCOMPARE(enabledChanged.first().at(0).toString(), u"alpha"_s);
    QCOMPARE(enabledChanged.first().at(1).toBool(), false);
    QVERIFY(!registry.isEnabled(u"alpha"_s));
    QVERIFY(registry.contains(u"alpha"_s));

    QVERIFY(registry.setEnabled(u"alpha"_s, false));
    QCOMPARE(enabledChanged.size(), 1);

    QVERIFY(registry.setEnabled(u"alpha"_s, true));
    QCOMPARE(enabledChanged.size(), 2);
    QCOMPARE(enabledChanged.last().at(1).toBool(), true);
    QVERIFY(listChanged.wait(5000));
}

void tst_ToolRegistry::setEnabledUnknownFails()
{
    ToolRegistry registry;
    QSignalSpy enabledChanged(&registry, &ToolRegistry::toolEnabledChanged);
    QVERIFY(!registry.setEnabled(u"ghost"_s, false));
    QVERIFY(!registry.setEnabled(u"ghost"_s, true));
    QCOMPARE(enabledChanged.size(), 0);
    QVERIFY(!registry.isEnabled(u"ghost"_s));
}

void tst_ToolRegistry::refusesDuplicateNames()
{
    ToolRegistry registry;
    const std::shared_ptr<Tool> first = fake(u"alpha"_s);
    QVERIFY(registry.registerTool(first, u"built-in"_s));
    QSignalSpy registered(&registry, &ToolRegistry::toolRegistered);

    QVERIFY(!registry.registerTool(fake(u"alpha"_s), u"conformance"_s));

    QCOMPARE(registered.size(), 0);
    QCOMPARE(registry.entries().size(), 1);
    QCOMPARE(registry.entries().first().source, u"built-in"_s);
    QCOMPARE(registry.enabledTool(u"alpha"_s), first);
    // Names are case-sensitive, so a different spelling is another tool.
    QVERIFY(registry.registerTool(fake(u"Alpha"_s)));
}

void tst_ToolRegistry::refusesNullTool()
{
    ToolRegistry registry;
    QSignalSpy registered(&registry, &ToolRegistry::toolRegistered);
    QVERIFY(!registry.registerTool(nullptr));
    QCOMPARE(registered.size(), 0);
    QVERIFY(registry.entries().isEmpty());
}

void tst_ToolRegistry::refusesInvalidNames_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("empty") << QString();
    QTest::newRow("space") << u"get user"_s;
    QTest::newRow("leading space") << u" echo"_s;
    QTest::newRow("comma") << u"a,b"_s;
    QTest::newRow("slash") << u"tools/echo"_s;
    QTest::newRow("colon") << u"ns:echo"_s;
    QTest::newRow("non-ASCII letter") << u"grüße"_s;
    QTest::newRow("129 characters") << QString(129, u'a');
    QTest::newRow("trailing newline") << u"echo\n"_s;
    QTest::newRow("leading newline") << u"\necho"_s;
    QTest::newRow("tab") << u"echo\t"_s;
}

void tst_ToolRegistry::refusesInvalidNames()
{
    QFETCH(QString, name);

    QVERIFY(!ToolRegistry::isValidToolName(name));
    ToolRegistry registry;
    QSignalSpy registered(&registry, &ToolRegistry::toolRegistered);
    QVERIFY(!registry.registerTool(fake(name)));
    QCOMPARE(registered.size(), 0);
    QVERIFY(!registry.contains(name));
}

void tst_ToolRegistry::acceptsValidNames_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("one character") << u"x"_s;
    QTest::newRow("128 characters") << QString(128, u'a');
    QTest::newRow("camelCase") << u"getUser"_s;
    QTest::newRow("underscore and digit") << u"DATA_EXPORT_v2"_s;
    QTest::newRow("dots") << u"admin.tools.list"_s;
    QTest::newRow("dash") << u"list-files"_s;
    QTest::newRow("only punctuation") << u"-._"_s;
}

void tst_ToolRegistry::acceptsValidNames()
{
    QFETCH(QString, name);

    QVERIFY(ToolRegistry::isValidToolName(name));
    ToolRegistry registry;
    QVERIFY(registry.registerTool(fake(name)));
    QVERIFY(registry.contains(name));
}

void tst_ToolRegistry::refusesInputSchemaWithoutObjectType_data()
{
    QTest::addColumn<QJsonObject>("schema");

    QTest::newRow("empty schema") << QJsonObject();
    QTest::newRow("properties only") << QJsonObject{{"properties"_L1, QJsonObject{}}};
    QTest::newRow("type array") << QJsonObject{{"type"_L1, "array"_L1}};
    QTest::newRow("type string") << QJsonObject{{"type"_L1, "string"_L1}};
    QTest::newRow("type Object (case)") << QJsonObject{{"type"_L1, "Object"_L1}};
}

void tst_ToolRegistry::refusesInputSchemaWithoutObjectType()
{
    QFETCH(QJsonObject, schema);

    ToolRegistry registry;
    QSignalSpy registered(&registry, &ToolRegistry::toolRegistered);
    QVERIFY(!registry.registerTool(std::make_shared<FakeTool>(u"alpha"_s, FakeTool::Mode::Immediate, schema)));
    QCOMPARE(registered.size(), 0);
    QVERIFY(!registry.contains(u"alpha"_s));
}

void tst_ToolRegistry::listChangedCoalescesABurst()
{
    ToolRegistry registry;
    registry.setCoalesceInterval(5);
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);

    QVERIFY(registry.registerTool(fake(u"a"_s)));
    QVERIFY(registry.registerTool(fake(u"b"_s)));
    QVERIFY(registry.setEnabled(u"a"_s, false));
    QVERIFY(registry.setEnabled(u"a"_s, true));
    QVERIFY(registry.unregisterTool(u"b"_s));
    QCOMPARE(listChanged.size(), 0);

    QVERIFY(listChanged.wait(5000));
    QCOMPARE(listChanged.size(), 1);
    // A second notification from the same burst would be due before this later one,
    // since both use the same interval; so exactly two means the burst produced one.
    QVERIFY(registry.setEnabled(u"a"_s, false));
    QVERIFY(listChanged.wait(5000));
    QCOMPARE(listChanged.size(), 2);
}

void tst_ToolRegistry::listChangedFiresAgainForALaterChange()
{
    ToolRegistry registry;
    registry.setCoalesceInterval(5);
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);

    QVERIFY(registry.registerTool(fake(u"a"_s)));
    QVERIFY(listChanged.wait(5000));
    QCOMPARE(listChanged.size(), 1);

    QVERIFY(registry.setEnabled(u"a"_s, false));
    QCOMPARE(listChanged.size(), 1);
    QVERIFY(listChanged.wait(5000));
    QCOMPARE(listChanged.size(), 2);
}

void tst_ToolRegistry::listChangedIsNotPostponedByAStreamOfChanges()
{
    ToolRegistry registry;
    registry.setCoalesceInterval(50);
    QSignalSpy listChanged(&registry, &ToolRegistry::listChanged);
    QVERIFY(registry.registerTool(fake(u"a"_s)));

    // Toggle every 5 ms for far longer than the interval: the first change fixes the deadline.
    QTimer toggler;
    bool enabled = true;
    connect(&toggler, &QTimer::timeout, &registry, [&] {
        enabled = !enabled;
        registry.setEnabled(u"a"_s, enabled);
    });
    toggler.start(5);
    QVERIFY(listChanged.wait(5000));
}

void tst_ToolRegistry::enabledToolIsNullWhenDisabledOrUnknown()
{
    ToolRegistry registry;
    const std::shared_ptr<Tool> alpha = fake(u"alpha"_s);
    QVERIFY(registry.registerTool(alpha));

    QCOMPARE(registry.enabledTool(u"alpha"_s), alpha);
    QVERIFY(registry.setEnabled(u"alpha"_s, false));
    QVERIFY(!registry.enabledTool(u"alpha"_s));
    QVERIFY(!registry.enabledTool(u"ghost"_s));
    QVERIFY(registry.setEnabled(u"alpha"_s, true));
    QCOMPARE(registry.enabledTool(u"alpha"_s), alpha);
}

void tst_ToolRegistry::listsAreSortedByNameAndKeepDisabledEntries()
{
    ToolRegistry registry;
    for (const QString &name : {u"delta"_s, u"alpha"_s, u"charlie"_s, u"bravo"_s})
        QVERIFY(registry.registerTool(fake(name)));
    QVERIFY(registry.setEnabled(u"bravo"_s, false));

    QCOMPARE(names(registry.enabledDefinitions()),
             (QStringList{u"alpha"_s, u"charlie"_s, u"delta"_s}));
    const QList<heartline::ToolEntry> entries = registry.entries();
    QCOMPARE(entries.size(), 4);
    QCOMPARE(entries.at(1).definition.name, u"bravo"_s);
    QVERIFY(!entries.at(1).enabled);
    QVERIFY(entries.at(0).enabled);
    QCOMPARE(entries.at(0).source, u"built-in"_s);
}

QTEST_GUILESS_MAIN(tst_ToolRegistry)
#include "tst_toolregistry.moc"
