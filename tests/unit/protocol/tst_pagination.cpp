#include "server/protocol/catalog/pagination.h"

#include <QTest>

using namespace Qt::StringLiterals;
namespace Pagination = heartline::Pagination;

class tst_Pagination final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cursorRoundTripsTheLastName_data();
    void cursorRoundTripsTheLastName();
    void decodeRejectsForeignCursors_data();
    void decodeRejectsForeignCursors();
};

void tst_Pagination::cursorRoundTripsTheLastName_data()
{
    QTest::addColumn<QString>("lastName");

    QTest::newRow("simple") << u"echo"_s;
    QTest::newRow("dotted") << u"admin.tools.list"_s;
    QTest::newRow("looks like a prefix") << u"after:x"_s;
    QTest::newRow("non-ASCII") << u"grüße-世界"_s;
    QTest::newRow("128 characters") << QString(128, u'z');
}

void tst_Pagination::cursorRoundTripsTheLastName()
{
    QFETCH(QString, lastName);

    const QString cursor = Pagination::cursorAfter(lastName);
    QVERIFY2(!cursor.contains(lastName), "a cursor must be opaque, not the name itself");
    for (const QChar c : cursor)
        QVERIFY2((c.isLetterOrNumber() && c.unicode() < 128) || c == u'-' || c == u'_',
                 qPrintable(cursor));
    QString decoded;
    QVERIFY(Pagination::decode(cursor, &decoded));
    QCOMPARE(decoded, lastName);
}

void tst_Pagination::decodeRejectsForeignCursors_data()
{
    QTest::addColumn<QString>("cursor");

    QTest::newRow("empty") << QString();
    QTest::newRow("not base64") << u"%%%"_s;
    QTest::newRow("plain name") << u"echo"_s;
    QTest::newRow("base64 without prefix")
        << QString::fromLatin1(QByteArray("before:echo").toBase64());
    QTest::newRow("prefix without name")
        << QString::fromLatin1(QByteArray("after:").toBase64(QByteArray::Base64UrlEncoding));
    QTest::newRow("non-Latin-1") << u"Ω"_s;
}

void tst_Pagination::decodeRejectsForeignCursors()
{
    QFETCH(QString, cursor);

    QString decoded = u"untouched"_s;
    QVERIFY(!Pagination::decode(cursor, &decoded));
}

QTEST_GUILESS_MAIN(tst_Pagination)
#include "tst_pagination.moc"
