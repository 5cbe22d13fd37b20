#!/usr/bin/env bash
# The layer rules of DESIGN.md, checked on the source tree: server/ never includes GUI code,
# server/protocol/ does no I/O and links Qt::Core only, ui/ never touches sockets or the
# HTTP server. Prints every offending line and fails if there is one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
status=0

check() {
    local what="$1" dir="$2" pattern="$3"
    local hits
    hits=$(grep -rnE "$pattern" "$root/$dir" --include='*.h' --include='*.cpp' || true)
    if [[ -n "$hits" ]]; then
        echo "layering: $what"
        echo "$hits"
        status=1
    fi
}

check "server/ must not include GUI code" server \
    '#include *[<"](ui/|mainwindow|QtWidgets|QWidget|QMainWindow|QApplication|QtGui)'
check "server/protocol/ must not do I/O" server/protocol \
    '#include *[<"](QtNetwork|QTcpSocket|QTcpServer|QLocalSocket|QHttpServer|QtHttpServer|QFile|QProcess|QIODevice|httpexchange|ssestream|monitor)'
check "ui/ must not reach into the transport" ui \
    '#include *[<"](QTcpSocket|QHttpServer|QHttpServerResponder|httpexchange|ssestream|mcpsession|postreply|sessionstore|streamablehttp)'
if grep -qE 'Qt6::(Network|HttpServer|Widgets|Gui)' "$root/server/protocol/CMakeLists.txt"; then
    echo "layering: heartline_protocol must link Qt::Core only"
    status=1
fi
if grep -qE 'Qt6::(Widgets|Gui)' "$root/server/CMakeLists.txt"; then
    echo "layering: heartline_server must not link Qt::Widgets or Qt::Gui"
    status=1
fi
[[ $status -eq 0 ]] && echo "layering: app -> ui -> server -> protocol holds"
exit $status
