// Interop: the official MCP TypeScript SDK v2 client (@modelcontextprotocol/client, pinned in
// package.json) against the real Heartline binary, pinned to protocol revision 2026-07-28: the
// stateless Streamable HTTP of that revision, with no initialize and no session. The client probes
// with server/discover, sends the per-request _meta envelope (protocol version, client info and
// capabilities) and the MCP-Protocol-Version / Mcp-Method / Mcp-Name headers on every POST, and
// gets change notifications on a subscriptions/listen stream instead of a GET stream.
//
// The client's fetch is wrapped so every HTTP exchange is recorded: the tests prove on the wire
// that 2026-07-28 was really spoken, not just that the client says so.
//
// Run from ctest (tests/interop/CMakeLists.txt), or by hand:
//   cd tests/interop && npm ci && HEARTLINE_BIN=../../build/app/heartline node --test v2_client_modern.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHeartline } from './lib/heartline.mjs';
import { Condition, errorText, requireHeartlineBin, textOf, toolNames, withDeadline } from './lib/common.mjs';
import {
    UNKNOWN_RESOURCE,
    checkAboutResource,
    checkCompletion,
    checkToolTemplate,
    checkTryToolPrompt,
    checkUnknownResource
} from './lib/catalog.mjs';

const HEARTLINE_BIN = requireHeartlineBin();
const MODERN = '2026-07-28';
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const HEARTBEAT_MS = 100;
const TEST_TIMEOUT_MS = 30_000;

async function loadV2Client() {
    try {
        return await import('@modelcontextprotocol/client');
    } catch (err) {
        throw new Error(
            `Cannot load @modelcontextprotocol/client (${err.message}). Run 'npm ci' in tests/interop ` +
                '(it installs the exact version pinned in package-lock.json).'
        );
    }
}
const { Client, StreamableHTTPClientTransport } = await loadV2Client();

/** Every HTTP exchange the client makes: request method, headers and JSON body, response status and type. */
class WireLog {
    constructor() {
        this.exchanges = [];
        this.changed = new Condition();
    }

    fetch = async (url, init = {}) => {
        const headers = new Headers(init.headers);
        const exchange = {
            method: (init.method ?? 'GET').toUpperCase(),
            url: String(url),
            headers: Object.fromEntries(headers.entries()),
            body: undefined,
            status: undefined,
            contentType: undefined,
            responseHeaders: undefined
        };
        if (typeof init.body === 'string') {
            try {
                exchange.body = JSON.parse(init.body);
            } catch {
                exchange.body = init.body;
            }
        }
        this.exchanges.push(exchange);
        const response = await fetch(url, init);
        exchange.status = response.status;
        exchange.contentType = response.headers.get('content-type');
        exchange.responseHeaders = Object.fromEntries(response.headers.entries());
        if (/^application\/json\b/.test(exchange.contentType ?? '')) {
            exchange.responseBody = await response
                .clone()
                .json()
                .catch(err => `unparsable: ${err.message}`);
        }
        this.changed.notify();
        if (!response.body || !/^text\/event-stream\b/.test(exchange.contentType ?? '')) return response;
        // Read a copy of every SSE response too, counting its comment lines (Heartline's opening
        // comment and heartbeats), which the client itself never reports.
        exchange.sseComments = 0;
        const [forClient, forLog] = response.body.tee();
        this.countComments(forLog, exchange);
        return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
    };

    async countComments(stream, exchange) {
        const decoder = new TextDecoder();
        let pending = '';
        try {
            for await (const chunk of stream) {
                pending += decoder.decode(chunk, { stream: true });
                const lines = pending.split(/\r\n|\r|\n/);
                pending = lines.pop();
                const comments = lines.filter(line => line.startsWith(':')).length;
                if (comments > 0) {
                    exchange.sseComments += comments;
                    this.changed.notify();
                }
            }
        } catch {
            // the client aborted the stream (closing a subscription); the count so far stands
        }
    }

    /** Index to pass as `from` to only look at exchanges made after this moment. */
    mark() {
        return this.exchanges.length;
    }

    posts(from = 0) {
        return this.exchanges.slice(from).filter(e => e.method === 'POST');
    }

    /** POSTs whose body is a request with this JSON-RPC method. */
    requests(method, from = 0) {
        return this.posts(from).filter(e => e.body?.method === method && e.body?.id !== undefined);
    }

