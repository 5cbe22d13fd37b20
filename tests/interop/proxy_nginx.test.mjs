// Real-proxy test: a real nginx (Debian package) with default buffering and a proxy_read_timeout
// of 3 s in front of the real Heartline binary, driven by the official MCP TypeScript SDK client
// over both transports (Streamable HTTP at /mcp, legacy HTTP+SSE at /sse).
//
//   heartbeats on  (1000 ms): (h) Heartline's SSE responses carry X-Accel-Buffering: no (checked on
//                                 a direct connection: nginx consumes that header, never passes it on);
//                             (a) a 9 s call without progress (3x the proxy's idle limit) succeeds;
//                             (b) progress events come through nginx as they are sent, not batched.
//   heartbeats off (0):       (c) the same 9 s call is cut by nginx: the client never gets the
//                             result, and Heartline records the disconnect of that stream as
//                             proxy_idle_suspected, about one proxy timeout after its last write.
//
// (a) and (c) differ only in the heartbeat setting, so together they prove that the heartbeat is
// what keeps the stream alive through the proxy.
//
// (u) and (uc) do the same with a call forwarded to an upstream server (issue 11): Heartline hosts
// server-everything from node_modules over stdio (a temp config's mcpServers), and its
// trigger-long-running-operation runs for 3x the proxy timeout without progress. With heartbeats
// the forwarded call succeeds through nginx; without them nginx cuts it. Streamable HTTP only: the
// forwarding is the same behind either transport, and (a)/(c) already cover legacy SSE.
//
// The Streamable HTTP clients here are told not to resume a cut stream (reconnectionOptions with
// maxRetries 0): resuming with Last-Event-ID is a separate feature with its own test, and here it
// would hide whether the stream itself survived.
//
// Run from ctest (tests/interop/CMakeLists.txt, label "proxy"), or by hand:
//   cd tests/interop && npm ci && HEARTLINE_BIN=../../build/app/heartline node --test proxy_nginx.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startHeartline } from './lib/heartline.mjs';
import { findNginx, startNginx } from './lib/nginx.mjs';
import { JsonLog, errorText, loadSdk, requireHeartlineBin, settle, textOf, withDeadline } from './lib/common.mjs';

const HEARTLINE_BIN = requireHeartlineBin();
const NGINX_BIN = findNginx(); // throws (the test fails, it is not skipped) when nginx is missing
const { Client, StreamableHTTPClientTransport, SSEClientTransport } = await loadSdk();

const PROXY_TIMEOUT_MS = 3_000;
const LONG_CALL_MS = 3 * PROXY_TIMEOUT_MS; // several times the proxy's idle limit
const HEARTBEAT_MS = 1_000;
const NO_RESUME = { maxRetries: 0, initialReconnectionDelay: 1_000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5 };
const TEST_TIMEOUT_MS = 30_000;

// The upstream of (u) and (uc): server-everything's own bin script, run by node (never npx).
const EVERYTHING = (() => {
    const manifestPath = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/package.json');
    return join(dirname(manifestPath), 'dist', 'index.js');
})();
const UPSTREAM_TOOL = 'everything__trigger-long-running-operation';
// One step of the whole duration: nothing is written upstream (no progress) until the result.
const UPSTREAM_ARGS = { duration: LONG_CALL_MS / 1000, steps: 1 };
const UPSTREAM_RESULT = `Long running operation completed. Duration: ${LONG_CALL_MS / 1000} seconds, Steps: 1.`;

