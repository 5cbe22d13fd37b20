// Interop: the official MCP TypeScript SDK client (pinned in package.json) against the real
// Heartline binary over Streamable HTTP.
//
// Run from ctest (tests/interop/CMakeLists.txt), or by hand:
//   cd tests/interop && npm ci && HEARTLINE_BIN=../../build/app/heartline node --test --test-reporter=spec

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHeartline } from './lib/heartline.mjs';
import { Condition, loadSdk, requireHeartlineBin, textOf, toolNames, withDeadline } from './lib/common.mjs';
import { ABOUT_URI, checkAboutResource, checkCompletion, checkToolTemplate, checkTryToolPrompt, checkUnknownResource } from './lib/catalog.mjs';

// Preconditions fail loudly with a message that says what to do.
const HEARTLINE_BIN = requireHeartlineBin();
const { Client, StreamableHTTPClientTransport, McpError, ToolListChangedNotificationSchema, ResourceUpdatedNotificationSchema } =
    await loadSdk();

const TEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------

describe('official TypeScript SDK client over Streamable HTTP', () => {
    let heartline;
    let client;
    let transport;
    let clientClosed = false;

    // Everything the client observes, for assertions and failure messages.
    const events = new Condition();
    const listChanged = []; // arrival times of notifications/tools/list_changed
    const resourceUpdates = []; // params of notifications/resources/updated
    const getStreams = []; // {status, contentType} of every GET the transport made to /mcp
    const clientErrors = []; // errors the SDK reported through onerror

    const diagnostics = () =>
        `\nGET /mcp responses so far: ${JSON.stringify(getStreams)}` +
        `\nclient errors so far: ${JSON.stringify(clientErrors.map(e => String(e?.message ?? e)))}` +
        (heartline ? heartline.diagnostics() : '');

    before(async () => {
        heartline = await startHeartline(HEARTLINE_BIN, ['--headless', '--port', '0', '--heartbeat-ms', '200']);

        // Observe the transport's GET requests so the list_changed test knows when the standalone
        // SSE stream is up (the SDK opens it, unawaited, after the 202 to notifications/initialized).
        const observingFetch = async (url, init) => {
            const response = await fetch(url, init);
            if ((init?.method ?? 'GET').toUpperCase() === 'GET') {
                getStreams.push({ status: response.status, contentType: response.headers.get('content-type') });
                events.notify();
            }
            return response;
        };

        client = new Client({ name: 'heartline-interop-ts', version: '1.0.0' }, { capabilities: {} });
        client.onerror = err => {
            if (clientClosed) return; // aborting the GET stream on close reports an error; ignore it
            clientErrors.push(err);
            events.notify();
        };
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
            listChanged.push(Date.now());
            events.notify();
        });
        client.setNotificationHandler(ResourceUpdatedNotificationSchema, notification => {
            resourceUpdates.push(notification.params);
            events.notify();
        });
        transport = new StreamableHTTPClientTransport(heartline.mcpUrl, { fetch: observingFetch });
        try {
            await withDeadline(client.connect(transport), 10_000, `initialize with ${heartline.mcpUrl}`);
        } catch (err) {
            throw new Error(`expected the SDK client to connect and initialize: ${err?.message ?? err}${diagnostics()}`);
        }
    });

    after(async () => {
        // Normally test (h) has already done this; after a failure make sure nothing is left running.
        if (client && !clientClosed) {
            clientClosed = true;
            await withDeadline(client.close(), 5_000, 'client.close()').catch(() => {});
        }
        heartline?.kill();
    });

    test('(a) initialize: server info, capabilities and the built-in tools', { timeout: TEST_TIMEOUT_MS }, async () => {
        const serverInfo = client.getServerVersion();
        assert.ok(serverInfo, 'expected serverInfo in the initialize result');
        assert.equal(serverInfo.name, 'heartline', `expected serverInfo.name "heartline", got ${JSON.stringify(serverInfo)}`);
        assert.equal(typeof serverInfo.version, 'string', 'expected serverInfo.version to be a string');

        const caps = client.getServerCapabilities();
        assert.equal(
            caps?.tools?.listChanged,
            true,
            `expected capabilities.tools.listChanged === true, got capabilities ${JSON.stringify(caps)}`
        );
        assert.ok(caps.logging, `expected capabilities.logging to be declared, got ${JSON.stringify(caps)}`);
        assert.ok(transport.sessionId, 'expected the server to assign an MCP-Session-Id at initialize');

        const list = await client.listTools();
        const names = toolNames(list);
        for (const name of ['echo', 'sleep', 'now']) {
            const tool = list.tools.find(t => t.name === name);
            assert.ok(tool, `expected tools/list to contain "${name}", got ${JSON.stringify(names)}`);
            assert.equal(typeof tool.description, 'string', `expected tool "${name}" to have a description string`);
            assert.ok(tool.description.trim().length > 0, `expected tool "${name}" to have a non-empty description`);
            assert.equal(
                tool.inputSchema?.type,
                'object',
                `expected tool "${name}" inputSchema.type === "object", got ${JSON.stringify(tool.inputSchema)}`
            );
        }
    });

    test('(b) echo returns non-ASCII text unchanged', { timeout: TEST_TIMEOUT_MS }, async () => {
        const message = 'héllo ✓ 世界 — 🚀 "quotes" \\ back\nslash';
        const result = await client.callTool({ name: 'echo', arguments: { message } });
        assert.ok(!result.isError, `expected echo to succeed (isError falsy), got ${JSON.stringify(result)}`);
        assert.deepEqual(
            result.content,
            [{ type: 'text', text: message }],
            `expected content [{type:"text", text:${JSON.stringify(message)}}], got ${JSON.stringify(result.content)}`
        );
    });

    test('(c) sleep streams progress notifications before its result', { timeout: TEST_TIMEOUT_MS }, async () => {
        const progress = [];
        const errorsBefore = clientErrors.length;
        const result = await client.callTool({ name: 'sleep', arguments: { ms: 1200, progressEveryMs: 250 } }, undefined, {
            timeout: 15_000,
            onprogress: p => {
                progress.push(p);
            }
        });
        // onprogress runs synchronously as each notification is read, so everything in `progress`
        // now arrived before the result did.
        const beforeResult = progress.length;

        assert.ok(!result.isError, `expected sleep to succeed (isError falsy), got ${JSON.stringify(result)}`);
        assert.ok(textOf(result).length > 0, `expected sleep to return a text block, got ${JSON.stringify(result.content)}`);
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
        // The SDK drops the progress handler when the result arrives and reports any later
        // progress notification for that token through onerror.
        const lateProgress = clientErrors.slice(errorsBefore).filter(e => /progress notification/i.test(String(e?.message)));
        assert.deepEqual(
            lateProgress.map(e => e.message),
            [],
            'expected no progress notification for an unknown/finished token'
        );
    });

    test('(d) echo with a wrong argument type is a tool error, not a protocol error', { timeout: TEST_TIMEOUT_MS }, async () => {
        let result;
        try {
            result = await client.callTool({ name: 'echo', arguments: { message: 42 } });
        } catch (err) {
            assert.fail(
                `expected a CallToolResult with isError: true for {message: 42} (input validation errors are tool ` +
                    `errors since 2025-11-25), but the call threw: ${err?.message ?? err}`
            );
        }
        assert.equal(result.isError, true, `expected isError: true for {message: 42}, got ${JSON.stringify(result)}`);
        assert.ok(Array.isArray(result.content), `expected a content array explaining the error, got ${JSON.stringify(result)}`);
    });

    test('(e) tools/list_changed on disable and enable via heartline ctl', { timeout: TEST_TIMEOUT_MS }, async () => {
        // 1. The standalone GET SSE stream must be open, or the notification has nowhere to go.
        await events.waitFor(
            () => getStreams.length > 0,
            5_000,
            'the client to open its GET /mcp SSE stream',
            diagnostics
        );
        const first = getStreams[0];
        assert.equal(
            first.status,
            200,
            `expected GET /mcp (the standalone SSE stream) to be answered 200, got ${first.status}; ` +
                `tools/list_changed is delivered on that stream${diagnostics()}`
        );
        assert.match(
            String(first.contentType),
            /^text\/event-stream\b/,
            `expected GET /mcp to answer Content-Type text/event-stream, got ${first.contentType}`
        );

        let echoDisabled = false;
        try {
            // 2. Disable echo: a list_changed notification must arrive within 5 s.
            const beforeDisable = listChanged.length;
            echoDisabled = true;
            await heartline.ctl('tools', 'disable', 'echo');
            await events.waitFor(
                () => listChanged.length > beforeDisable,
                5_000,
                "notifications/tools/list_changed after 'heartline ctl tools disable echo'",
                diagnostics
            );

            const listed = toolNames(await client.listTools());
            assert.ok(!listed.includes('echo'), `expected "echo" to be hidden from tools/list after disable, got ${JSON.stringify(listed)}`);
            assert.ok(
                listed.includes('sleep') && listed.includes('now'),
                `expected "sleep" and "now" to stay listed after disabling echo, got ${JSON.stringify(listed)}`
            );

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
            assert.equal(
                refused.code,
                -32602,
                `expected JSON-RPC error code -32602 for the disabled tool "echo", got ${refused.code} (${refused.message})`
            );

            // 3. Enable it again: another list_changed, and echo is back.
            const beforeEnable = listChanged.length;
            await heartline.ctl('tools', 'enable', 'echo');
            echoDisabled = false;
            await events.waitFor(
                () => listChanged.length > beforeEnable,
                5_000,
                "notifications/tools/list_changed after 'heartline ctl tools enable echo'",
                diagnostics
            );
            const relisted = toolNames(await client.listTools());
            assert.ok(relisted.includes('echo'), `expected "echo" to be listed again after enable, got ${JSON.stringify(relisted)}`);
            const result = await client.callTool({ name: 'echo', arguments: { message: 'back' } });
            assert.equal(textOf(result), 'back', `expected echo to work again after enable, got ${JSON.stringify(result)}`);
        } finally {
            // Leave the server as we found it even when an assertion above failed.
            if (echoDisabled) await heartline.ctl('tools', 'enable', 'echo').catch(() => {});
        }
    });

    test('(f) resources, templates, prompts and completion of the built-in catalog', { timeout: TEST_TIMEOUT_MS }, async () => {
        const caps = client.getServerCapabilities();
        assert.ok(caps?.resources, `expected capabilities.resources, got ${JSON.stringify(caps)}`);
        assert.ok(caps?.prompts, `expected capabilities.prompts, got ${JSON.stringify(caps)}`);
        assert.ok(caps?.completions, `expected capabilities.completions, got ${JSON.stringify(caps)}`);

        await checkAboutResource(client);
        await checkToolTemplate(client, (await client.listTools()).tools);
        await checkUnknownResource(client, -32002); // resource not found, up to 2025-11-25
        await checkTryToolPrompt(client);
        await checkCompletion(client);
    });

    test('(g) a subscribed heartline://about is reported updated when a tool is switched off', { timeout: TEST_TIMEOUT_MS }, async () => {
        const caps = client.getServerCapabilities();
        assert.equal(caps?.resources?.subscribe, true, `expected capabilities.resources.subscribe, got ${JSON.stringify(caps)}`);
        await client.subscribeResource({ uri: ABOUT_URI });
        let nowDisabled = false;
        try {
            const before = resourceUpdates.length;
            nowDisabled = true;
            await heartline.ctl('tools', 'disable', 'now');
            await events.waitFor(
                () => resourceUpdates.slice(before).some(p => p.uri === ABOUT_URI),
                5_000,
                `notifications/resources/updated for ${ABOUT_URI} after 'heartline ctl tools disable now'`,
                diagnostics
            );
            const { contents } = await client.readResource({ uri: ABOUT_URI });
            assert.ok(!contents[0].text.includes('`now`'), `expected the about page to stop naming \`now\` once it is off, got ${JSON.stringify(contents[0].text)}`);
        } finally {
            if (nowDisabled) await heartline.ctl('tools', 'enable', 'now').catch(() => {});
            await client.unsubscribeResource({ uri: ABOUT_URI }).catch(() => {});
        }
    });

    test('(h) clean shutdown: DELETE the session, close the client, SIGTERM exits 0', { timeout: TEST_TIMEOUT_MS }, async () => {
        await withDeadline(transport.terminateSession(), 5_000, 'DELETE /mcp (terminateSession)');
        assert.equal(transport.sessionId, undefined, 'expected the session to be terminated by DELETE /mcp (200 or 405)');
        clientClosed = true;
        await withDeadline(client.close(), 5_000, 'client.close()');

        const { code } = await heartline.stop({ timeoutMs: 10_000 });
        assert.equal(code, 0, 'expected heartline to exit with status 0 after SIGTERM');
    });
});