    dump(from = 0) {
        const lines = this.exchanges.slice(from).map(e => {
            const wanted = ['mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id'];
            const shown = Object.fromEntries(wanted.filter(h => e.headers[h] !== undefined).map(h => [h, e.headers[h]]));
            const comments = e.sseComments === undefined ? '' : ` (${e.sseComments} SSE comments)`;
            const answer = e.responseBody?.error ? ` error ${JSON.stringify(e.responseBody.error)}` : '';
            return `${e.method} ${JSON.stringify(shown)} ${JSON.stringify(e.body)} -> ${e.status} ${e.contentType}${comments}${answer}`;
        });
        return `\n--- HTTP exchanges ---\n${lines.join('\n')}\n--- end HTTP exchanges ---`;
    }
}

describe('official TypeScript SDK v2 client pinned to protocol 2026-07-28', () => {
    let heartline;
    let client;
    let clientClosed = false;
    const wire = new WireLog();
    const events = new Condition();
    const listChanged = []; // params of notifications/tools/list_changed
    const clientErrors = [];

    const diagnostics = () =>
        `\nclient errors so far: ${JSON.stringify(clientErrors.map(errorText))}` + wire.dump() + (heartline ? heartline.diagnostics() : '');

    before(async () => {
        heartline = await startHeartline(HEARTLINE_BIN, ['--headless', '--port', '0', '--heartbeat-ms', String(HEARTBEAT_MS)]);
        client = new Client(
            { name: 'heartline-interop-ts-v2', version: '1.0.0' },
            { capabilities: {}, versionNegotiation: { mode: { pin: MODERN } } }
        );
        client.onerror = err => {
            if (clientClosed) return;
            clientErrors.push(err);
            events.notify();
        };
        client.setNotificationHandler('notifications/tools/list_changed', notification => {
            listChanged.push(notification.params ?? {});
            events.notify();
        });
        const transport = new StreamableHTTPClientTransport(heartline.mcpUrl, { fetch: wire.fetch });
        try {
            await withDeadline(client.connect(transport), 10_000, `the v2 client to connect to ${heartline.mcpUrl} pinned to ${MODERN}`);
        } catch (err) {
            throw new Error(`expected the v2 client to connect pinned to ${MODERN}: ${errorText(err)}${diagnostics()}`);
        }
    });

    after(async () => {
        if (client && !clientClosed) {
            clientClosed = true;
            await withDeadline(client.close(), 5_000, 'client.close()').catch(() => {});
        }
        heartline?.kill();
    });

    test('(a) connect: server/discover, no initialize, 2026-07-28 negotiated', { timeout: TEST_TIMEOUT_MS }, async () => {
        assert.equal(client.getNegotiatedProtocolVersion(), MODERN, `expected the client to have negotiated ${MODERN}${diagnostics()}`);
        assert.equal(client.getProtocolEra(), 'modern', `expected the modern era${diagnostics()}`);

        const posts = wire.posts();
        assert.ok(posts.length >= 1, `expected at least one POST while connecting${diagnostics()}`);
        assert.equal(posts[0].body?.method, 'server/discover', `expected the first message to be server/discover${diagnostics()}`);
        assert.equal(posts[0].status, 200, `expected server/discover to be answered 200${diagnostics()}`);
        assert.deepEqual(wire.requests('initialize'), [], `expected no initialize request on a 2026-07-28 connection${diagnostics()}`);

        const discover = client.getDiscoverResult();
        assert.ok(discover, 'expected the client to keep the server/discover result');
        assert.ok(
            (discover.supportedVersions ?? []).includes(MODERN),
            `expected server/discover to offer ${MODERN}, got ${JSON.stringify(discover)}`
        );
        assert.equal(client.getServerVersion()?.name, 'heartline', `expected serverInfo.name "heartline", got ${JSON.stringify(discover)}`);
        const caps = client.getServerCapabilities();
        assert.equal(caps?.tools?.listChanged, true, `expected capabilities.tools.listChanged, got ${JSON.stringify(caps)}`);
    });

    test('(b) tools/list returns the built-in tools', { timeout: TEST_TIMEOUT_MS }, async () => {
        const list = await client.listTools(undefined, { cacheMode: 'bypass' });
        const names = toolNames(list);
        for (const name of ['echo', 'sleep', 'now']) {
            const tool = list.tools.find(t => t.name === name);
            assert.ok(tool, `expected tools/list to contain "${name}", got ${JSON.stringify(names)}`);
            assert.equal(tool.inputSchema?.type, 'object', `expected tool "${name}" inputSchema.type "object", got ${JSON.stringify(tool.inputSchema)}`);
        }
        const result = await client.callTool({ name: 'echo', arguments: { message: 'héllo ✓ 世界' } });
        assert.deepEqual(result.content, [{ type: 'text', text: 'héllo ✓ 世界' }], `expected echo to return its text, got ${JSON.stringify(result)}`);
    });

    test('(c) sleep streams progress notifications on its own response stream before the result', { timeout: TEST_TIMEOUT_MS }, async () => {
        const from = wire.mark();
        const progress = [];
        const result = await client.callTool({ name: 'sleep', arguments: { ms: 1200, progressEveryMs: 250 } }, {
            timeout: 15_000,
            onprogress: p => progress.push(p)
        });
        const beforeResult = progress.length;
        assert.ok(!result.isError, `expected sleep to succeed, got ${JSON.stringify(result)}`);
        assert.equal(textOf(result), 'Slept 1200 ms.', `expected "Slept 1200 ms.", got ${JSON.stringify(result.content)}`);
        assert.ok(
            beforeResult >= 3,
            `expected at least 3 notifications/progress before the result (1200 ms every 250 ms), got ${beforeResult}: ${JSON.stringify(progress)}`
        );
        for (let i = 1; i < progress.length; ++i) {
            assert.ok(progress[i].progress > progress[i - 1].progress, `expected increasing progress, got ${JSON.stringify(progress)}`);
        }
        const [call] = wire.requests('tools/call', from);
        assert.ok(call, `expected a tools/call POST${wire.dump(from)}`);
        assert.ok(call.body.params?._meta?.progressToken !== undefined, `expected the call to carry a progressToken${wire.dump(from)}`);
        assert.match(String(call.contentType), /^text\/event-stream\b/, `expected the progress to come on an SSE response to the POST${wire.dump(from)}`);
    });

    test('(d) resources: heartline://about, the tool template, and -32602 for an unknown resource', { timeout: TEST_TIMEOUT_MS }, async () => {
        await checkAboutResource(client);
        await checkToolTemplate(client, (await client.listTools(undefined, { cacheMode: 'bypass' })).tools);
        const from = wire.mark();
        await checkUnknownResource(client, -32602); // 2026-07-28 reports an unknown resource as invalid params
        // The SDK turns a -32002 into -32602 for its caller, so look at what the server really sent.
        const [read] = wire.requests('resources/read', from);
        assert.equal(
            read?.responseBody?.error?.code,
            -32602,
            `expected the server to answer the unknown resource with -32602 (never -32002 in 2026-07-28)${wire.dump(from)}`
        );
    });

    test('(e) prompts: try_tool, and completion of its argument', { timeout: TEST_TIMEOUT_MS }, async () => {
        await checkTryToolPrompt(client);
        await checkCompletion(client);
    });

    test('(f) subscriptions/listen: heartbeats while idle, tools/list_changed when a tool is switched off and on', { timeout: TEST_TIMEOUT_MS }, async () => {
        const from = wire.mark();
        const subscription = await withDeadline(
            client.listen({ toolsListChanged: true }, { timeout: 5_000 }),
            10_000,
            'the subscriptions/listen acknowledgement'
        );
        let echoDisabled = false;
        try {
            assert.equal(subscription.honoredFilter?.toolsListChanged, true, `expected the server to honour toolsListChanged, got ${JSON.stringify(subscription.honoredFilter)}`);
            const [listen] = wire.requests('subscriptions/listen', from);
            assert.ok(listen, `expected a subscriptions/listen POST${wire.dump(from)}`);
            assert.equal(listen.status, 200, `expected subscriptions/listen to be answered 200${wire.dump(from)}`);
            assert.match(String(listen.contentType), /^text\/event-stream\b/, `expected the listen answer to be an SSE stream${wire.dump(from)}`);
            // The idle listen stream is kept alive by heartbeat comments, and the client takes no
            // offence: more than the opening comment must arrive while nothing else happens.
            await wire.changed.waitFor(
                () => listen.sseComments >= 2,
                20 * HEARTBEAT_MS + 2_000,
                `a heartbeat comment on the idle subscriptions/listen stream (heartbeat every ${HEARTBEAT_MS} ms)`,
                () => wire.dump(from)
            );

            const beforeDisable = listChanged.length;
            echoDisabled = true;
            await heartline.ctl('tools', 'disable', 'echo');
            await events.waitFor(
                () => listChanged.length > beforeDisable,
                5_000,
                "notifications/tools/list_changed on the listen stream after 'heartline ctl tools disable echo'",
                diagnostics
            );
            assert.equal(
                listChanged[beforeDisable]?._meta?.[META_SUBSCRIPTION_ID],
                listen.body.id,
                `expected the notification to carry the listen request's id as ${META_SUBSCRIPTION_ID}, got ${JSON.stringify(listChanged[beforeDisable])}`
            );
            const listed = toolNames(await client.listTools(undefined, { cacheMode: 'bypass' }));
            assert.ok(!listed.includes('echo'), `expected "echo" to be gone from tools/list, got ${JSON.stringify(listed)}`);

            const beforeEnable = listChanged.length;
            await heartline.ctl('tools', 'enable', 'echo');
            echoDisabled = false;
            await events.waitFor(
                () => listChanged.length > beforeEnable,
                5_000,
                "notifications/tools/list_changed after 'heartline ctl tools enable echo'",
                diagnostics
            );
            const relisted = toolNames(await client.listTools(undefined, { cacheMode: 'bypass' }));
            assert.ok(relisted.includes('echo'), `expected "echo" to be listed again, got ${JSON.stringify(relisted)}`);
        } finally {
            if (echoDisabled) await heartline.ctl('tools', 'enable', 'echo').catch(() => {});
            await subscription.close();
        }
        assert.equal(await withDeadline(subscription.closed, 5_000, 'the subscription to close'), 'local');
    });

    test('(g) on the wire: every POST spoke 2026-07-28, with no session and no GET stream', { timeout: TEST_TIMEOUT_MS }, async () => {
        const exchanges = wire.exchanges;
        assert.deepEqual(
            exchanges.filter(e => e.method !== 'POST').map(e => `${e.method} ${e.url}`),
            [],
            `expected only POSTs (2026-07-28 has no GET stream and no DELETE)${diagnostics()}`
        );
        const methods = new Set();
        for (const e of exchanges) {
            const what = `${e.body?.method ?? JSON.stringify(e.body)}`;
            assert.equal(e.headers['mcp-protocol-version'], MODERN, `expected MCP-Protocol-Version: ${MODERN} on the POST of ${what}${wire.dump()}`);
            assert.equal(e.headers['mcp-session-id'], undefined, `expected no Mcp-Session-Id on the POST of ${what}${wire.dump()}`);
            assert.equal(e.responseHeaders?.['mcp-session-id'], undefined, `expected the server to assign no session (${what})${wire.dump()}`);
            if (e.body?.id === undefined) {
                // Only notifications/cancelled, when the subscription was closed: accepted, no body.
                assert.equal(e.status, 202, `expected the notification ${what} to be accepted with 202${wire.dump()}`);
                continue;
            }
            methods.add(e.body.method);
            assert.equal(e.headers['mcp-method'], e.body.method, `expected Mcp-Method to mirror the body's method ${what}${wire.dump()}`);
            assert.equal(e.body.params?._meta?.[META_VERSION], MODERN, `expected _meta["${META_VERSION}"] = ${MODERN} in ${what}${wire.dump()}`);
            assert.equal(
                e.body.params?._meta?.[META_CLIENT_INFO]?.name,
                'heartline-interop-ts-v2',
                `expected _meta["${META_CLIENT_INFO}"] in ${what}${wire.dump()}`
            );
            const name = { 'tools/call': e.body.params?.name, 'prompts/get': e.body.params?.name, 'resources/read': e.body.params?.uri }[e.body.method];
            if (name !== undefined) assert.equal(e.headers['mcp-name'], name, `expected Mcp-Name: ${name} on ${what}${wire.dump()}`);
            if (e.body.method === 'resources/read' && e.body.params?.uri === UNKNOWN_RESOURCE) {
                // 2026-07-28 fixes 400 for malformed requests and leaves the status of other -32602
                // errors open; either way the client got the JSON-RPC error (test (d)).
                assert.ok([200, 400].includes(e.status), `expected 200 or 400 for the unknown resource, got ${e.status}${wire.dump()}`);
                continue;
            }
            assert.equal(e.status, 200, `expected ${what} to be answered 200, got ${e.status}${wire.dump()}`);
        }
        for (const method of ['server/discover', 'tools/list', 'tools/call', 'resources/read', 'prompts/get', 'completion/complete', 'subscriptions/listen']) {
            assert.ok(methods.has(method), `expected the client to have sent ${method}, sent ${JSON.stringify([...methods])}`);
        }
        assert.ok(!methods.has('initialize'), 'expected no initialize');
        assert.deepEqual(clientErrors.map(errorText), [], `expected no client errors${diagnostics()}`);
    });

    test('(h) close the client; SIGTERM exits 0', { timeout: TEST_TIMEOUT_MS }, async () => {
        clientClosed = true;
        await withDeadline(client.close(), 5_000, 'client.close()');
        const { code } = await heartline.stop({ timeoutMs: 10_000 });
        assert.equal(code, 0, 'expected heartline to exit with status 0 after SIGTERM');
    });
});
