#!/usr/bin/env bash
# Builds Heartline on Debian 12 and starts it: the README's "run Heartline" command.
#
#   bash installer/run.sh [heartline options...]
#
# Installs missing build packages (installer/setup-debian.sh --run), configures and builds into
# build/ at the repository root (or HEARTLINE_BUILD_DIR), then replaces itself with the program.
# With a display (DISPLAY or WAYLAND_DISPLAY) the window opens; without one, or with
# --headless, Heartline runs headless.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HEARTLINE_BUILD_DIR:-$root/build}"

# Heartline's first line on stdout is "listening: http://HOST:PORT"; keep setup and build
# output on stderr so scripts reading stdout see only the program.
exec 3>&1 1>&2

bash "$root/installer/setup-debian.sh" --run
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEARTLINE_BUILD_TESTS=OFF
cmake --build "$build_dir" -j"$(nproc)"

binary="$build_dir/app/heartline"
if [[ ! -x "$binary" ]]; then
    echo "run.sh: the build finished but $binary is missing" >&2
    exit 1
fi

exec 1>&3 3>&-
exec "$binary" "$@"
