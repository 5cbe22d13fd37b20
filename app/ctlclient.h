#pragma once

#include <QStringList>

namespace heartline {

// `heartline ctl ...`: sends one command to the instance on --port over its control socket,
// prints the answer, and returns the process exit status. A short-lived command-line
// process, so it may wait for the answer.
int runCtl(const QStringList &arguments);

} // namespace heartline
