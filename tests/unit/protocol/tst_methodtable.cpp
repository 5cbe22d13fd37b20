#include "server/protocol/session/methodtable.h"

#include <QTest>

using namespace Qt::StringLiterals;
using heartline::JsonRpcMessage;
using heartline::MethodEra;
using heartline::MethodRow;
using heartline::MethodTable;

Q_DECLARE_METATYPE(heartline::MethodEra)

class tst_MethodTable final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsTheRowAddedForAMethod();
    void knowsNothingOfMethodsNoRowNames();
    void findsEveryRowWhateverOrderTheyCameIn();
    void rowsExistInTheirEraOnly_data();
    void rowsExistInTheirEraOnly();
};

void tst_MethodTable::findsTheRowAddedForAMethod()
{
    MethodTable table;
    QString handled;
    table.add({"tools/list"_L1, MethodEra::Both, true, "tools"_L1,
               [&handled](const JsonRpcMessage &message) { handled = message.method; }});
    table.add({"ping"_L1, MethodEra::WithSessions, false, {}, [](const JsonRpcMessage &) {}});

    const MethodRow *row = table.find(u"tools/list"_s);
    QVERIFY(row);
    QCOMPARE(QString(row->method), u"tools/list"_s);
    QCOMPARE(QString(row->capability), u"tools"_s);
    QVERIFY(row->needsInitialize);
    JsonRpcMessage message;
    message.method = u"tools/list"_s;
    row->handler(message);
    QCOMPARE(handled, u"tools/list"_s);

    const MethodRow *ping = table.find(u"ping"_s);
    QVERIFY(ping);
    QVERIFY(!ping->needsInitialize);
    QVERIFY(ping->capability.isEmpty());
}

void tst_MethodTable::knowsNothingOfMethodsNoRowNames()
{
    MethodTable table;
    table.add({"tools/list"_L1, MethodEra::Both, true, "tools"_L1, [](const JsonRpcMessage &) {}});
    QVERIFY(!table.find(u"tools/call"_s));
    QVERIFY(!table.find(u"tools/list/"_s));
    QVERIFY(!table.find(u"TOOLS/LIST"_s));
    QVERIFY(!table.find(QString()));
}

// The table is kept sorted as rows arrive (a session's own, then each feature's): every row
// must be found, and nothing between or around them, before and after squeeze().
void tst_MethodTable::findsEveryRowWhateverOrderTheyCameIn()
{
    static const char *const methods[] = {
        "tools/list", "ping", "resources/read", "initialize", "prompts/get", "completion/complete",
        "tools/call", "logging/setLevel", "resources/list", "server/discover", "prompts/list",
        "resources/templates/list", "subscriptions/listen", "resources/subscribe", "a", "z"};
    MethodTable table;
    QStringList handled;
    for (const char *method : methods) {
        table.add({QLatin1StringView(method), MethodEra::Both, true, {},
                   [&handled, method](const JsonRpcMessage &) {
                       handled.append(QLatin1StringView(method));
                   }});
    }
    for (const bool squeezed : {false, true}) {
        if (squeezed)
            table.squeeze();
        handled.clear();
        for (const char *method : methods) {
            const MethodRow *row = table.find(QString::fromLatin1(method));
            QVERIFY2(row, method);
            row->handler(JsonRpcMessage());
            QCOMPARE(handled.constLast(), QLatin1StringView(method));
        }
        for (const QString &absent : {u"0"_s, u"b"_s, u"tools/cal"_s, u"tools/calls"_s, u"zz"_s,
                                      u"pong"_s, u"ping\u00e9"_s})
            QVERIFY2(!table.find(absent), qPrintable(absent));
    }
}

void tst_MethodTable::rowsExistInTheirEraOnly_data()
{
    QTest::addColumn<MethodEra>("era");
    QTest::addColumn<bool>("stateless");
    QTest::addColumn<bool>("exists");
    QTest::newRow("with sessions, in a session") << MethodEra::WithSessions << false << true;
    QTest::newRow("with sessions, stateless") << MethodEra::WithSessions << true << false;
    QTest::newRow("stateless, in a session") << MethodEra::Stateless << false << false;
    QTest::newRow("stateless, stateless") << MethodEra::Stateless << true << true;
    QTest::newRow("both, in a session") << MethodEra::Both << false << true;
    QTest::newRow("both, stateless") << MethodEra::Both << true << true;
}

void tst_MethodTable::rowsExistInTheirEraOnly()
{
    QFETCH(MethodEra, era);
    QFETCH(bool, stateless);
    QFETCH(bool, exists);
    MethodRow row;
    row.era = era;
    QCOMPARE(row.existsIn(stateless), exists);
}

QTEST_GUILESS_MAIN(tst_MethodTable)
#include "tst_methodtable.moc"
