#pragma once

#include <QString>
#include <QStringList>

namespace heartline {

// Writes the switches a person flips on a running Heartline - an upstream server on or off, one
// of its tools on or off - into that server's entry of the config file, so they survive
// restarts of Heartline and of the upstream. Only Heartline's own keys (`enabled`,
// `disabledTools`) are ever written; everything else in the file is kept as it is (ConfigDocument).
// The running instance's config watcher reads the write back, and finds nothing more to do.
class UpstreamSwitchWriter final
{
public:
    // An empty path (a server run without a config file, as tests do): switches apply for
    // this run only, and every write succeeds without touching a file.
    explicit UpstreamSwitchWriter(QString path = {})
        : m_path(std::move(path))
    {}

    QString path() const { return m_path; }

    // False, with the file and the reason, when the file does not parse, has no entry of that
    // name, or cannot be written; then the file is unchanged.
    bool writeEnabled(const QString &server, bool enabled, QString *error) const;
    bool writeDisabledTools(const QString &server, const QStringList &upstreamTools,
                            QString *error) const;

private:
    QString m_path;
};

} // namespace heartline
