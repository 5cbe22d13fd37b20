#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>

namespace heartline::testing {

// One sample line: `name{labels} value`.
struct Sample
{
    QString family; // the sample's own name (`x_bucket` for a histogram's bucket)
    QList<QPair<QString, QString>> labels; // unescaped values
    QString value;
};

// A strict reader of the Prometheus text exposition format 0.0.4: it fails on anything a
// scraper could misread, and returns the samples with their label values unescaped.
struct Exposition
{
    QList<Sample> samples;
    QHash<QString, QString> types;
    QHash<QString, QString> helps;
    QString error;

    // "name{a=b}" -> sample value; the key is built from the unescaped labels.
    QHash<QString, QString> byKey() const;
    static QString key(const QString &family, const QList<QPair<QString, QString>> &labels);
};

Exposition parseExposition(const QByteArray &text);

} // namespace heartline::testing
