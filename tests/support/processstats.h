#pragma once

#include <QtGlobal>

namespace heartline::testing {

// Nanoseconds the process `pid` has run on a CPU, every thread of it summed
// (/proc/PID/task/*/schedstat: finer than /proc/PID/stat's clock ticks).
qint64 processCpuNs(qint64 pid);

// The process's resident set (VmRSS) in KiB; -1 when it cannot be read.
qint64 processRssKiB(qint64 pid);

} // namespace heartline::testing
