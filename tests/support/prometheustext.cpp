#include "tests/support/prometheustext.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline::testing {
namespace {

// Reads `name="value",...}` at `pos`; false on any malformed label or escape.
bool readLabels(const QString &line, qsizetype *pos, QList<QPair<QString, QString>> *labels)
{
    static const QRegularExpression labelName(u"\\G[a-zA-Z_][a-zA-Z0-9_]*"_s);
    while (true) {
        const QRegularExpressionMatch name = labelName.match(line, *pos);
        if (!name.hasMatch())
            return false;
        *pos += name.capturedLength();
        if (line.mid(*pos, 2) != "=\""_L1)
            return false;
        *pos += 2;
        QString value;
        while (true) {
            if (*pos >= line.size())
                return false;
            const QChar c = line.at(*pos);
            ++*pos;
            if (c == u'"')
                break;
            if (c == u'\\') {
                if (*pos >= line.size())
                    return false;
                const QChar escaped = line.at(*pos);
                ++*pos;
                if (escaped == u'\\')
                    value += u'\\';
                else if (escaped == u'"')
                    value += u'"';
                else if (escaped == u'n')
                    value += u'\n';
                else
                    return false;
                continue;
            }
            value += c;
        }
        labels->append({name.captured(), value});
        if (*pos < line.size() && line.at(*pos) == u',') {
            ++*pos;
            continue;
        }
        if (*pos < line.size() && line.at(*pos) == u'}') {
            ++*pos;
            return true;
        }
        return false;
    }
}

// The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` samples belong
// to the histogram they extend; any other sample is its own family.
QString familyOf(const QString &sampleName, const QHash<QString, QString> &types)
{
    for (const QLatin1StringView suffix : {"_bucket"_L1, "_sum"_L1, "_count"_L1}) {
        if (!sampleName.endsWith(suffix))
            continue;
        const QString base = sampleName.chopped(suffix.size());
        if (types.value(base) == "histogram"_L1)
            return base;
    }
    return sampleName;
}

// A histogram has only _bucket (with an `le`), _sum and _count samples.
bool checkHistogramSample(const Sample &sample, const QString &family, QString *error)
{
    const bool isBucket = sample.family == family + "_bucket"_L1;
    const bool hasLe = std::any_of(sample.labels.cbegin(), sample.labels.cend(),
                                   [](const auto &label) { return label.first == "le"_L1; });
    if (sample.family == family) {
        *error = u"a histogram sample without _bucket, _sum or _count"_s;
        return false;
    }
    if (isBucket != hasLe) {
        *error = isBucket ? u"a bucket without le"_s : u"le outside a bucket"_s;
        return false;
    }
    return true;
}

} // namespace

Exposition parseExposition(const QByteArray &text)
{
    Exposition out;
    if (!text.endsWith('\n')) {
        out.error = u"the exposition does not end with a newline"_s;
        return out;
    }
    static const QRegularExpression metricName(u"\\A[a-zA-Z_:][a-zA-Z0-9_:]*"_s);
    static const QRegularExpression helpLine(u"\\A# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)\\z"_s);
    static const QRegularExpression typeLine(
        u"\\A# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)\\z"_s);
    static const QRegularExpression valueText(u"\\A-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\z"_s);
    QSet<QString> seenKeys;
    QSet<QString> closedFamilies; // families whose samples are over: they must stay together
    QString currentFamily;
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QString &line = lines.at(i);
        const QString where = u"line %1 '%2': "_s.arg(i + 1).arg(line);
        if (line.startsWith("# HELP "_L1)) {
            const QRegularExpressionMatch match = helpLine.match(line);
            if (!match.hasMatch() || out.helps.contains(match.captured(1))) {
                out.error = where + u"malformed or repeated HELP"_s;
                return out;
            }
            out.helps.insert(match.captured(1), match.captured(2));
            continue;
        }
        if (line.startsWith("# TYPE "_L1)) {
            const QRegularExpressionMatch match = typeLine.match(line);
            if (!match.hasMatch() || out.types.contains(match.captured(1))) {
                out.error = where + u"malformed or repeated TYPE"_s;
                return out;
            }
            out.types.insert(match.captured(1), match.captured(2));
            continue;
        }
        if (line.isEmpty() || line.startsWith(u'#'))
            continue; // blank lines and other comments carry nothing
        const QRegularExpressionMatch name = metricName.match(line);
        if (!name.hasMatch()) {
            out.error = where + u"no metric name"_s;
            return out;
        }
        Sample sample;
        sample.family = name.captured();
        qsizetype pos = name.capturedLength();
        if (pos < line.size() && line.at(pos) == u'{') {
            ++pos;
            if (!readLabels(line, &pos, &sample.labels)) {
                out.error = where + u"malformed labels"_s;
                return out;
            }
        }
        if (pos >= line.size() || line.at(pos) != u' ') {
            out.error = where + u"no space before the value"_s;
            return out;
        }
        sample.value = line.mid(pos + 1);
        if (!valueText.match(sample.value).hasMatch()) {
            out.error = where + u"the value is not a number"_s;
            return out;
        }
        const QString family = familyOf(sample.family, out.types);
        if (!out.types.contains(family) || !out.helps.contains(family)) {
            out.error = where + u"sample before its # HELP and # TYPE"_s;
            return out;
        }
        if (out.types.value(family) == "counter"_L1 && !family.endsWith("_total"_L1)) {
            out.error = where + u"a counter not named *_total"_s;
            return out;
        }
        if (out.types.value(family) == "histogram"_L1) {
            if (!checkHistogramSample(sample, family, &out.error)) {
                out.error.prepend(where);
                return out;
            }
        }
        if (family != currentFamily) {
            if (closedFamilies.contains(family)) {
                out.error = where + u"the family's samples are not together"_s;
                return out;
            }
            if (!currentFamily.isEmpty())
                closedFamilies.insert(currentFamily);
            currentFamily = family;
        }
        const QString key = Exposition::key(sample.family, sample.labels);
        if (seenKeys.contains(key)) {
            out.error = where + u"duplicate series"_s;
            return out;
        }
        seenKeys.insert(key);
        out.samples.append(sample);
    }
    return out;
}

QHash<QString, QString> Exposition::byKey() const
{
    QHash<QString, QString> values;
    for (const Sample &sample : samples)
        values.insert(key(sample.family, sample.labels), sample.value);
    return values;
}

QString Exposition::key(const QString &family, const QList<QPair<QString, QString>> &labels)
{
    QStringList parts;
    for (const auto &label : labels)
        parts.append(label.first + u'=' + label.second);
    return family + u'{' + parts.join(u',') + u'}';
}

} // namespace heartline::testing
