// Interop: the official MCP TypeScript SDK client (pinned in package.json) against the real
// Heartline binary over the legacy HTTP+SSE transport (2024-11-05): GET /sse opens the stream and
// announces `event: endpoint` with the URL to POST to; every response and notification comes back
// as `event: message` on that stream. The SDK's SSEClientTransport is what older clients, hubs and
// bridges still use, so it must work unchanged.
//
// Run from ctest (tests/interop/CMakeLists.txt), or by hand:
//   cd tests/interop && npm ci && HEARTLINE_BIN=../../build/app/heartline node --test legacy_sse.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHeartline } from './lib/heartline.mjs';
import { Condition, JsonLog, errorText, loadSdk, requireHeartlineBin, textOf, toolNames, withDeadline } from './lib/common.mjs';
import { checkAboutResource, checkCompletion, checkToolTemplate, checkTryToolPrompt, checkUnknownResource } from './lib/catalog.mjs';

const HEARTLINE_BIN = requireHeartlineBin();
const { Client, SSEClientTransport, McpError, ToolListChangedNotificationSchema } = await loadSdk();

const TEST_TIMEOUT_MS = 30_000;

describe('official TypeScript SDK client over the legacy HTTP+SSE transport', () => {
    let heartline;
    let log;
    let client;
    let transport;
    let sessionId; // from the endpoint event's ?sessionId=
    let clientClosed = false;

    const events = new Condition();
    const listChanged = []; // arrival times of notifications/tools/list_changed
    const clientErrors = []; // errors the SDK reported through onerror
    const sseResponses = []; // {status, contentType, accelBuffering} of every GET /sse the transport made

    const diagnostics = () =>
        `\nGET /sse responses so far: ${JSON.stringify(sseResponses)}` +
        `\nclient errors so far: ${JSON.stringify(clientErrors.map(errorText))}` +
        (log ? log.dump() : '') +
        (heartline ? heartline.diagnostics() : '');

    before(async () => {
        heartline = await startHeartline(HEARTLINE_BIN, ['--headless', '--port', '0', '--heartbeat-ms', '200', '--log-format', 'json']);
        log = new JsonLog(heartline);

        const observingFetch = async (url, init) => {
            const response = await fetch(url, init);
            if ((init?.method ?? 'GET').toUpperCase() === 'GET') {
                sseResponses.push({
                    status: response.status,
                    contentType: response.headers.get('content-type'),
                    accelBuffering: response.headers.get('x-accel-buffering')
                });
            }
            return response;
        };

        client = new Client({ name: 'heartline-interop-ts-legacy', version: '1.0.0' }, { capabilities: {} });
        client.onerror = err => {
            if (clientClosed) return;
            clientErrors.push(err);
            events.notify();
        };
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
            listChanged.push(Date.now());
            events.notify();
        });
        const sseUrl = new URL('/sse', heartline.url);
        transport = new SSEClientTransport(sseUrl, { eventSourceInit: { fetch: observingFetch } });
        try {
            await withDeadline(client.connect(transport), 10_000, `connect + initialize over ${sseUrl}`);
        } catch (err) {
            throw new Error(`expected the SDK client to connect over legacy SSE and initialize: ${errorText(err)}${diagnostics()}`);
        }
        sessionId = transport._endpoint?.searchParams.get('sessionId');
    });

    after(async () => {
        if (client && !clientClosed) {
            clientClosed = true;
            await withDeadline(client.close(), 5_000, 'client.close()').catch(() => {});
        }
        heartline?.kill();
    });

    test('(a) connect: the stream, the endpoint event, initialize and the built-in tools', { timeout: TEST_TIMEOUT_MS }, async () => {
        assert.equal(sseResponses.length, 1, `expected exactly one GET /sse so far, got ${JSON.stringify(sseResponses)}`);
        assert.equal(sseResponses[0].status, 200, `expected GET /sse to be answered 200, got ${sseResponses[0].status}`);
        assert.match(
            String(sseResponses[0].contentType),
            /^text\/event-stream\b/,
            `expected GET /sse Content-Type text/event-stream, got ${sseResponses[0].contentType}`
        );
        assert.equal(sseResponses[0].accelBuffering, 'no', `expected GET /sse to carry X-Accel-Buffering: no, got ${sseResponses[0].accelBuffering}`);

        const endpoint = transport._endpoint;
        assert.ok(endpoint, 'expected the transport to have received an endpoint event');
        assert.equal(endpoint.origin, heartline.url, `expected the endpoint on the same origin as /sse, got ${endpoint}`);
        assert.equal(endpoint.pathname, '/messages', `expected the endpoint path /messages, got ${endpoint}`);
        assert.ok(sessionId, `expected the endpoint URL to carry ?sessionId=, got ${endpoint}`);

        const serverInfo = client.getServerVersion();
        assert.equal(serverInfo?.name, 'heartline', `expected serverInfo.name "heartline", got ${JSON.stringify(serverInfo)}`);
        const caps = client.getServerCapabilities();
        assert.equal(caps?.tools?.listChanged, true, `expected capabilities.tools.listChanged === true, got ${JSON.stringify(caps)}`);

        const list = await client.listTools();
        const names = toolNames(list);
        for (const name of ['echo', 'sleep', 'now']) {
            const tool = list.tools.find(t => t.name === name);
            assert.ok(tool, `expected tools/list to contain "${name}", got ${JSON.stringify(names)}`);
            assert.equal(tool.inputSchema?.type, 'object', `expected tool "${name}" inputSchema.type "object", got ${JSON.stringify(tool.inputSchema)}`);
        }

        const opened = log.find(e => e.event === 'stream_opened' && e.session === sessionId);
        assert.deepEqual(
            opened.map(e => e.kind),
            ['legacy'],
            `expected Heartline to log one stream_opened of kind "legacy" for session ${sessionId}${log.dump()}`
        );
    });

    test('(b) echo returns the exact text', { timeout: TEST_TIMEOUT_MS }, async () => {
        const message = 'héllo ✓ 世界 — 🚀 "quotes" \\ back\nslash';
        const result = await client.callTool({ name: 'echo', arguments: { message } });
        assert.ok(!result.isError, `expected echo to succeed (isError falsy), got ${JSON.stringify(result)}`);
        assert.deepEqual(
            result.content,
            [{ type: 'text', text: message }],
            `expected content [{type:"text", text:${JSON.stringify(message)}}], got ${JSON.stringify(result.content)}`
        );
    });

    test('(c) sleep streams progress notifications on the SSE stream before its result', { timeout: TEST_TIMEOUT_MS }, async () => {
        const progress = [];
        const result = await client.callTool({ name: 'sleep', arguments: { ms: 1200, progressEveryMs: 250 } }, undefined, {
            timeout: 15_000,
            onprogress: p => progress.push(p)
        });
        // onprogress runs synchronously as each message is read from the one stream, so everything in
        // `progress` now arrived before the result.
        const beforeResult = progress.length;
        assert.ok(!result.isError, `expected sleep to succeed (isError falsy), got ${JSON.stringify(result)}`);
        assert.equal(textOf(result), 'Slept 1200 ms.', `expected sleep's text "Slept 1200 ms.", got ${JSON.stringify(result.content)}`);
        assert.ok(
            beforeResult >= 3,
            `expected at least 3 notifications/progress before the result (1200 ms every 250 ms), got ${beforeResult}: ${JSON.stringify(progress)}`
        );
        for (let i = 1; i < progress.length; ++i) {
            assert.ok(
                progress[i].progress > progress[i - 1].progress,
                `expected strictly increasing progress values, got ${JSON.stringify(progress.map(p => p.progress))}`
            );
        }
        for (const p of progress) {
            assert.equal(p.total, 1200, `expected every progress notification to carry total 1200, got ${JSON.stringify(p)}`);
        }
        const unexpected = clientErrors.filter(e => /progress notification/i.test(String(e?.message)));
        assert.deepEqual(unexpected.map(errorText), [], 'expected no progress notification for an unknown or finished token');
    });

    test('(d) tools/list_changed after heartline ctl tools disable echo; the disabled tool is refused with -32602', { timeout: TEST_TIMEOUT_MS }, async () => {
        let echoDisabled = false;
        try {
            const beforeDisable = listChanged.length;
            echoDisabled = true;
            await heartline.ctl('tools', 'disable', 'echo');
            await events.waitFor(
                () => listChanged.length > beforeDisable,
                5_000,
                "notifications/tools/list_changed on the legacy SSE stream after 'heartline ctl tools disable echo'",
                diagnostics
            );

            const listed = toolNames(await client.listTools());
            assert.ok(!listed.includes('echo'), `expected "echo" to be hidden from tools/list after disable, got ${JSON.stringify(listed)}`);
            assert.ok(listed.includes('sleep') && listed.includes('now'), `expected "sleep" and "now" to stay listed, got ${JSON.stringify(listed)}`);

            let refused;
            try {
                const unexpected = await client.callTool({ name: 'echo', arguments: { message: 'should be refused' } });
                assert.fail(
                    `expected calling the disabled tool "echo" to be refused with JSON-RPC error -32602, ` +
                        `but it returned a result: ${JSON.stringify(unexpected)}`
                );
            } catch (err) {
                if (err instanceof assert.AssertionError) throw err;
                refused = err;
            }
            assert.ok(
                refused instanceof McpError,
                `expected calling the disabled tool "echo" to fail with a JSON-RPC error (McpError), got ${refused?.stack ?? refused}`
            );
            assert.equal(refused.code, -32602, `expected JSON-RPC error code -32602 for the disabled tool "echo", got ${refused.code} (${refused.message})`);

            const beforeEnable = listChanged.length;
            await heartline.ctl('tools', 'enable', 'echo');
            echoDisabled = false;
            await events.waitFor(
                () => listChanged.length > beforeEnable,
                5_000,
                "notifications/tools/list_changed after 'heartline ctl tools enable echo'",
                diagnostics
            );
            const result = await client.callTool({ name: 'echo', arguments: { message: 'back' } });
            assert.equal(textOf(result), 'back', `expected echo to work again after enable, got ${JSON.stringify(result)}`);
        } finally {
            if (echoDisabled) await heartline.ctl('tools', 'enable', 'echo').catch(() => {});
        }
    });

    test('(e) resources, templates, prompts and completion of the built-in catalog over the legacy stream', { timeout: TEST_TIMEOUT_MS }, async () => {
        const caps = client.getServerCapabilities();
        assert.ok(caps?.resources && caps?.prompts, `expected capabilities.resources and .prompts, got ${JSON.stringify(caps)}`);
        await checkAboutResource(client);
        await checkToolTemplate(client, (await client.listTools()).tools);
        await checkUnknownResource(client, -32002); // resource not found, up to 2025-11-25
        await checkTryToolPrompt(client);
        await checkCompletion(client);
    });

    test('(f) close: the session ends with cause client_closed; SIGTERM exits 0', { timeout: TEST_TIMEOUT_MS }, async () => {
        assert.deepEqual(clientErrors.map(errorText), [], `expected no client errors while connected${diagnostics()}`);
        const from = log.mark();
        clientClosed = true;
        await withDeadline(client.close(), 5_000, 'client.close()');

        // Closing the EventSource is the only way a legacy client says goodbye: the stream ends, and
        // with it the session, with the cause recorded.
        const streamGone = await log.waitFor(
            e => e.event === 'disconnect' && e.session === sessionId && e.stream !== undefined,
            5_000,
            `a disconnect event for the legacy stream of session ${sessionId} after the client closed`,
            { from, details: () => log.dump(from) }
        );
        assert.equal(streamGone.cause, 'client_closed', `expected the closed legacy stream to be recorded as client_closed, got ${JSON.stringify(streamGone)}`);
        await log.waitFor(
            e => e.event === 'session_closed' && e.session === sessionId,
            5_000,
            `session_closed for ${sessionId} (a legacy session ends when its stream ends)`,
            { from, details: () => log.dump(from) }
        );

        const { code } = await heartline.stop({ timeoutMs: 10_000 });
        assert.equal(code, 0, 'expected heartline to exit with status 0 after SIGTERM');
    });
});
