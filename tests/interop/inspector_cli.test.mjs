// Interop: the MCP Inspector (pinned in package.json) in command-line mode against the real
// Heartline binary, run through the Inspector's own launcher as users run it
// (`npx @modelcontextprotocol/inspector --cli URL --transport http --method tools/list`), on Node 22
// (the Inspector needs >= 22.7.5; Debian's node is 20).
//
// Every Inspector run happens under lib/loopback-guard.mjs, which records (and refuses) any
// connection to a non-loopback address and any child process other than Node: each test asserts
// that the Inspector only talked to Heartline on 127.0.0.1 and started nothing but its own CLI, so
// it neither reached the internet nor tried to open a browser.
//
// Run from ctest (tests/interop/CMakeLists.txt), or by hand:
//   cd tests/interop && npm ci && HEARTLINE_BIN=../../build/app/heartline node --test inspector_cli.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHeartline } from './lib/heartline.mjs';
import { findNode22, inspectorLauncher, runGuardedNode, runInspectorCli } from './lib/inspector.mjs';
import { JsonLog, requireHeartlineBin, textOf } from './lib/common.mjs';

const HEARTLINE_BIN = requireHeartlineBin();
const NODE22 = findNode22(); // throws (the test fails, it is not skipped) without Node 22
const INSPECTOR = inspectorLauncher();

const TEST_TIMEOUT_MS = 30_000;

/** stdout of a successful run parsed as the JSON result the Inspector prints. */
function resultOf(run) {
    assert.equal(run.code, 0, `expected the Inspector to exit with status 0${run.describe()}`);
    try {
        return JSON.parse(run.stdout);
    } catch (err) {
        assert.fail(`expected the Inspector to print one JSON result on stdout (${err.message})${run.describe()}`);
    }
}

/**
 * The guard's records show the run stayed local: the Inspector's launcher started only Node running
 * the Inspector's CLI, every TCP connection went to Heartline on 127.0.0.1, and something really
 * was recorded (the guard was loaded in both processes).
 */
function assertStayedLocal(run, port) {
    const loaded = run.guard.filter(r => r.kind === 'loaded');
    assert.ok(loaded.length >= 2, `expected the guard to be loaded in the launcher and in the CLI it starts${run.describe()}`);

    const refused = run.guard.filter(r => r.allowed === false);
    assert.deepEqual(refused, [], `expected no refused connection or process start (internet, browser)${run.describe()}`);

    const spawns = run.guard.filter(r => r.kind === 'spawn');
    assert.equal(spawns.length, 1, `expected the launcher to start exactly one process (its CLI)${run.describe()}`);
    assert.ok(
        spawns[0].args.some(a => /inspector\/cli\/build\/index\.js$/.test(a)),
        `expected the one process started to be the Inspector's CLI (cli/build/index.js)${run.describe()}`
    );

    const connects = run.guard.filter(r => r.kind === 'connect');
    assert.ok(connects.length >= 1, `expected the Inspector to connect to Heartline at least once${run.describe()}`);
    for (const c of connects) {
        assert.ok(
            c.host === '127.0.0.1' && c.port === port,
            `expected every connection to go to Heartline at 127.0.0.1:${port}, got ${JSON.stringify(c)}${run.describe()}`
        );
    }
}

