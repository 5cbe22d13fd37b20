#!/usr/bin/env bash
# Runs a command against a real, private keyring: a session bus of its own (dbus-run-session)
# with gnome-keyring-daemon's Secret Service on it, its login keyring created and unlocked in a
# temporary HOME, so nothing touches the keyring of whoever runs the tests. Everything ends
# with the command (dbus-run-session stops the bus; the daemon exits when the bus goes).
#   with_keyring.sh COMMAND [ARG...]
set -euo pipefail
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || {
        echo "with_keyring.sh: $tool is missing (bash installer/setup-debian.sh --test)" >&2
        exit 1
    }
done
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
    XDG_CACHE_HOME="$home/.cache"
# Not a desktop session: QtKeychain then picks libsecret (Secret Service), whatever the caller's
# desktop is.
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION KDE_FULL_SESSION GNOME_DESKTOP_SESSION_ID
# A non-empty password: with an empty one the daemon asks a prompter, which has no display.
# The daemon forks before it owns its bus name: until it does, a client's call would have the
# bus start a second daemon, locked, that asks a prompter. So wait (5 s at most) for the name.
dbus-run-session -- bash -c '
    eval "$(printf heartline-tests | gnome-keyring-daemon --daemonize --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
    owned() {
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
            grep -q "boolean true"
    }
    for _ in $(seq 100); do owned && break; sleep 0.05; done
    owned || { echo "with_keyring.sh: the keyring never took its bus name" >&2; exit 1; }
    exec "$@"' with_keyring "$@"
