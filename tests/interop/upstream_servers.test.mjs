// Real MCP servers from npm as Heartline's upstreams (issue 11), with the official TypeScript SDK v1
// client downstream over Streamable HTTP. One Heartline serves four upstreams from a temp config:
//
//   everything  server-everything over stdio (node .../dist/index.js): tools with their schemas as
//               the server lists them, a call, progress under the client's own token with
//               heartbeats on the call's stream, sampling and elicitation answered by the calling
//               client, logging with the server's name as logger, resources and templates read,
//               a subscription whose resources/updated reaches the subscribed session only,
//               prompts got with arguments, completion for a prompt argument and a template;
//   remote      server-everything in its Streamable HTTP mode, started here on a free port, as a
//               {"type": "http", "url"} upstream: listed and called;
//   files       server-filesystem on a temp folder: read_file, list_directory, a path outside
//               the folder refused with the server's own tool error;
//   memory      server-memory: entities created by one session are read by another (one process).
//
// Last, Heartline is stopped with SIGTERM and /proc must show nothing left of the process group of
// any child it started.
//
// Every upstream runs from tests/interop/node_modules (`npm ci`), never through npx.
//
// Run from ctest (tests/interop/CMakeLists.txt, label "interop"), or by hand:
//   cd tests/interop && npm ci && HEARTLINE_BIN=../../build/app/heartline node --test upstream_servers.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { guardChild, startHeartline, terminate } from './lib/heartline.mjs';
import { freePort } from './lib/nginx.mjs';
import { Condition, JsonLog, errorText, loadSdk, requireHeartlineBin, textOf, withDeadline } from './lib/common.mjs';

const HEARTLINE_BIN = requireHeartlineBin();
const { Client, StreamableHTTPClientTransport, ToolListChangedNotificationSchema, ResourceUpdatedNotificationSchema } =
    await loadSdk();
const { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } = await import(
    '@modelcontextprotocol/sdk/types.js'
);

const HEARTBEAT_MS = 200;
// Four node servers start beside Heartline on a shared machine: generous, it only bounds failures.
const READY_MS = 60_000;
const CALL_MS = 30_000;

const require = createRequire(import.meta.url);

/** The script a package's bin runs (its package.json "bin"), so the upstream is `node <script>`. */
function binScript(pkg) {
    const manifestPath = require.resolve(`${pkg}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0];
    const script = join(dirname(manifestPath), bin);
    if (!existsSync(script)) throw new Error(`${pkg}: its bin ${script} is missing; run 'npm ci' in tests/interop`);
    return script;
}

const EVERYTHING = binScript('@modelcontextprotocol/server-everything');
const FILESYSTEM = binScript('@modelcontextprotocol/server-filesystem');
const MEMORY = binScript('@modelcontextprotocol/server-memory');

/** /proc/PID/stat fields after the command name: [state, ppid, pgrp, ...]. Undefined when gone. */
function procStat(pid) {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
        return undefined;
    }
}

function cmdline(pid) {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
        return '';
    }
}

function livingPids() {
    return readdirSync('/proc')
        .filter(name => /^\d+$/.test(name))
        .map(Number)
        .filter(pid => {
            const stat = procStat(pid);
            return stat !== undefined && stat[0] !== 'Z';
        });
}

/** Living processes whose parent is `ppid`: {pid, pgrp, cmdline}. */
function childrenOf(ppid) {
    return livingPids()
        .map(pid => ({ pid, stat: procStat(pid) }))
        .filter(p => p.stat && Number(p.stat[1]) === ppid)
        .map(p => ({ pid: p.pid, pgrp: Number(p.stat[2]), cmdline: cmdline(p.pid) }));
}

/** Living processes in any of the process groups `groups`. */
function inGroups(groups) {
    return livingPids()
        .map(pid => ({ pid, stat: procStat(pid) }))
        .filter(p => p.stat && groups.has(Number(p.stat[2])))
        .map(p => ({ pid: p.pid, pgrp: Number(p.stat[2]), cmdline: cmdline(p.pid) }));
}

/** server-everything in its Streamable HTTP mode on a free port, run by the test (not Heartline). */
async function startRemoteEverything() {
    const port = await freePort();
    const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe']
    });
    guardChild(child);
    let output = '';
    const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
    const listening = new Promise((resolve, reject) => {
        const keep = chunk => {
            output = (output + chunk).slice(-16 * 1024);
            if (output.includes(`listening on port ${port}`)) resolve();
        };
        child.stdout.setEncoding('utf8').on('data', keep);
        child.stderr.setEncoding('utf8').on('data', keep);
        exited.then(({ code, signal }) => reject(new Error(`server-everything (streamableHttp) exited (${code ?? signal}):\n${output}`)));
        child.once('error', reject);
    });
    await withDeadline(listening, READY_MS, `server-everything to listen on port ${port} in Streamable HTTP mode`);
    return {
        pid: child.pid,
        url: `http://127.0.0.1:${port}/mcp`,
        output: () => output,
        stop: () => terminate(child, exited, 5_000)
    };
}

