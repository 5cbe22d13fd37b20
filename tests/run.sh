#!/usr/bin/env bash
# Builds Heartline with its tests and runs them all: the README's "run all tests" command.
#
#   bash tests/run.sh
#
# Installs missing packages (installer/setup-debian.sh --test), configures into build/ at the
# repository root (or HEARTLINE_BUILD_DIR) with warnings as errors, builds, installs the pinned
# npm packages of the interop tests, then runs ctest. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HEARTLINE_BUILD_DIR:-$root/build}"

bash "$root/installer/setup-debian.sh" --test

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHEARTLINE_WERROR=ON -DHEARTLINE_BUILD_TESTS=ON
cmake --build "$build_dir" -j"$(nproc)"

if [[ -f "$root/tests/interop/package-lock.json" ]]; then
    (cd "$root/tests/interop" && npm ci --no-audit --no-fund)
fi

# ctest's own summary is the last thing printed, and its status is ours.
exec ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j2 --timeout 300
