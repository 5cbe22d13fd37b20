#!/bin/bash
# User-space instructions per `tools/call echo`, counted by callgrind: a figure that does not
# move with the VM's speed from one run to the next, for A/B comparisons of per-call work
# (wall-clock figures on the 2-core dev VM vary by a tenth between runs).
#
#   bash tests/bench/echo_instructions.sh [HEARTLINE_BINARY] [CALLS]
#
# Starts the binary under callgrind, opens a 2025-11-25 session, warms up with 200 calls, then
# zeroes the counters, makes CALLS calls on one keep-alive connection and prints the
# instructions per call. Needs valgrind and python3 (installed here if missing). Not a test.
set -euo pipefail
binary=${1:-build/app/heartline}
calls=${2:-2000}
if ! command -v valgrind >/dev/null || ! command -v python3 >/dev/null; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
    $sudo_cmd apt-get install -y valgrind python3 >/dev/null
fi
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$binary" --headless \
    --port "$port" >"$work/log" 2>&1 &
server=$!
cat >"$work/client.py" <<'PY'
import http.client, json, sys
port, calls = int(sys.argv[1]), int(sys.argv[2])
headers = {'Content-Type': 'application/json', 'Accept': 'application/json, text/event-stream'}
connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
def post(body):
    connection.request('POST', '/mcp', json.dumps(body), headers)
    response = connection.getresponse()
    response.read()
    return response
answer = post({'jsonrpc': '2.0', 'id': 0, 'method': 'initialize',
               'params': {'protocolVersion': '2025-11-25', 'capabilities': {},
                          'clientInfo': {'name': 'echo-instructions', 'version': '1'}}})
headers['Mcp-Session-Id'] = answer.getheader('Mcp-Session-Id')
post({'jsonrpc': '2.0', 'method': 'notifications/initialized'})
call = {'jsonrpc': '2.0', 'id': 1, 'method': 'tools/call',
        'params': {'name': 'echo', 'arguments': {'message': 'ping'}}}
def run(n):
    for _ in range(n):
        if post(call).status != 200:
            sys.exit('a call failed')
run(200)
print('warm', flush=True)
sys.stdin.readline()
run(calls)
PY
for _ in $(seq 100); do
    grep -q '^listening:' "$work/log" 2>/dev/null && break
    sleep 0.3
done
exec 3> >(python3 "$work/client.py" "$port" "$calls" >"$work/client.out")
for _ in $(seq 200); do
    grep -q warm "$work/client.out" 2>/dev/null && break
    sleep 0.3
done
callgrind_control -z "$server" >/dev/null 2>&1
echo >&3
exec 3>&-
for _ in $(seq 600); do
    pgrep -f "$work/client.py" >/dev/null || break
    sleep 0.5
done
callgrind_control -d "$server" >/dev/null 2>&1
total=$(grep -h '^summary:' "$work"/cg.*.1 | awk '{print $2}')
echo "instructions per echo call: $((total / calls)) (${calls} calls, $(basename "$binary"))"
