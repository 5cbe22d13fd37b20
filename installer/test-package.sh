#!/usr/bin/env bash
# The installer tested like everything else: builds the .deb with CPack from a configured and
# built build directory, installs it with apt-get, starts the installed heartline headless once,
# checks that it serves /healthz and shuts down with status 0 on SIGTERM, then removes the
# package so the machine is left as it was. tests/run.sh runs it; it takes a few seconds.
#
#   bash installer/test-package.sh [BUILD_DIR]      (default: HEARTLINE_BUILD_DIR or build/)
#
# Needs root or sudo (apt-get). It refuses to run when a heartline package is already installed,
# rather than replace and then remove someone's own installation.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-${HEARTLINE_BUILD_DIR:-$root/build}}"
start_deadline_s=20
stop_deadline_s=10

fail() {
    echo "test-package.sh: $*" >&2
    exit 1
}

sudo_cmd=()
if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || fail "need root or sudo to install the package"
    sudo_cmd=(sudo)
fi
apt_get() {
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@"
}

[[ -f "$build_dir/CPackConfig.cmake" ]] || fail "$build_dir is not a configured build directory"
# apt-get takes a .deb for a file only by a path with a slash; an absolute one always has one.
build_dir="$(cd "$build_dir" && pwd)"
if [[ "$(dpkg-query -W -f='${Status}' heartline 2>/dev/null || true)" == *" installed" ]]; then
    fail "a heartline package is already installed; remove it first (apt-get remove heartline)"
fi

# --- Build the .deb (the README's packaging command).
rm -f "$build_dir"/heartline_*.deb
cmake --build "$build_dir" --target package
debs=("$build_dir"/heartline_*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || fail "expected one heartline_*.deb in $build_dir"
deb="${debs[0]}"
version="$(dpkg-deb -f "$deb" Version)"

# --- Install it, and undo everything on the way out, whatever happens.
work="$(mktemp -d)"
server_pid=""
installed=0
cleanup() {
    local status=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    if ((installed)); then
        apt_get remove heartline >/dev/null || status=1
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

apt_get install --no-install-recommends "$deb"
installed=1

binary=/usr/bin/heartline
[[ -x "$binary" ]] || fail "the package did not install $binary"
for file in /usr/share/applications/io.heartline.Heartline.desktop \
    /usr/share/metainfo/io.heartline.Heartline.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/heartline.svg \
    /usr/lib/systemd/user/heartline.service \
    /usr/share/doc/heartline/copyright; do
    [[ -f "$file" ]] || fail "the package did not install $file"
done
grep -qx "ExecStart=$binary --headless" /usr/lib/systemd/user/heartline.service ||
    fail "the systemd unit does not start $binary: $(grep ExecStart= /usr/lib/systemd/user/heartline.service)"
[[ "$("$binary" --version)" == "heartline $version" ]] ||
    fail "'$binary --version' does not print the package's version $version"

# --- Start the installed program as a service manager would: headless, no display.
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM \
    "$binary" --headless --port 0 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

listening=""
deadline=$((SECONDS + start_deadline_s))
while [[ -z "$listening" ]]; do
    listening="$(grep -m1 '^listening: ' "$work/stdout" || true)"
    [[ -n "$listening" ]] && break
    kill -0 "$server_pid" 2>/dev/null ||
        fail "$binary exited before listening: $(cat "$work/stderr")"
    ((SECONDS < deadline)) || fail "no 'listening:' line within ${start_deadline_s} s"
    sleep 0.1
done
port="${listening##*:}"
[[ "$port" =~ ^[0-9]+$ ]] || fail "unexpected first line: $listening"

# /healthz over bash's own /dev/tcp (a fresh Debian has no curl). The body is read by its
# Content-Length, as Qt 6.4's server keeps the connection open; every read has a deadline.
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to port $port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$port" >&3
IFS= read -r -t 5 status_line <&3 || fail "/healthz on port $port did not answer"
status_line="${status_line%$'\r'}"
[[ "$status_line" == "HTTP/1.1 200 "* ]] || fail "/healthz answered: $status_line"
length=0
while IFS= read -r -t 5 header <&3 && [[ "$header" != $'\r' ]]; do
    [[ "${header,,}" =~ ^content-length:\ *([0-9]+) ]] && length="${BASH_REMATCH[1]}"
done
body=""
IFS= read -r -t 5 -N "$length" body <&3 || fail "/healthz sent no body"
exec 3<&-
[[ "$body" == *'"status":"ok"'* ]] || fail "/healthz body: $body"

# --- SIGTERM: a graceful shutdown with status 0.
kill -TERM "$server_pid"
deadline=$((SECONDS + stop_deadline_s))
while kill -0 "$server_pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "still running ${stop_deadline_s} s after SIGTERM"
    sleep 0.1
done
status=0
wait "$server_pid" || status=$?
server_pid=""
((status == 0)) || fail "exit status $status after SIGTERM: $(cat "$work/stderr")"

# --- Remove it again; the trap would too, but a failing removal should say so here.
apt_get remove heartline >/dev/null
installed=0
[[ ! -e "$binary" ]] || fail "$binary is still there after apt-get remove"

echo "test-package.sh: $(basename "$deb") installed, served /healthz on port $port, stopped" \
    "with status 0 on SIGTERM and was removed (${SECONDS} s)"
