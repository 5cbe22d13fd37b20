#!/usr/bin/env bash
# Builds Heartline with its tests and runs them all: the README's "run all tests" command.
#
#   bash tests/run.sh
#
# Installs missing packages (installer/setup-debian.sh --test), configures into build/ at the
# repository root (or HEARTLINE_BUILD_DIR) with warnings as errors and the interop tests on,
# builds, installs the pinned npm packages of the interop tests, checks the .deb
# (installer/test-package.sh: build, install, start, remove), then runs ctest. Exits non-zero on
# any failure. HEARTLINE_PACKAGE_TEST=0 leaves out the package check, which needs root or sudo.
# Then the fuzz targets, in a clang build of their own (build-fuzz/), 30 s each.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HEARTLINE_BUILD_DIR:-$root/build}"

bash "$root/installer/setup-debian.sh" --test

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHEARTLINE_WERROR=ON -DHEARTLINE_BUILD_TESTS=ON -DHEARTLINE_INTEROP_TESTS=ON
cmake --build "$build_dir" -j"$(nproc)"

if [[ -f "$root/tests/interop/package-lock.json" ]]; then
    (cd "$root/tests/interop" && npm ci --no-audit --no-fund)
fi

# The package check runs before ctest so that ctest's summary stays the last thing printed; its
# failure still fails the run.
package_status=0
if [[ "${HEARTLINE_PACKAGE_TEST:-1}" != 0 ]]; then
    bash "$root/installer/test-package.sh" "$build_dir" || package_status=$?
fi

# The fuzz targets: a second build with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (tests/fuzz/README.md), each replaying its corpus and exploring for HEARTLINE_FUZZ_SECONDS.
fuzz_dir="${HEARTLINE_FUZZ_BUILD_DIR:-$root/build-fuzz}"
CXX=clang++ cmake -S "$root" -B "$fuzz_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHEARTLINE_FUZZ=ON -DHEARTLINE_BUILD_TESTS=OFF -DHEARTLINE_INTEROP_TESTS=OFF \
    -DHEARTLINE_FUZZ_SECONDS="${HEARTLINE_FUZZ_SECONDS:-30}"
cmake --build "$fuzz_dir" --target heartline_fuzzers -j"$(nproc)"

ctest_status=0
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j2 --timeout 300 ||
    ctest_status=$?
ctest --test-dir "$fuzz_dir" -L fuzz --output-on-failure --no-tests=error -j2 ||
    ctest_status=$?
if ((package_status != 0)); then
    echo "run.sh: the package check failed (installer/test-package.sh, output above)" >&2
    exit "$package_status"
fi
exit "$ctest_status"
