#include "server/protocol/catalog/pagination.h"

#include <QByteArray>

using namespace Qt::StringLiterals;

namespace heartline::Pagination {
namespace {
constexpr auto kPrefix = "after:"_L1;
constexpr auto kEncoding = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
} // namespace

QString cursorAfter(const QString &lastName)
{
    return QString::fromLatin1((kPrefix + lastName).toUtf8().toBase64(kEncoding));
}

bool decode(const QString &cursor, QString *lastName)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), kEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || !decoded.decoded.startsWith(QByteArrayView(kPrefix.data(), kPrefix.size())))
        return false;
    *lastName = QString::fromUtf8(decoded.decoded.mid(kPrefix.size()));
    return !lastName->isEmpty();
}

} // namespace heartline::Pagination