let clientSerial = 0;

/**
 * An SDK v1 client over Streamable HTTP that can sample and elicit; every notification it gets is
 * recorded, and `changed` is notified on each, so a test waits on behaviour, never on time.
 */
async function connectClient(url, { sampling, elicitation } = {}) {
    const name = `heartline-upstream-test-${++clientSerial}`;
    const client = new Client({ name, version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
    const seen = { updated: [], logs: [], toolListChanged: 0, samplingRequests: [], elicitationRequests: [] };
    const changed = new Condition();
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, n => {
        seen.updated.push(n.params.uri);
        changed.notify();
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, n => {
        seen.logs.push(n.params);
        changed.notify();
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        ++seen.toolListChanged;
        changed.notify();
    });
    client.setRequestHandler(CreateMessageRequestSchema, request => {
        seen.samplingRequests.push(request.params);
        if (!sampling) throw new Error(`${name} was not expecting sampling`);
        return sampling(request.params);
    });
    client.setRequestHandler(ElicitRequestSchema, request => {
        seen.elicitationRequests.push(request.params);
        if (!elicitation) throw new Error(`${name} was not expecting elicitation`);
        return elicitation(request.params);
    });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await withDeadline(client.connect(transport), 10_000, `${name} to connect to ${url}`);
    return { client, seen, changed, sessionId: transport.sessionId, close: () => withDeadline(client.close(), 5_000, 'client.close()').catch(() => {}) };
}

/** Resolves with tools/list once every name in `names` is in it (re-listed on each list_changed). */
async function waitForTools(c, names, what) {
    let last = [];
    const has = async () => {
        last = (await c.client.listTools()).tools;
        return names.every(n => last.some(t => t.name === n));
    };
    if (await has()) return last;
    const deadline = Date.now() + READY_MS;
    // Heartline sends list_changed as each upstream's tools are published: re-list on each one.
    while (Date.now() < deadline) {
        const seenSoFar = c.seen.toolListChanged;
        await c.changed
            .waitFor(() => c.seen.toolListChanged > seenSoFar, deadline - Date.now(), `tools/list_changed while waiting for ${what}`)
            .catch(() => {});
        if (await has()) return last;
    }
    throw new Error(`timed out after ${READY_MS} ms waiting for ${what}: ${names.join(', ')}; tools/list has ${last.map(t => t.name).join(', ')}`);
}

function call(c, name, args = {}, options = {}) {
    return c.client.callTool({ name, arguments: args }, undefined, { timeout: CALL_MS, ...options });
}

describe('real MCP servers from npm as upstreams of Heartline', () => {
    let dir;
    let remote;
    let heartline;
    let log;
    let a; // the first downstream client
    let b; // a second session, for what must not leak between sessions and what must be shared
    const direct = {}; // server-everything's own listing, taken straight from the remote instance

    const diagnostics = () =>
        (log ? log.dump(0, 60, e => e.event !== 'message_in' && e.event !== 'message_out' && e.event !== 'heartbeat') : '') +
        (heartline ? heartline.diagnostics() : '');

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'heartline-upstreams-'));
        mkdirSync(join(dir, 'files'));
        writeFileSync(join(dir, 'files', 'note.txt'), 'written by the upstream test\n');
        writeFileSync(join(dir, 'outside.txt'), 'not for the filesystem server\n');
        remote = await startRemoteEverything();

        // What server-everything lists to a client with Heartline's capabilities, straight from it.
        const probe = new Client({ name: 'direct-probe', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {}, roots: {} } });
        await withDeadline(probe.connect(new StreamableHTTPClientTransport(new URL(remote.url))), 10_000, 'a direct client to connect to server-everything');
        direct.tools = (await probe.listTools()).tools;
        await probe.close();

        const config = {
            heartbeatMs: HEARTBEAT_MS,
            mcpServers: {
                everything: { command: process.execPath, args: [EVERYTHING] },
                remote: { type: 'http', url: remote.url },
                files: { command: process.execPath, args: [FILESYSTEM, join(dir, 'files')] },
                memory: { command: process.execPath, args: [MEMORY], env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } }
            }
        };
        writeFileSync(join(dir, 'heartline.json'), JSON.stringify(config, null, 2));
        heartline = await startHeartline(HEARTLINE_BIN, ['--headless', '--port', '0', '--config', join(dir, 'heartline.json'), '--log-format', 'json']);
        log = new JsonLog(heartline);
        a = await connectClient(heartline.mcpUrl);
        b = await connectClient(heartline.mcpUrl);
        await waitForTools(
            a,
            ['everything__echo', 'everything__trigger-sampling-request', 'everything__trigger-elicitation-request', 'remote__echo', 'files__read_file', 'memory__read_graph'],
            'every upstream to be published'
        ).catch(err => {
            throw new Error(`${err.message}${diagnostics()}`);
        });
    });

    after(async () => {
        for (const c of [a, b]) if (c) await c.close();
        heartline?.kill();
        if (remote) await remote.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe('server-everything over stdio', () => {
        test('its tools are listed as everything__<tool> with title, description, schemas and annotations unchanged', async () => {
            const listed = (await a.client.listTools()).tools.filter(t => t.name.startsWith('everything__'));
            assert.deepEqual(
                listed.map(t => t.name.slice('everything__'.length)).sort(),
                direct.tools.map(t => t.name).sort(),
                'expected exactly the tools server-everything lists itself, each under everything__'
            );
            for (const original of direct.tools) {
                const exposed = listed.find(t => t.name === `everything__${original.name}`);
                const { name: _a, ...rest } = exposed;
                // `execution.taskSupport` is left out on purpose: Heartline does not run tasks, so
                // it must not tell its clients that a task-augmented call would work.
                const { name: _b, execution: _c, ...expected } = original;
                assert.deepEqual(rest, expected, `expected everything__${original.name} to carry the upstream's own definition`);
            }
        });

        test('a call is answered by the upstream', async () => {
            const echo = await call(a, 'everything__echo', { message: 'through Heartline' });
            assert.equal(textOf(echo), 'Echo: through Heartline', JSON.stringify(echo));
            const sum = await call(a, 'everything__get-sum', { a: 19, b: 23 });
            assert.match(textOf(sum), /\b42\b/, JSON.stringify(sum));
        });

        test('a long-running operation reports progress under the caller token, with heartbeats on its stream', async t => {
            const from = log.mark();
            const progress = [];
            const result = await call(a, 'everything__trigger-long-running-operation', { duration: 3, steps: 3 }, {
                onprogress: p => progress.push(p),
                timeout: CALL_MS
            });
            assert.match(textOf(result), /Long running operation completed/, JSON.stringify(result));
            // The SDK routes progress to onprogress only under the token it sent itself, so three
            // arrivals prove Heartline mapped its own upstream token back to the client's.
            assert.deepEqual(
                progress.map(p => [p.progress, p.total]),
                [
                    [1, 3],
                    [2, 3],
                    [3, 3]
                ],
                `expected the upstream's three progress steps at onprogress${diagnostics()}`
            );
            const stream = log.find(e => e.event === 'stream_opened' && e.session === a.sessionId && e.kind === 'post', from)[0];
            assert.ok(stream, `expected the call's POST to be answered on an SSE stream${log.dump(from)}`);
            const beats = log.find(e => e.event === 'heartbeat' && e.stream === stream.stream, from);
            t.diagnostic(`${beats.length} heartbeats on stream ${stream.stream}`);
            // 3 s with one second between progress events and a 200 ms heartbeat: the quiet gaps beat.
            assert.ok(beats.length >= 3, `expected heartbeats on the call's stream between progress events, got ${beats.length}${log.dump(from)}`);
        });

        test('sampling asked by the upstream is answered by the calling client', async () => {
            a.seen.samplingRequests.length = 0;
            const answer = { model: 'heartline-test-model', role: 'assistant', content: { type: 'text', text: 'sampled by the caller' } };
            const c = await connectClient(heartline.mcpUrl, { sampling: () => answer });
            try {
                const result = await call(c, 'everything__trigger-sampling-request', { prompt: 'three words please', maxTokens: 20 });
                assert.equal(c.seen.samplingRequests.length, 1, `expected one sampling/createMessage at the caller${diagnostics()}`);
                assert.match(JSON.stringify(c.seen.samplingRequests[0].messages), /three words please/);
                assert.match(textOf(result), /sampled by the caller/, JSON.stringify(result));
                assert.match(textOf(result), /heartline-test-model/, JSON.stringify(result));
                assert.equal(a.seen.samplingRequests.length + b.seen.samplingRequests.length, 0, 'only the caller is asked');
            } finally {
                await c.close();
            }
        });

        test('elicitation asked by the upstream is answered by the calling client', async () => {
            const c = await connectClient(heartline.mcpUrl, { elicitation: () => ({ action: 'accept', content: { name: 'Ada Lovelace', check: true } }) });
            try {
                const result = await call(c, 'everything__trigger-elicitation-request');
                assert.equal(c.seen.elicitationRequests.length, 1, `expected one elicitation/create at the caller${diagnostics()}`);
                assert.ok(c.seen.elicitationRequests[0].requestedSchema?.properties?.name, JSON.stringify(c.seen.elicitationRequests[0]));
                assert.match(textOf(result), /Name: Ada Lovelace/, JSON.stringify(result));
                assert.match(textOf(result), /Agreed to terms: true/, JSON.stringify(result));
            } finally {
                await c.close();
            }
        });

        test("the upstream's log messages during a call reach the caller with the server's name as logger", async () => {
            await a.client.setLoggingLevel('debug');
            a.seen.logs.length = 0;
            b.seen.logs.length = 0;
            try {
                const result = await call(a, 'everything__toggle-simulated-logging');
                assert.match(textOf(result), /Started simulated/, JSON.stringify(result));
                await a.changed.waitFor(() => a.seen.logs.length > 0, CALL_MS, 'a notifications/message at the caller', () => diagnostics());
                const message = a.seen.logs[0];
                assert.ok(message.logger === 'everything' || message.logger.startsWith('everything/'), `logger: ${JSON.stringify(message)}`);
                // Its messages read "Info-level message", "Alert level-message" (sic), ...
                assert.match(String(message.data), /level[- ]message/i, JSON.stringify(message));
                assert.deepEqual(b.seen.logs, [], 'a session that made no call gets none of it');
            } finally {
                // Off again, so its timer does not talk into later calls.
                const off = await call(a, 'everything__toggle-simulated-logging');
                assert.match(textOf(off), /Stopped simulated/, JSON.stringify(off));
            }
        });

        test('resources and templates are listed and read', async () => {
            const resources = (await a.client.listResources()).resources;
            const doc = resources.find(r => r.uri === 'demo://resource/static/document/features.md');
            assert.ok(doc, `expected server-everything's static documents, got ${resources.map(r => r.uri).join(', ')}`);
            const read = await a.client.readResource({ uri: doc.uri });
            assert.equal(read.contents[0].uri, doc.uri);
            assert.ok(read.contents[0].text.length > 100, JSON.stringify(read).slice(0, 300));

            const templates = (await a.client.listResourceTemplates()).resourceTemplates.map(t => t.uriTemplate);
            assert.ok(templates.includes('demo://resource/dynamic/text/{resourceId}'), templates.join(', '));
            const dynamic = await a.client.readResource({ uri: 'demo://resource/dynamic/text/7' });
            assert.equal(dynamic.contents[0].uri, 'demo://resource/dynamic/text/7', JSON.stringify(dynamic));
            assert.match(dynamic.contents[0].text, /\b7\b/, JSON.stringify(dynamic));
        });

        test('resources/updated reaches the subscribed session only', async () => {
            const uriA = 'demo://resource/static/document/features.md';
            const uriB = 'demo://resource/static/document/architecture.md';
            a.seen.updated.length = 0;
            b.seen.updated.length = 0;
            await a.client.subscribeResource({ uri: uriA });
            await b.client.subscribeResource({ uri: uriB });
            // server-everything sends updates of every subscribed URI once at the toggle, then every 5 s.
            const on = await call(a, 'everything__toggle-subscriber-updates');
            try {
                assert.match(textOf(on), /Started simulated resource updated/, JSON.stringify(on));
                const what = () => `\na got ${JSON.stringify(a.seen.updated)}, b got ${JSON.stringify(b.seen.updated)}${diagnostics()}`;
                await a.changed.waitFor(() => a.seen.updated.includes(uriA), CALL_MS, `resources/updated for ${uriA} at a`, what);
                await b.changed.waitFor(() => b.seen.updated.includes(uriB), CALL_MS, `resources/updated for ${uriB} at b`, what);
                assert.ok(!a.seen.updated.includes(uriB), `a is not subscribed to ${uriB}${what()}`);
                assert.ok(!b.seen.updated.includes(uriA), `b is not subscribed to ${uriA}${what()}`);
            } finally {
                const off = await call(a, 'everything__toggle-subscriber-updates');
                assert.match(textOf(off), /Stopped simulated resource updates/, JSON.stringify(off));
                await a.client.unsubscribeResource({ uri: uriA });
                await b.client.unsubscribeResource({ uri: uriB });
            }
        });

        test('prompts are listed as everything__<prompt> and got with arguments', async () => {
            const prompts = (await a.client.listPrompts()).prompts;
            const args = prompts.find(p => p.name === 'everything__args-prompt');
            assert.ok(args, `expected everything__args-prompt, got ${prompts.map(p => p.name).join(', ')}`);
            assert.deepEqual(args.arguments.map(x => x.name), ['city', 'state']);
            const got = await a.client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon', state: 'Rhone' } });
            assert.equal(got.messages[0].content.text, "What's weather in Lyon, Rhone?", JSON.stringify(got));
        });

        test('completion/complete reaches the owner of a prompt and of a template', async () => {
            const prompt = await a.client.complete({
                ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
                argument: { name: 'department', value: 'Eng' }
            });
            assert.deepEqual(prompt.completion.values, ['Engineering'], JSON.stringify(prompt));
            const template = await a.client.complete({
                ref: { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' },
                argument: { name: 'resourceId', value: '12' }
            });
            assert.deepEqual(template.completion.values, ['12'], JSON.stringify(template));
        });
    });

    describe('server-everything over Streamable HTTP as a remote upstream', () => {
        test('its tools are listed as remote__<tool> and a call is answered', async () => {
            const listed = (await a.client.listTools()).tools.filter(t => t.name.startsWith('remote__'));
            assert.deepEqual(listed.map(t => t.name.slice('remote__'.length)).sort(), direct.tools.map(t => t.name).sort());
            const echo = await call(a, 'remote__echo', { message: 'over http' });
            assert.equal(textOf(echo), 'Echo: over http', JSON.stringify(echo));
            assert.match(remote.output(), /Received MCP POST request/, 'the call went to the remote server');
        });
    });

    describe('server-filesystem on a temp folder', () => {
        test('read_file reads a file the test wrote and list_directory lists the folder', async () => {
            const read = await call(a, 'files__read_file', { path: join(dir, 'files', 'note.txt') });
            assert.ok(!read.isError, JSON.stringify(read));
            assert.equal(textOf(read), 'written by the upstream test\n');
            const list = await call(a, 'files__list_directory', { path: join(dir, 'files') });
            assert.match(textOf(list), /\[FILE\] note\.txt/, JSON.stringify(list));
        });

        test("a path outside the folder is refused with the server's own tool error", async () => {
            const outside = await call(a, 'files__read_file', { path: join(dir, 'outside.txt') });
            assert.equal(outside.isError, true, JSON.stringify(outside));
            assert.match(textOf(outside), /Access denied - path outside allowed directories/, JSON.stringify(outside));
            assert.doesNotMatch(textOf(outside), /not for the filesystem server/);
        });
    });

    describe('server-memory', () => {
        test('entities created by one session are read by another: one shared process', async () => {
            const created = await call(a, 'memory__create_entities', {
                entities: [{ name: 'Heartline', entityType: 'program', observations: ['hosts upstream MCP servers'] }]
            });
            assert.ok(!created.isError, JSON.stringify(created));
            const graph = await call(b, 'memory__read_graph');
            assert.ok(!graph.isError, JSON.stringify(graph));
            const text = textOf(graph) || JSON.stringify(graph.structuredContent);
            assert.match(text, /"name":\s*"Heartline"/, `b should see a's entity: ${JSON.stringify(graph)}`);
            assert.match(text, /hosts upstream MCP servers/);
        });
    });

    describe('stopping Heartline', () => {
        test('SIGTERM leaves no process of any upstream it started', async () => {
            const children = childrenOf(heartline.child.pid);
            const everything = children.filter(c => c.cmdline.includes(EVERYTHING));
            assert.equal(everything.length, 1, `expected one server-everything child of Heartline, got ${JSON.stringify(children)}`);
            assert.ok(children.some(c => c.cmdline.includes(FILESYSTEM)), JSON.stringify(children));
            assert.ok(children.some(c => c.cmdline.includes(MEMORY)), JSON.stringify(children));
            const groups = new Set(children.map(c => c.pgrp));
            assert.ok(!groups.has(heartline.child.pid), `each child runs in its own process group: ${JSON.stringify(children)}`);

            for (const c of [a, b]) await c.close();
            a = b = undefined;
            await heartline.stop({ timeoutMs: 15_000 });
            const left = inGroups(groups).concat(children.filter(c => procStat(c.pid) && procStat(c.pid)[0] !== 'Z'));
            assert.deepEqual(left, [], `expected nothing left of the upstreams' process groups after SIGTERM${diagnostics()}`);
            assert.ok(procStat(remote.pid), 'the remote server, not Heartline\'s child, is still running');
        });
    });
});