describe('MCP Inspector command-line mode', () => {
    let heartline;
    let log;

    const mcp = () => `http://127.0.0.1:${heartline.port}/mcp`;
    const sse = () => `http://127.0.0.1:${heartline.port}/sse`;

    before(async () => {
        heartline = await startHeartline(HEARTLINE_BIN, ['--headless', '--port', '0', '--log-format', 'json']);
        log = new JsonLog(heartline);
    });

    after(() => {
        heartline?.kill();
    });

    test('(0) the guard records and refuses a non-loopback connection and a browser start', { timeout: TEST_TIMEOUT_MS }, async () => {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed, so even a broken guard reaches nobody.
        const script = `
            const { spawn } = await import('node:child_process');
            try { spawn('xdg-open', ['http://192.0.2.1/']); console.log('spawned'); } catch (e) { console.log('spawn:' + e.code); }
            try { await fetch('http://192.0.2.1:80/'); console.log('fetched'); } catch (e) { console.log('fetch:' + (e.cause?.code ?? e.message)); }
        `;
        const run = await runGuardedNode(NODE22, ['--input-type=module', '-e', script]);
        assert.equal(run.code, 0, `expected the probe script to run${run.describe()}`);
        assert.match(run.stdout, /^spawn:EHEARTLINEGUARD$/m, `expected the guard to refuse starting xdg-open${run.describe()}`);
        assert.match(run.stdout, /^fetch:EHEARTLINEGUARD$/m, `expected the guard to refuse connecting to 192.0.2.1${run.describe()}`);
        const refused = run.guard.filter(r => r.allowed === false);
        assert.deepEqual(
            refused.map(r => (r.kind === 'spawn' ? `spawn ${r.file}` : `connect ${r.host}:${r.port}`)),
            ['spawn xdg-open', 'connect 192.0.2.1:80'],
            `expected both attempts to be recorded as refused${run.describe()}`
        );
    });

    test('(a) tools/list over Streamable HTTP lists the built-in tools', { timeout: TEST_TIMEOUT_MS }, async () => {
        const from = log.mark();
        const run = await runInspectorCli(NODE22, ['--cli', mcp(), '--transport', 'http', '--method', 'tools/list']);
        const result = resultOf(run);
        assertStayedLocal(run, heartline.port);

        assert.ok(Array.isArray(result.tools), `expected {tools: [...]}, got ${run.stdout}`);
        const names = result.tools.map(t => t.name);
        for (const name of ['echo', 'sleep', 'now']) {
            const tool = result.tools.find(t => t.name === name);
            assert.ok(tool, `expected the Inspector to list "${name}", got ${JSON.stringify(names)}`);
            assert.equal(tool.inputSchema?.type, 'object', `expected "${name}" to have an object inputSchema, got ${JSON.stringify(tool)}`);
            assert.ok(String(tool.description ?? '').trim(), `expected "${name}" to have a description, got ${JSON.stringify(tool)}`);
        }
        assert.deepEqual(
            result.tools.find(t => t.name === 'echo').inputSchema.required,
            ['message'],
            `expected echo to require "message", got ${JSON.stringify(result.tools.find(t => t.name === 'echo'))}`
        );

        // Heartline saw the Inspector itself, on the newest revision the Inspector's SDK speaks.
        const identified = await log.waitFor(
            e => e.event === 'session_identified' && e.client === 'inspector',
            5_000,
            'session_identified for client "inspector"',
            { from, details: () => log.dump(from) }
        );
        assert.equal(identified.client_version, INSPECTOR.version, `expected the Inspector to identify as version ${INSPECTOR.version}, got ${JSON.stringify(identified)}`);
        assert.equal(identified.revision, '2025-11-25', `expected revision 2025-11-25, got ${JSON.stringify(identified)}`);
    });

    test('(b) tools/call echo message=hi returns "hi"', { timeout: TEST_TIMEOUT_MS }, async () => {
        const run = await runInspectorCli(NODE22, [
            '--cli', mcp(), '--transport', 'http', '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=hi'
        ]);
        const result = resultOf(run);
        assertStayedLocal(run, heartline.port);
        assert.ok(!result.isError, `expected echo to succeed, got ${run.stdout}`);
        assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }], `expected content [{type:"text", text:"hi"}], got ${run.stdout}`);
    });

    test('(c) tools/call over the legacy SSE transport: sleep with a numeric argument', { timeout: TEST_TIMEOUT_MS }, async () => {
        const run = await runInspectorCli(NODE22, [
            '--cli', sse(), '--transport', 'sse', '--method', 'tools/call', '--tool-name', 'sleep', '--tool-arg', 'ms=150'
        ]);
        const result = resultOf(run);
        assertStayedLocal(run, heartline.port);
        assert.ok(!result.isError, `expected sleep to succeed, got ${run.stdout}`);
        assert.equal(textOf(result), 'Slept 150 ms.', `expected "Slept 150 ms.", got ${run.stdout}`);
    });

    test('(d) calling an unknown tool: the Inspector reports the -32602 error and exits non-zero', { timeout: TEST_TIMEOUT_MS }, async () => {
        const run = await runInspectorCli(NODE22, ['--cli', mcp(), '--transport', 'http', '--method', 'tools/call', '--tool-name', 'no_such_tool']);
        assert.equal(run.timedOut, false, `expected the Inspector to finish${run.describe()}`);
        assert.notEqual(run.code, 0, `expected a non-zero exit status for an unknown tool${run.describe()}`);
        assert.match(run.stdout + run.stderr, /-32602/, `expected the error code -32602 in the Inspector's output${run.describe()}`);
        assertStayedLocal(run, heartline.port);
    });

    test('(e) resources/read heartline://about returns the markdown page', { timeout: TEST_TIMEOUT_MS }, async () => {
        const run = await runInspectorCli(NODE22, ['--cli', mcp(), '--transport', 'http', '--method', 'resources/read', '--uri', 'heartline://about']);
        const result = resultOf(run);
        assertStayedLocal(run, heartline.port);
        const [contents] = result.contents ?? [];
        assert.equal(contents?.uri, 'heartline://about', `expected the contents of heartline://about, got ${run.stdout}`);
        assert.equal(contents.mimeType, 'text/markdown', `expected text/markdown, got ${run.stdout}`);
        assert.match(contents.text ?? '', /^# Heartline\b/, `expected the page to start with "# Heartline", got ${run.stdout}`);
    });

    test('(f) prompts/get try_tool tool=echo returns the prompt messages', { timeout: TEST_TIMEOUT_MS }, async () => {
        const run = await runInspectorCli(NODE22, [
            '--cli', mcp(), '--transport', 'http', '--method', 'prompts/get', '--prompt-name', 'try_tool', '--prompt-args', 'tool=echo'
        ]);
        const result = resultOf(run);
        assertStayedLocal(run, heartline.port);
        const [first] = result.messages ?? [];
        assert.equal(first?.role, 'user', `expected a user message first, got ${run.stdout}`);
        assert.ok(String(first.content?.text).includes('`echo`'), `expected the prompt to name \`echo\`, got ${run.stdout}`);
    });

    test('(g) SIGTERM: heartline exits 0', { timeout: TEST_TIMEOUT_MS }, async () => {
        const { code } = await heartline.stop({ timeoutMs: 10_000 });
        assert.equal(code, 0, 'expected heartline to exit with status 0 after SIGTERM');
    });
});
