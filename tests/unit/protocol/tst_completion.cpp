#include "server/protocol/catalog/completion.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::Completion;

class tst_Completion final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filtersByPrefix_data();
    void filtersByPrefix();
    void capsAtOneHundredAndCountsAll_data();
    void capsAtOneHundredAndCountsAll();
    void caseSensitiveMatchesComeFirstEvenPastTheCap();
    void toJsonHasTheMcpShape();
    void emptyResultStillHasTheShape();
};

void tst_Completion::filtersByPrefix_data()
{
    QTest::addColumn<QStringList>("candidates");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QStringList>("values");

    const QStringList tools{u"echo"_s, u"sleep"_s, u"now"_s, u"slow"_s};
    QTest::newRow("nothing typed gives all, in order") << tools << QString() << tools;
    QTest::newRow("prefix") << tools << u"sl"_s << QStringList{u"sleep"_s, u"slow"_s};
    QTest::newRow("whole word") << tools << u"now"_s << QStringList{u"now"_s};
    QTest::newRow("no match") << tools << u"x"_s << QStringList{};
    QTest::newRow("infix is not a prefix") << tools << u"ee"_s << QStringList{};
    QTest::newRow("longer than any candidate") << tools << u"echoes"_s << QStringList{};
    QTest::newRow("case-insensitive after case-sensitive")
        << QStringList{u"Alpha"_s, u"alpha"_s, u"ALPS"_s, u"alps"_s, u"beta"_s} << u"al"_s
        << QStringList{u"alpha"_s, u"alps"_s, u"Alpha"_s, u"ALPS"_s};
    QTest::newRow("uppercase typed") << QStringList{u"python"_s, u"Python"_s} << u"Py"_s
                                     << QStringList{u"Python"_s, u"python"_s};
    QTest::newRow("duplicates once") << QStringList{u"a1"_s, u"a1"_s, u"A1"_s, u"a2"_s, u"A1"_s}
                                     << u"a"_s << QStringList{u"a1"_s, u"a2"_s, u"A1"_s};
}

void tst_Completion::filtersByPrefix()
{
    QFETCH(QStringList, candidates);
    QFETCH(QString, typed);
    QFETCH(QStringList, values);

    const Completion completion = Completion::fromCandidates(candidates, typed);
    QCOMPARE(completion.values, values);
    QCOMPARE(completion.total, int(values.size()));
    QVERIFY(!completion.hasMore);
}

void tst_Completion::capsAtOneHundredAndCountsAll_data()
{
    QTest::addColumn<int>("matching");
    QTest::addColumn<int>("expectedValues");
    QTest::addColumn<bool>("hasMore");

    QTest::newRow("99") << 99 << 99 << false;
    QTest::newRow("exactly 100") << 100 << 100 << false;
    QTest::newRow("101") << 101 << 100 << true;
    QTest::newRow("250") << 250 << 100 << true;
}

void tst_Completion::capsAtOneHundredAndCountsAll()
{
    QFETCH(int, matching);
    QFETCH(int, expectedValues);
    QFETCH(bool, hasMore);

    QStringList candidates;
    for (int i = 0; i < matching; ++i)
        candidates.append(u"item%1"_s.arg(i, 3, 10, QChar(u'0')));
    candidates.append(u"other"_s); // never counted

    const Completion completion = Completion::fromCandidates(candidates, u"item"_s);
    QCOMPARE(completion.values.size(), expectedValues);
    QCOMPARE(completion.total, matching);
    QCOMPARE(completion.hasMore, hasMore);
    QCOMPARE(completion.values.first(), u"item000"_s);
    QCOMPARE(completion.values.last(), candidates.at(expectedValues - 1));
}

void tst_Completion::caseSensitiveMatchesComeFirstEvenPastTheCap()
{
    // The folded matches are listed first among the candidates, yet the exact ones win the
    // 100 places.
    QStringList candidates;
    for (int i = 0; i < 60; ++i)
        candidates.append(u"Key%1"_s.arg(i));
    for (int i = 0; i < 60; ++i)
        candidates.append(u"key%1"_s.arg(i));

    const Completion completion = Completion::fromCandidates(candidates, u"key"_s);
    QCOMPARE(completion.total, 120);
    QVERIFY(completion.hasMore);
    QCOMPARE(completion.values.size(), Completion::kMaxValues);
    QCOMPARE(completion.values.at(0), u"key0"_s);
    QCOMPARE(completion.values.at(59), u"key59"_s);
    QCOMPARE(completion.values.at(60), u"Key0"_s);
    QCOMPARE(completion.values.at(99), u"Key39"_s);
}

void tst_Completion::toJsonHasTheMcpShape()
{
    Completion completion;
    completion.values = QStringList{u"python"_s, u"pytorch"_s};
    completion.total = 10;
    completion.hasMore = true;
    const QJsonObject expected =
        QJsonDocument::fromJson(
            R"({"completion":{"values":["python","pytorch"],"total":10,"hasMore":true}})")
            .object();
    QCOMPARE(completion.toJson(), expected);
}

void tst_Completion::emptyResultStillHasTheShape()
{
    // The conformance suite's reference answer for a prompt without candidates.
    const QJsonObject expected =
        QJsonDocument::fromJson(R"({"completion":{"values":[],"total":0,"hasMore":false}})")
            .object();
    QCOMPARE(Completion::fromCandidates({}, u"test"_s).toJson(), expected);
}

QTEST_GUILESS_MAIN(tst_Completion)
#include "tst_completion.moc"
