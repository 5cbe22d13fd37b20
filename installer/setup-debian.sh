#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test Heartline.
#
#   bash installer/setup-debian.sh [--run|--test]
#
#   --run   build, run and package (compiler, CMake, Qt 6 development packages, and file and
#           dpkg-dev, which CPack needs for `cmake --build build --target package`)
#   --test  everything --run installs, plus Xvfb, nginx (proxy tests), Node.js with npm (interop
#           tests), appstream and desktop-file-utils (the packaging tests). This is the default.
#
# The set can also be chosen with HEARTLINE_SETUP=run|test. Idempotent: packages are checked
# with dpkg-query first, so a second run installs nothing, needs no network and is quick.
# apt-get update runs at most once, and only when something is missing.
set -euo pipefail

mode="${HEARTLINE_SETUP:-test}"
for arg in "$@"; do
    case "$arg" in
        --run) mode="run" ;;
        --test) mode="test" ;;
        -h | --help)
            sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup-debian.sh: unknown argument '$arg' (expected --run or --test)" >&2
            exit 2
            ;;
    esac
done
case "$mode" in
    run | test) ;;
    *)
        echo "setup-debian.sh: HEARTLINE_SETUP must be 'run' or 'test', not '$mode'" >&2
        exit 2
        ;;
esac

# qt6-svg-dev is the real package behind the virtual name libqt6svg6-dev; dpkg-query only
# knows real package names.
run_packages=(
    build-essential cmake pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev qt6-svg-dev
    libgl-dev
    # ${secret:NAME}: QtKeychain, and libsecret, which it opens at run time.
    qtkeychain-qt6-dev libsecret-1-0
    file dpkg-dev
)
# A real keyring for the secrets tests: gnome-keyring on a private session bus, secret-tool
# to look behind Heartline's back.
# clang and libFuzzer for the fuzz targets (tests/fuzz), built with the sanitizers.
test_packages=(xvfb xauth nginx-light appstream desktop-file-utils
    gnome-keyring dbus-daemon libsecret-tools clang libfuzzer-14-dev)

wanted=("${run_packages[@]}")
if [[ "$mode" == test ]]; then
    wanted+=("${test_packages[@]}")
    # Any Node.js on PATH will do (the machine may already have a newer one than Debian's 18,
    # which is new enough for the MCP SDK). Mixing Debian's npm into another Node.js install
    # would conflict, so npm is only added when it is missing on its own.
    if ! command -v node >/dev/null 2>&1; then
        wanted+=(nodejs npm)
    elif ! command -v npm >/dev/null 2>&1; then
        wanted+=(npm)
    fi
fi

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "setup-debian.sh: all ${#wanted[@]} packages for '$mode' are installed"
    exit 0
fi

sudo_cmd=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup-debian.sh: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo_cmd=(sudo)
fi

echo "setup-debian.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"

# The proxy tests start their own nginx with their own configuration. Debian's package starts
# and enables a system-wide nginx on port 80; stop and disable it so it is not left running.
if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        "${sudo_cmd[@]}" systemctl disable --now nginx.service >/dev/null 2>&1 || true
    else
        "${sudo_cmd[@]}" service nginx stop >/dev/null 2>&1 || true
        "${sudo_cmd[@]}" update-rc.d nginx disable >/dev/null 2>&1 || true
    fi
fi

echo "setup-debian.sh: done"
