#!/usr/bin/env bash
# Builds Heartline with its tests and runs them all: the README's "run all tests" command.
#
#   bash tests/run.sh
#
# Installs missing packages (installer/setup-debian.sh --test), configures into build/ at the
# repository root (or HEARTLINE_BUILD_DIR) with warnings as errors and the interop tests on,
# builds, installs the pinned npm packages of the interop tests, checks the .deb
# (installer/test-package.sh: build, install, start, remove), builds the sanitizer build
# (build-sanitize/, or HEARTLINE_SANITIZE_BUILD_DIR), then runs ctest in both: the ui, interop,
# conformance, packaging and soak tests in build/; the unit and integration suites and the fuzz
# targets (30 s each) in build-sanitize/. Exits non-zero on any failure.
# HEARTLINE_PACKAGE_TEST=0 leaves out the package check, which needs root or sudo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HEARTLINE_BUILD_DIR:-$root/build}"

bash "$root/installer/setup-debian.sh" --test

# The main build: Heartline as users get it (gcc, RelWithDebInfo) with the suites that need the
# window, node or the binary as shipped. The unit and integration suites are built once, in the
# sanitizer build below.
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHEARTLINE_WERROR=ON -DHEARTLINE_BUILD_TESTS=ON -DHEARTLINE_INTEROP_TESTS=ON \
    -DHEARTLINE_TEST_SUITES="ui;interop;conformance;soak"
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

# The sanitizer build: clang, AddressSanitizer (leaks too) and UndefinedBehaviorSanitizer over
# everything, the first report fatal, Q_ASSERT on (-O1, line tables only and precompiled Qt
# headers, to build fast): the unit and integration suites, and the fuzz targets, each replaying
# its corpus and exploring for HEARTLINE_FUZZ_SECONDS (tests/fuzz/README.md).
sanitize_dir="${HEARTLINE_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
CXX=clang++ cmake -S "$root" -B "$sanitize_dir" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DHEARTLINE_WERROR=ON \
    -DHEARTLINE_PRECOMPILE_HEADERS=ON \
    -DHEARTLINE_FUZZ=ON -DHEARTLINE_BUILD_TESTS=ON -DHEARTLINE_INTEROP_TESTS=OFF \
    -DHEARTLINE_TEST_SUITES="unit;integration" \
    -DHEARTLINE_FUZZ_SECONDS="${HEARTLINE_FUZZ_SECONDS:-30}"
cmake --build "$sanitize_dir" -j"$(nproc)"

ctest_status=0
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j2 --timeout 300 ||
    ctest_status=$?
ctest --test-dir "$sanitize_dir" --output-on-failure --no-tests=error -j2 --timeout 300 ||
    ctest_status=$?
if ((package_status != 0)); then
    echo "run.sh: the package check failed (installer/test-package.sh, output above)" >&2
    exit "$package_status"
fi
exit "$ctest_status"
