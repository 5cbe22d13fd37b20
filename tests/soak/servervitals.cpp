#include "tests/soak/servervitals.h"

#include "tests/support/processstats.h"
#include "tests/support/prometheustext.h"
#include "tests/support/rawhttpclient.h"

#include <QDir>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace heartline::soak {

double ServerVitals::familyTotal(const QString &family) const
{
    double total = 0;
    const QString prefix = family + u'{';
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it) {
        if (it.key().startsWith(prefix))
            total += it.value();
    }
    return total;
}

int openFdCount(qint64 pid)
{
    const QDir fds(u"/proc/%1/fd"_s.arg(pid));
    return fds.exists()
               ? int(fds.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size())
               : -1;
}

ServerVitals readVitals(qint64 pid, quint16 port)
{
    ServerVitals vitals;
    vitals.rssKiB = processRssKiB(pid);
    {
        RawHttpClient client(port);
        const HttpResponse response = client.request("GET", "/metrics");
        if (response.status != 200) {
            vitals.error = u"GET /metrics: "_s + response.describe();
        } else {
            const Exposition exposition = parseExposition(response.body);
            vitals.error = exposition.error;
            const QHash<QString, QString> byKey = exposition.byKey();
            for (auto it = byKey.cbegin(); it != byKey.cend(); ++it)
                vitals.metrics.insert(it.key(), it.value().toDouble());
        }
        client.abort();
    }
    // Counted once the metrics connection is closed, so it is not among them.
    vitals.openFds = openFdCount(pid);
    return vitals;
}

} // namespace heartline::soak
