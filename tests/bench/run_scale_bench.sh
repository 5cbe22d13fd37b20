#!/usr/bin/env bash
# Installs what heartline_scale_bench needs (wrk from Debian, the pinned npm packages of
# tests/interop, the build dependencies), builds Heartline and the bench as Release into
# build-bench/ and runs it with the arguments given, e.g.
#   bash tests/bench/run_scale_bench.sh --server both --streams 10000 --figures all
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${HEARTLINE_BENCH_BUILD_DIR:-$root/build-bench}"

bash "$root/installer/setup-debian.sh" --test
if ! command -v wrk >/dev/null; then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get install -y wrk
fi
(cd "$root/tests/interop" && npm ci --no-audit --no-fund)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHEARTLINE_BUILD_BENCH=ON \
    -DHEARTLINE_INTEROP_TESTS=OFF
cmake --build "$build" -j"$(nproc)" --target heartline_scale_bench
exec "$build/tests/bench/heartline_scale_bench" "$@"
