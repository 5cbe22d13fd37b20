#include "server/protocol/wire/revision.h"

#include <QTest>

using namespace Qt::StringLiterals;
using heartline::Revision;
namespace Revisions = heartline::Revisions;

class tst_Revision final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void negotiateEchoesSupportedAndOffersLatestOtherwise_data();
    void negotiateEchoesSupportedAndOffersLatestOtherwise();
    void latestIs2026_07_28AndLatestWithSessionsIs2025_11_25();
    void traitsDescribeEachRevision_data();
    void traitsDescribeEachRevision();
    void parseAcceptsOnlyExactNames_data();
    void parseAcceptsOnlyExactNames();
    void supportedNamesListNewestFirst();
    void missingHeaderAssumes2025_03_26();
};

void tst_Revision::negotiateEchoesSupportedAndOffersLatestOtherwise_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("expected");

    QTest::newRow("2024-11-05 echoed") << u"2024-11-05"_s << u"2024-11-05"_s;
    QTest::newRow("2025-03-26 echoed") << u"2025-03-26"_s << u"2025-03-26"_s;
    QTest::newRow("2025-06-18 echoed") << u"2025-06-18"_s << u"2025-06-18"_s;
    QTest::newRow("2025-11-25 echoed") << u"2025-11-25"_s << u"2025-11-25"_s;
    QTest::newRow("future") << u"2099-01-01"_s << u"2025-11-25"_s;
    QTest::newRow("empty") << QString() << u"2025-11-25"_s;
    QTest::newRow("2024-10-07 (SDK knows it, we do not)") << u"2024-10-07"_s << u"2025-11-25"_s;
    QTest::newRow("2026-07-28 (stateless, no initialize)") << u"2026-07-28"_s << u"2025-11-25"_s;
    QTest::newRow("trailing space") << u"2025-06-18 "_s << u"2025-11-25"_s;
    QTest::newRow("garbage") << u"latest"_s << u"2025-11-25"_s;
}

void tst_Revision::negotiateEchoesSupportedAndOffersLatestOtherwise()
{
    QFETCH(QString, requested);
    QFETCH(QString, expected);

    QCOMPARE(Revisions::name(Revisions::negotiate(requested)), expected);
}

void tst_Revision::latestIs2026_07_28AndLatestWithSessionsIs2025_11_25()
{
    QCOMPARE(Revisions::latest(), Revision::V2026_07_28);
    QCOMPARE(Revisions::latestWithSessions(), Revision::V2025_11_25);
    QCOMPARE(Revisions::all().last(), Revisions::latest());
    QCOMPARE(Revisions::all().size(), 5);
}

void tst_Revision::traitsDescribeEachRevision_data()
{
    QTest::addColumn<Revision>("revision");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("acceptsBatches");
    QTest::addColumn<bool>("hasProtocolVersionHeader");
    QTest::addColumn<bool>("sendsPrimingEvent");
    QTest::addColumn<bool>("allowsEarlyStreamClose");
    QTest::addColumn<bool>("stateless");
    QTest::addColumn<bool>("hasResourceNotFoundCode");

    QTest::newRow("2024-11-05") << Revision::V2024_11_05 << u"2024-11-05"_s << false << false
                                << false << false << false << true;
    QTest::newRow("2025-03-26") << Revision::V2025_03_26 << u"2025-03-26"_s << true << false
                                << false << false << false << true;
    QTest::newRow("2025-06-18") << Revision::V2025_06_18 << u"2025-06-18"_s << false << true
                                << false << false << false << true;
    QTest::newRow("2025-11-25") << Revision::V2025_11_25 << u"2025-11-25"_s << false << true << true
                                << true << false << true;
    // No event ids at all in 2026-07-28 (no resumption), hence no priming and no early close.
    QTest::newRow("2026-07-28") << Revision::V2026_07_28 << u"2026-07-28"_s << false << true
                                << false << false << true << false;
}

void tst_Revision::traitsDescribeEachRevision()
{
    QFETCH(Revision, revision);
    QFETCH(QString, name);
    QFETCH(bool, acceptsBatches);
    QFETCH(bool, hasProtocolVersionHeader);
    QFETCH(bool, sendsPrimingEvent);
    QFETCH(bool, allowsEarlyStreamClose);
    QFETCH(bool, stateless);
    QFETCH(bool, hasResourceNotFoundCode);

    const heartline::RevisionTraits &traits = Revisions::traits(revision);
    QCOMPARE(traits.revision, revision);
    QCOMPARE(Revisions::name(revision), name);
    QCOMPARE(traits.acceptsBatches, acceptsBatches);
    QCOMPARE(traits.hasProtocolVersionHeader, hasProtocolVersionHeader);
    QCOMPARE(traits.sendsPrimingEvent, sendsPrimingEvent);
    QCOMPARE(traits.allowsEarlyStreamClose, allowsEarlyStreamClose);
    QCOMPARE(traits.stateless, stateless);
    QCOMPARE(traits.hasResourceNotFoundCode, hasResourceNotFoundCode);
}

void tst_Revision::parseAcceptsOnlyExactNames_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("accepted");

    for (const Revision revision : Revisions::all())
        QTest::newRow(qPrintable(Revisions::name(revision))) << Revisions::name(revision) << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("leading space") << u" 2025-11-25"_s << false;
    QTest::newRow("slashes") << u"2025/11/25"_s << false;
    QTest::newRow("2024-10-07") << u"2024-10-07"_s << false;
}

void tst_Revision::parseAcceptsOnlyExactNames()
{
    QFETCH(QString, text);
    QFETCH(bool, accepted);

    Revision revision = Revision::V2024_11_05;
    QCOMPARE(Revisions::parse(text, &revision), accepted);
    if (accepted)
        QCOMPARE(Revisions::name(revision), text);
}

void tst_Revision::supportedNamesListNewestFirst()
{
    const QStringList expected{u"2026-07-28"_s, u"2025-11-25"_s, u"2025-06-18"_s, u"2025-03-26"_s,
                               u"2024-11-05"_s};
    QCOMPARE(Revisions::supportedNames(), expected);
}

void tst_Revision::missingHeaderAssumes2025_03_26()
{
    QCOMPARE(Revisions::assumedWithoutHeader(), Revision::V2025_03_26);
}

QTEST_GUILESS_MAIN(tst_Revision)
#include "tst_revision.moc"
