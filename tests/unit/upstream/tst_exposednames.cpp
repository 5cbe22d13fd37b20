#include "server/tools/upstream/exposednames.h"
#include "tests/support/servertestmain.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::ExposedNames;

namespace {

bool isServable(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_-]{1,64}$"_s);
    return pattern.match(name).hasMatch();
}

} // namespace

class tst_ExposedNames final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plainNamesAreServerDoubleUnderscoreTool();
    void charactersOutsideTheSetBecomeUnderscores_data();
    void charactersOutsideTheSetBecomeUnderscores();
    void overlongNamesAreShortenedWithAStableHash();
    void clashesHashEveryOriginWhateverTheOrder();
    void sanitizedClashWithinOneServerIsResolved();
    void reservedBuiltInNamesAreNeverTaken();
    void lookupMapsBackWithoutParsing();
    void aClashThatEndsGivesThePlainNameBack();
    void removingAServerForgetsItsNames();
};

void tst_ExposedNames::plainNamesAreServerDoubleUnderscoreTool()
{
    ExposedNames names;
    names.setServerNames(u"notes"_s, {u"read_file"_s, u"list-dir"_s});
    QCOMPARE(names.exposedName(u"notes"_s, u"read_file"_s), u"notes__read_file"_s);
    QCOMPARE(names.exposedName(u"notes"_s, u"list-dir"_s), u"notes__list-dir"_s);
    QCOMPARE(names.exposedName(u"notes"_s, u"missing"_s), QString());
}

void tst_ExposedNames::charactersOutsideTheSetBecomeUnderscores_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("expected");
    QTest::newRow("dot") << u"gh"_s << u"repos.list"_s << u"gh__repos_list"_s;
    QTest::newRow("slash and colon") << u"a"_s << u"x/y:z"_s << u"a__x_y_z"_s;
    QTest::newRow("space") << u"my server"_s << u"run"_s << u"my_server__run"_s;
    QTest::newRow("non-ascii") << u"caf\u00e9"_s << u"l\u00e4sen"_s << u"caf___l_sen"_s;
}

void tst_ExposedNames::charactersOutsideTheSetBecomeUnderscores()
{
    QFETCH(QString, server);
    QFETCH(QString, tool);
    QFETCH(QString, expected);
    ExposedNames names;
    names.setServerNames(server, {tool});
    QCOMPARE(names.exposedName(server, tool), expected);
    QVERIFY(isServable(expected));
}

void tst_ExposedNames::overlongNamesAreShortenedWithAStableHash()
{
    const QString server = u"filesystem"_s;
    const QString longTool = QString(70, u'x');
    const QString otherLong = QString(69, u'x') + u'y';
    ExposedNames names;
    names.setServerNames(server, {longTool, otherLong});
    const QString first = names.exposedName(server, longTool);
    const QString second = names.exposedName(server, otherLong);
    QCOMPARE(first.size(), ExposedNames::kMaxLength);
    QVERIFY(isServable(first));
    QVERIFY(isServable(second));
    QVERIFY(first != second);
    QVERIFY(first.startsWith(u"filesystem__xxx"_s));
    QCOMPARE(first, ExposedNames::hashed(server, longTool));

    ExposedNames again;
    again.setServerNames(server, {otherLong, longTool});
    QCOMPARE(again.exposedName(server, longTool), first);
}

void tst_ExposedNames::clashesHashEveryOriginWhateverTheOrder()
{
    // "a" + "b__c" and "a__b" + "c" spell the same plain name (SEP discussion #1395).
    ExposedNames oneWay;
    oneWay.setServerNames(u"a"_s, {u"b__c"_s});
    QCOMPARE(oneWay.exposedName(u"a"_s, u"b__c"_s), u"a__b__c"_s);
    oneWay.setServerNames(u"a__b"_s, {u"c"_s});

    ExposedNames otherWay;
    otherWay.setServerNames(u"a__b"_s, {u"c"_s});
    otherWay.setServerNames(u"a"_s, {u"b__c"_s});

    for (const ExposedNames *names : {&oneWay, &otherWay}) {
        const QString first = names->exposedName(u"a"_s, u"b__c"_s);
        const QString second = names->exposedName(u"a__b"_s, u"c"_s);
        QVERIFY(first != second);
        QVERIFY(first != u"a__b__c"_s);
        QVERIFY(second != u"a__b__c"_s);
        QVERIFY(isServable(first) && isServable(second));
    }
    QCOMPARE(oneWay.exposedName(u"a"_s, u"b__c"_s), otherWay.exposedName(u"a"_s, u"b__c"_s));
    QCOMPARE(oneWay.exposedName(u"a__b"_s, u"c"_s), otherWay.exposedName(u"a__b"_s, u"c"_s));
}

void tst_ExposedNames::sanitizedClashWithinOneServerIsResolved()
{
    ExposedNames names;
    names.setServerNames(u"gh"_s, {u"get.user"_s, u"get_user"_s});
    const QString dotted = names.exposedName(u"gh"_s, u"get.user"_s);
    const QString plain = names.exposedName(u"gh"_s, u"get_user"_s);
    QVERIFY(dotted != plain);
    QCOMPARE(names.lookup(dotted)->name, u"get.user"_s);
    QCOMPARE(names.lookup(plain)->name, u"get_user"_s);
}

void tst_ExposedNames::reservedBuiltInNamesAreNeverTaken()
{
    ExposedNames names;
    names.reserve({u"x__echo"_s});
    names.setServerNames(u"x"_s, {u"echo"_s});
    const QString exposed = names.exposedName(u"x"_s, u"echo"_s);
    QVERIFY(exposed != u"x__echo"_s);
    QVERIFY(!names.lookup(u"x__echo"_s));
}

void tst_ExposedNames::lookupMapsBackWithoutParsing()
{
    ExposedNames names;
    names.setServerNames(u"my.server"_s, {u"do/it"_s});
    const QString exposed = names.exposedName(u"my.server"_s, u"do/it"_s);
    QCOMPARE(exposed, u"my_server__do_it"_s);
    const auto origin = names.lookup(exposed);
    QVERIFY(origin);
    QCOMPARE(origin->server, u"my.server"_s);
    QCOMPARE(origin->name, u"do/it"_s);
    QVERIFY(!names.lookup(u"my_server__other"_s));
}

void tst_ExposedNames::aClashThatEndsGivesThePlainNameBack()
{
    ExposedNames names;
    names.setServerNames(u"a"_s, {u"b__c"_s});
    const QList<ExposedNames::Origin> renamed = names.setServerNames(u"a__b"_s, {u"c"_s});
    // Both origins changed name: the one already there and the newcomer.
    QCOMPARE(renamed.size(), 2);
    const QList<ExposedNames::Origin> back = names.removeServer(u"a__b"_s);
    QCOMPARE(names.exposedName(u"a"_s, u"b__c"_s), u"a__b__c"_s);
    QCOMPARE(back.size(), 2); // a's tool renamed back, a__b's tool gone
}

void tst_ExposedNames::removingAServerForgetsItsNames()
{
    ExposedNames names;
    names.setServerNames(u"one"_s, {u"t"_s});
    names.setServerNames(u"two"_s, {u"t"_s});
    names.removeServer(u"one"_s);
    QVERIFY(!names.lookup(u"one__t"_s));
    QCOMPARE(names.exposedName(u"two"_s, u"t"_s), u"two__t"_s);
    QVERIFY(names.exposedNamesOf(u"one"_s).isEmpty());
}

HEARTLINE_SERVER_TEST_MAIN(tst_ExposedNames)
#include "tst_exposednames.moc"
