#include "server/tools/upstream/boundedlinereader.h"

#include <QTest>

using namespace heartline;

class TestBoundedLineReader : public QObject
{
    Q_OBJECT

private:
    struct Seen
    {
        QList<QByteArray> lines;
        QList<QByteArray> overflows;
    };

    static void feed(BoundedLineReader &reader, const QByteArray &chunk, Seen &seen)
    {
        reader.append(
            chunk, [&seen](const QByteArray &line) { seen.lines.append(line); },
            [&seen](const QByteArray &head) { seen.overflows.append(head); });
    }

private Q_SLOTS:
    void splitsLinesAcrossChunks()
    {
        BoundedLineReader reader(100);
        Seen seen;
        feed(reader, "one\ntw", seen);
        feed(reader, "o\r\nthr", seen);
        feed(reader, "ee\n\n", seen);
        QCOMPARE(seen.lines, (QList<QByteArray>{"one", "two", "three", ""}));
        QVERIFY(seen.overflows.isEmpty());
        QCOMPARE(reader.bufferedBytes(), 0);
    }

    void keepsTheUnfinishedLastLine()
    {
        BoundedLineReader reader(100);
        Seen seen;
        feed(reader, "done\npartial", seen);
        QCOMPARE(seen.lines, QList<QByteArray>{"done"});
        QCOMPARE(reader.takeRest(), QByteArray("partial"));
        QCOMPARE(reader.takeRest(), QByteArray());
    }

    void allowsALineOfExactlyTheCap()
    {
        BoundedLineReader reader(4);
        Seen seen;
        feed(reader, "abcd\n", seen);
        QCOMPARE(seen.lines, QList<QByteArray>{"abcd"});
        QVERIFY(seen.overflows.isEmpty());
    }

    void reportsAnOverlongLineOnceAndSkipsItWithoutKeepingIt()
    {
        BoundedLineReader reader(8);
        Seen seen;
        feed(reader, "first\n0123", seen);
        feed(reader, "456789", seen); // past the cap here
        QCOMPARE(seen.overflows, QList<QByteArray>{"01234567"});
        for (int i = 0; i < 100; ++i)
            feed(reader, QByteArray(1000, 'x'), seen);
        QCOMPARE(reader.bufferedBytes(), 0);
        feed(reader, "tail of it\nnext\nafter", seen);
        QCOMPARE(seen.overflows.size(), 1);
        QCOMPARE(seen.lines, (QList<QByteArray>{"first", "next"}));
        QVERIFY(reader.peakBufferedBytes() <= 8);
        QCOMPARE(reader.takeRest(), QByteArray("after"));
    }

    void anOverlongLineInOneChunkLeavesTheNextLineWhole()
    {
        BoundedLineReader reader(3);
        Seen seen;
        feed(reader, "abcdefgh\nok\n", seen);
        QCOMPARE(seen.overflows, QList<QByteArray>{"abc"});
        QCOMPARE(seen.lines, QList<QByteArray>{"ok"});
    }

    void anUnfinishedOverlongLineIsNoRest()
    {
        BoundedLineReader reader(3);
        Seen seen;
        feed(reader, "abcdef", seen);
        QCOMPARE(reader.takeRest(), QByteArray());
        feed(reader, "new\n", seen); // a fresh start after takeRest
        QCOMPARE(seen.lines, QList<QByteArray>{"new"});
    }
};

QTEST_APPLESS_MAIN(TestBoundedLineReader)
#include "tst_boundedlinereader.moc"