/** Resolves once Heartline lists the upstream's tool (re-listing on each list_changed); rejects at the deadline. */
async function waitForUpstreamTool(c, ms = 30_000) {
    const deadline = Date.now() + ms;
    let changed;
    let notify = () => {};
    const { ToolListChangedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    c.client.setNotificationHandler(ToolListChangedNotificationSchema, () => notify());
    for (;;) {
        changed = new Promise(resolve => {
            notify = resolve;
        });
        const tools = (await c.client.listTools()).tools.map(t => t.name);
        if (tools.includes(UPSTREAM_TOOL)) return;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${UPSTREAM_TOOL} was not listed within ${ms} ms; tools/list: ${tools.join(', ')}`);
        await withDeadline(changed, left, `tools/list_changed announcing ${UPSTREAM_TOOL}`).catch(() => {});
    }
}

const TRANSPORTS = [
    { name: 'Streamable HTTP', path: '/mcp', streamKind: 'post' },
    { name: 'legacy SSE', path: '/sse', streamKind: 'legacy' }
];

let clientSerial = 0;

/**
 * Connects an SDK client through the proxy. Returns the client, its session id and the errors the SDK
 * reported through onerror (each with its arrival time).
 */
async function connectClient(transportSpec, baseUrl) {
    const name = `heartline-proxy-test-${++clientSerial}`;
    const errors = [];
    const posts = [];
    const responses = []; // {method, status, contentType, accelBuffering} of every HTTP response
    let closing = false;
    const observingFetch = async (url, init) => {
        const method = (init?.method ?? 'GET').toUpperCase();
        const response = await fetch(url, init);
        if (method === 'POST') posts.push(String(url));
        responses.push({
            method,
            status: response.status,
            contentType: response.headers.get('content-type'),
            accelBuffering: response.headers.get('x-accel-buffering')
        });
        return response;
    };
    const client = new Client({ name, version: '1.0.0' }, { capabilities: {} });
    client.onerror = err => {
        if (!closing) errors.push({ at: Date.now(), err });
    };
    const url = new URL(transportSpec.path, baseUrl);
    const transport =
        transportSpec.streamKind === 'legacy'
            ? new SSEClientTransport(url, { fetch: observingFetch })
            : new StreamableHTTPClientTransport(url, { fetch: observingFetch, reconnectionOptions: NO_RESUME });
    await withDeadline(client.connect(transport), 10_000, `the SDK client to connect and initialize over ${transportSpec.name} at ${url}`);
    const sessionId =
        transportSpec.streamKind === 'legacy' ? new URL(posts[0]).searchParams.get('sessionId') : transport.sessionId;
    assert.ok(sessionId, `expected a session id after connecting over ${transportSpec.name} (POSTs: ${JSON.stringify(posts)})`);
    return {
        client,
        sessionId,
        errors,
        responses,
        errorsSince: at => errors.filter(e => e.at >= at).map(e => errorText(e.err)),
        close: async () => {
            closing = true;
            await withDeadline(client.close(), 5_000, 'client.close()').catch(() => {});
        }
    };
}

/** An instance of Heartline with an nginx in front of it; stop() ends both (nginx even on failure). */
async function startStack(heartbeatMs) {
    const configDir = mkdtempSync(join(tmpdir(), 'heartline-proxy-'));
    const configFile = join(configDir, 'heartline.json');
    writeFileSync(configFile, JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [EVERYTHING] } } }));
    const heartline = await startHeartline(HEARTLINE_BIN, [
        '--headless',
        '--port',
        '0',
        '--heartbeat-ms',
        String(heartbeatMs),
        '--log-format',
        'json',
        '--config',
        configFile
    ]).catch(err => {
        rmSync(configDir, { recursive: true, force: true });
        throw err;
    });
    const log = new JsonLog(heartline);
    let nginx;
    try {
        nginx = await startNginx({ upstreamPort: heartline.port, readTimeout: `${PROXY_TIMEOUT_MS / 1000}s`, sendTimeout: `${PROXY_TIMEOUT_MS / 1000}s` });
    } catch (err) {
        heartline.kill();
        throw err;
    }
    const clients = [];
    return {
        heartline,
        log,
        nginx,
        diagnostics: (from = 0) =>
            log.dump(from, 80, e => e.event !== 'message_in' && e.event !== 'message_out') +
            nginx.diagnostics() +
            `\n--- heartline stderr ---\n${String(heartline.stderr).trimEnd()}\n--- end heartline stderr ---`,
        connect: async spec => {
            const c = await connectClient(spec, nginx.url);
            clients.push(c);
            return c;
        },
        connectDirect: async spec => {
            const c = await connectClient(spec, heartline.url);
            clients.push(c);
            return c;
        },
        stop: async () => {
            for (const c of clients) await c.close();
            await nginx.stop();
            await heartline.stop({ timeoutMs: 10_000 });
        },
        kill: () => {
            nginx.kill();
            heartline.kill();
            rmSync(configDir, { recursive: true, force: true });
        }
    };
}

/** The stream a call's messages travel on: the POST's own SSE stream, or the session's legacy stream. */
function callStream(stack, spec, sessionId, from) {
    return stack.log.waitFor(
        e => e.event === 'stream_opened' && e.session === sessionId && e.kind === spec.streamKind,
        5_000,
        `Heartline to log stream_opened (kind "${spec.streamKind}") for session ${sessionId}`,
        { from: spec.streamKind === 'legacy' ? 0 : from, details: () => stack.diagnostics(from) }
    );
}

describe(`through nginx (${NGINX_BIN}, default buffering, proxy_read_timeout ${PROXY_TIMEOUT_MS} ms)`, () => {
    describe(`heartbeats on (--heartbeat-ms ${HEARTBEAT_MS})`, () => {
        let stack;
        before(async () => {
            stack = await startStack(HEARTBEAT_MS);
        });
        after(async () => {
            if (!stack) return;
            try {
                await stack.stop();
            } finally {
                stack.kill();
            }
        });

        for (const spec of TRANSPORTS) {
            // nginx hides X-Accel-* headers from its clients, so this looks at what nginx receives:
            // the same client connected straight to Heartline.
            test(`(h) ${spec.name}: the SSE responses Heartline gives nginx say X-Accel-Buffering: no`, { timeout: TEST_TIMEOUT_MS }, async t => {
                const c = await stack.connectDirect(spec);
                const result = await c.client.callTool({ name: 'sleep', arguments: { ms: 300, progressEveryMs: 100 } }, undefined, {
                    timeout: 10_000,
                    onprogress: () => {}
                });
                assert.equal(textOf(result), 'Slept 300 ms.', `expected the sleep result text, got ${JSON.stringify(result)}`);
                const sse = c.responses.filter(r => /^text\/event-stream\b/.test(String(r.contentType)));
                t.diagnostic(`SSE responses: ${JSON.stringify(sse)}`);
                const expectedSse = spec.streamKind === 'legacy' ? 'GET /sse' : 'the POST of the sleep call with progress';
                assert.ok(
                    sse.some(r => r.method === (spec.streamKind === 'legacy' ? 'GET' : 'POST')),
                    `expected ${expectedSse} to be answered with text/event-stream, got responses ${JSON.stringify(c.responses)}`
                );
                for (const r of sse) {
                    assert.equal(r.accelBuffering, 'no', `expected every SSE response to carry X-Accel-Buffering: no, got ${JSON.stringify(r)}`);
                }
            });

            test(`(a) ${spec.name}: a ${LONG_CALL_MS} ms call without progress survives nginx on heartbeats alone`, { timeout: TEST_TIMEOUT_MS }, async t => {
                const c = await stack.connect(spec);
                const from = stack.log.mark();
                const startedAt = Date.now();
                const outcome = await settle(
                    c.client.callTool({ name: 'sleep', arguments: { ms: LONG_CALL_MS } }, undefined, { timeout: LONG_CALL_MS + 10_000 }),
                    startedAt
                );
                const stream = await callStream(stack, spec, c.sessionId, from);

                assert.equal(
                    outcome.status,
                    'resolved',
                    `expected the ${LONG_CALL_MS} ms sleep call over ${spec.name} to succeed through nginx with heartbeats on, ` +
                        `but it failed after ${outcome.ms} ms: ${errorText(outcome.error)}` +
                        `\nclient errors: ${JSON.stringify(c.errorsSince(startedAt))}${stack.diagnostics(from)}`
                );
                assert.ok(!outcome.value.isError, `expected sleep to succeed (isError falsy), got ${JSON.stringify(outcome.value)}`);
                assert.equal(textOf(outcome.value), `Slept ${LONG_CALL_MS} ms.`, `expected the sleep result text, got ${JSON.stringify(outcome.value)}`);
                assert.deepEqual(c.errorsSince(startedAt), [], `expected no client-side stream errors during the call${stack.diagnostics(from)}`);

                const cut = stack.log.find(e => e.event === 'disconnect' && e.stream === stream.stream, from);
                assert.deepEqual(cut, [], `expected no disconnect of stream ${stream.stream} during the call${stack.diagnostics(from)}`);
                const beats = stack.log.find(e => e.event === 'heartbeat' && e.stream === stream.stream, from);
                t.diagnostic(`result after ${outcome.ms} ms; ${beats.length} heartbeats on stream ${stream.stream}`);
                const expectedBeats = Math.floor(LONG_CALL_MS / HEARTBEAT_MS) - 2;
                assert.ok(
                    beats.length >= expectedBeats,
                    `expected at least ${expectedBeats} heartbeats on stream ${stream.stream} during the ${LONG_CALL_MS} ms call ` +
                        `(nothing else was written on it), got ${beats.length}${stack.diagnostics(from)}`
                );
            });

            test(`(b) ${spec.name}: progress events pass through nginx as they are sent, not batched`, { timeout: TEST_TIMEOUT_MS }, async t => {
                const c = await stack.connect(spec);
                const from = stack.log.mark();
                const arrivals = []; // {ms since the call started, progress}
                const startedAt = Date.now();
                const outcome = await settle(
                    c.client.callTool({ name: 'sleep', arguments: { ms: 4_000, progressEveryMs: 500 } }, undefined, {
                        timeout: 20_000,
                        onprogress: p => arrivals.push({ ms: Date.now() - startedAt, progress: p.progress })
                    }),
                    startedAt
                );
                const timeline = `\nprogress arrivals (ms since the call started): ${JSON.stringify(arrivals)}; result after ${outcome.ms} ms`;
                assert.equal(
                    outcome.status,
                    'resolved',
                    `expected the 4000 ms sleep call with progress over ${spec.name} to succeed through nginx, ` +
                        `got ${errorText(outcome.error)}${timeline}${stack.diagnostics(from)}`
                );
                assert.equal(textOf(outcome.value), 'Slept 4000 ms.', `expected the sleep result text, got ${JSON.stringify(outcome.value)}`);
                assert.ok(arrivals.length >= 5, `expected at least 5 progress notifications (4000 ms every 500 ms), got ${arrivals.length}${timeline}`);
                for (let i = 1; i < arrivals.length; ++i) {
                    assert.ok(arrivals[i].progress > arrivals[i - 1].progress, `expected strictly increasing progress values${timeline}`);
                }
                t.diagnostic(`progress arrivals (ms): ${arrivals.map(a => a.ms).join(', ')}; result at ${outcome.ms} ms`);
                const first = arrivals[0]?.ms;
                const last = arrivals[arrivals.length - 1].ms;
                assert.ok(first <= 1_500, `expected the first progress notification within 1500 ms of the call (sent at ~500 ms), got ${first} ms${timeline}`);
                assert.ok(
                    last - first >= 2_000,
                    `expected the progress notifications spread over >= 2000 ms as they were sent (not one batch), got ${last - first} ms${timeline}`
                );
                assert.ok(
                    outcome.ms - first >= 2_000,
                    `expected the first progress notification >= 2000 ms before the result, got ${outcome.ms - first} ms${timeline}`
                );
            });
        }

        test(`(u) Streamable HTTP: a ${LONG_CALL_MS} ms call forwarded to an upstream server survives nginx on heartbeats alone`, { timeout: TEST_TIMEOUT_MS + 30_000 }, async t => {
            const spec = TRANSPORTS[0];
            const c = await stack.connect(spec);
            await waitForUpstreamTool(c);
            const from = stack.log.mark();
            const startedAt = Date.now();
            const outcome = await settle(
                c.client.callTool({ name: UPSTREAM_TOOL, arguments: UPSTREAM_ARGS }, undefined, { timeout: LONG_CALL_MS + 10_000 }),
                startedAt
            );
            const stream = await callStream(stack, spec, c.sessionId, from);
            assert.equal(
                outcome.status,
                'resolved',
                `expected the forwarded ${LONG_CALL_MS} ms call to succeed through nginx with heartbeats on, ` +
                    `but it failed after ${outcome.ms} ms: ${errorText(outcome.error)}` +
                    `\nclient errors: ${JSON.stringify(c.errorsSince(startedAt))}${stack.diagnostics(from)}`
            );
            assert.ok(!outcome.value.isError, `expected the upstream's result, got ${JSON.stringify(outcome.value)}`);
            assert.equal(textOf(outcome.value), UPSTREAM_RESULT, `expected the upstream's result text, got ${JSON.stringify(outcome.value)}`);
            assert.deepEqual(c.errorsSince(startedAt), [], `expected no client-side stream errors during the call${stack.diagnostics(from)}`);
            const beats = stack.log.find(e => e.event === 'heartbeat' && e.stream === stream.stream, from);
            t.diagnostic(`result after ${outcome.ms} ms; ${beats.length} heartbeats on stream ${stream.stream}`);
            const expectedBeats = Math.floor(LONG_CALL_MS / HEARTBEAT_MS) - 2;
            assert.ok(
                beats.length >= expectedBeats,
                `expected at least ${expectedBeats} heartbeats on stream ${stream.stream} during the forwarded call, got ${beats.length}${stack.diagnostics(from)}`
            );
        });
    });

    describe('heartbeats off (--heartbeat-ms 0)', () => {
        let stack;
        before(async () => {
            stack = await startStack(0);
        });
        after(async () => {
            if (!stack) return;
            try {
                await stack.stop();
            } finally {
                stack.kill();
            }
        });

        for (const spec of TRANSPORTS) {
            test(`(c) ${spec.name}: the same ${LONG_CALL_MS} ms call is cut by nginx and recorded as proxy_idle_suspected`, { timeout: TEST_TIMEOUT_MS }, async t => {
                const c = await stack.connect(spec);
                const from = stack.log.mark();
                const startedAt = Date.now();
                // Were the stream to survive, the result would arrive after ~LONG_CALL_MS; give it
                // 3 s more before the SDK gives up on the request.
                const call = settle(
                    c.client.callTool({ name: 'sleep', arguments: { ms: LONG_CALL_MS } }, undefined, { timeout: LONG_CALL_MS + 3_000 }),
                    startedAt
                );
                const stream = await callStream(stack, spec, c.sessionId, from);
                let disconnect;
                let logError;
                try {
                    disconnect = await stack.log.waitFor(
                        e => e.event === 'disconnect' && e.stream === stream.stream,
                        LONG_CALL_MS + 3_000,
                        `Heartline to log a disconnect event for stream ${stream.stream} (session ${c.sessionId})`,
                        { from }
                    );
                } catch (err) {
                    logError = err;
                }
                const outcome = await withDeadline(call, LONG_CALL_MS + 10_000, 'the sleep call to settle');
                const what =
                    `\ncall outcome: ${outcome.status} after ${outcome.ms} ms` +
                    (outcome.status === 'rejected' ? ` (${errorText(outcome.error)})` : ` with ${JSON.stringify(outcome.value)}`) +
                    `\nclient errors since the call: ${JSON.stringify(c.errorsSince(startedAt))}`;

                t.diagnostic(what.trim().replace(/\n/g, '; '));
                t.diagnostic(`disconnect: ${JSON.stringify(disconnect)}`);
                assert.notEqual(
                    outcome.status,
                    'resolved',
                    `expected the ${LONG_CALL_MS} ms call over ${spec.name} NOT to succeed through nginx with heartbeats off ` +
                        `(proxy_read_timeout ${PROXY_TIMEOUT_MS} ms should cut the silent stream)${what}${stack.diagnostics(from)}`
                );
                assert.ok(!logError, `${logError?.message}${what}${stack.diagnostics(from)}`);
                assert.ok(
                    disconnect.since_last_write_ms >= 2_500 && disconnect.since_last_write_ms < 6_000,
                    `expected since_last_write_ms about the proxy timeout (>= 2500 and < 6000), got ${JSON.stringify(disconnect)}${what}${stack.diagnostics(from)}`
                );
                assert.equal(
                    disconnect.cause,
                    'proxy_idle_suspected',
                    `expected the cut stream to be recorded with cause proxy_idle_suspected (peer closed after ` +
                        `${disconnect.since_last_write_ms} ms of silence with heartbeats off and a response owed), got ` +
                        `${JSON.stringify(disconnect)}${what}${stack.diagnostics(from)}`
                );
            });
        }

        test(`(uc) Streamable HTTP: the same forwarded ${LONG_CALL_MS} ms call is cut by nginx without heartbeats`, { timeout: TEST_TIMEOUT_MS + 30_000 }, async t => {
            const spec = TRANSPORTS[0];
            const c = await stack.connect(spec);
            await waitForUpstreamTool(c);
            const from = stack.log.mark();
            const startedAt = Date.now();
            const call = settle(
                c.client.callTool({ name: UPSTREAM_TOOL, arguments: UPSTREAM_ARGS }, undefined, { timeout: LONG_CALL_MS + 3_000 }),
                startedAt
            );
            const stream = await callStream(stack, spec, c.sessionId, from);
            const disconnect = await stack.log.waitFor(
                e => e.event === 'disconnect' && e.stream === stream.stream,
                LONG_CALL_MS + 3_000,
                `Heartline to log a disconnect event for stream ${stream.stream} (session ${c.sessionId})`,
                { from, details: () => stack.diagnostics(from) }
            );
            const outcome = await withDeadline(call, LONG_CALL_MS + 10_000, 'the forwarded call to settle');
            const what =
                `\ncall outcome: ${outcome.status} after ${outcome.ms} ms` +
                (outcome.status === 'rejected' ? ` (${errorText(outcome.error)})` : ` with ${JSON.stringify(outcome.value)}`);
            t.diagnostic(`${what.trim()}; disconnect: ${JSON.stringify(disconnect)}`);
            assert.notEqual(
                outcome.status,
                'resolved',
                `expected the forwarded ${LONG_CALL_MS} ms call NOT to succeed through nginx with heartbeats off${what}${stack.diagnostics(from)}`
            );
            assert.equal(disconnect.cause, 'proxy_idle_suspected', `expected the cut stream recorded as proxy_idle_suspected, got ${JSON.stringify(disconnect)}${what}${stack.diagnostics(from)}`);
        });
    });
});
