#!/usr/bin/env bash
# The layer rules of DESIGN.md, checked on the source tree as allow-lists: every quoted include
# of a folder must name a folder that folder may reach. Inside the server the folders stack one
# way (core -> http -> transport -> session -> stream -> qt64, over api, tools and protocol); ui/
# sees server/api/ and nothing else of the server; server/protocol/ does no I/O. The build
# enforces the same for ui/, protocol/ and api/ (their header roots offer nothing else); this
# check says it in words and covers the folders inside heartline_server too.
# Prints every offending line and fails if there is one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
status=0

# allow FOLDER PREFIX...: every `#include "x/..."` under FOLDER starts with one of the prefixes.
allow() {
    local folder="$1"
    shift
    local pattern
    pattern="#include \"($(IFS='|'; echo "$*"))"
    local hits
    hits=$(grep -rnE '#include "[^"]+/' "$root/$folder" --include='*.h' --include='*.cpp' \
        | grep -vE "$pattern" || true)
    if [[ -n "$hits" ]]; then
        echo "layering: $folder/ may include only $*"
        echo "$hits"
        status=1
    fi
}

# deny FOLDER WHAT PATTERN: no include under FOLDER matches PATTERN.
deny() {
    local folder="$1" what="$2" pattern="$3"
    local hits
    hits=$(grep -rnE "$pattern" "$root/$folder" --include='*.h' --include='*.cpp' || true)
    if [[ -n "$hits" ]]; then
        echo "layering: $folder/ $what"
        echo "$hits"
        status=1
    fi
}

below_core=(server/http/ server/transport/ server/session/ server/stream/ server/qt64/)
beneath=(server/api/ server/tools/ server/protocol/)
# server/eventloop/ (the epoll dispatcher) is Qt Core alone; only core/ picks the server's loop.
allow ui ui/ server/api/
allow server/api server/api/
allow server/protocol server/protocol/
allow server/tools server/tools/ server/protocol/ server/api/
allow server/eventloop server/eventloop/
allow server/core server/core/ server/eventloop/ "${below_core[@]}" "${beneath[@]}"
allow server/http "${below_core[@]}" "${beneath[@]}"
allow server/transport "${below_core[@]:1}" "${beneath[@]}"
allow server/session "${below_core[@]:2}" "${beneath[@]}"
allow server/stream "${below_core[@]:3}" "${beneath[@]}"
allow server/qt64 "${below_core[@]:4}" "${beneath[@]}"

deny server "must not include GUI code" \
    '#include *[<"](ui/|QtWidgets|QWidget|QMainWindow|QApplication|QtGui)'
deny server/protocol "must not do I/O" \
    '#include *<(QtNetwork|QTcpSocket|QTcpServer|QLocalSocket|QHttpServer|QtHttpServer|QFile|QProcess|QIODevice)'
deny ui "must not reach into the network" \
    '#include *<(QtNetwork|QTcpSocket|QTcpServer|QHttpServer|QHttpServerResponder|QtHttpServer)'

if grep -qE 'Qt6::(Network|HttpServer|Widgets|Gui)' "$root/server/protocol/CMakeLists.txt"; then
    echo "layering: heartline_protocol must link Qt::Core only"
    status=1
fi
if grep -qE 'Qt6::(Widgets|Gui)' "$root/server/CMakeLists.txt" "$root"/server/*/CMakeLists.txt; then
    echo "layering: the server must not link Qt::Widgets or Qt::Gui"
    status=1
fi
if grep -qE 'heartline_(server|protocol|tools)\b' "$root/ui/CMakeLists.txt"; then
    echo "layering: heartline_ui must link heartline_server_api alone of the server"
    status=1
fi
[[ $status -eq 0 ]] && echo "layering: app -> ui -> server/api, server folders stacked, protocol beneath, holds"
exit $status
