// Real MCP clients for tests/ui/take_screenshots.sh: a few sessions over Streamable HTTP and one
// over legacy SSE, calls in flight (one of them a long call forwarded to server-everything),
// one session deleted and one stream dropped, so the window has rows, heartbeats, traffic and
// disconnects to show. Prints "ready" once all that is done and keeps the remaining clients
// connected until it is terminated.
//
// Usage: node screenshot_clients.mjs MCP_URL SSE_URL  (the pinned SDK from tests/interop)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const interop = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop');
const require = createRequire(join(interop, 'package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js');

const [mcpUrl, sseUrl] = process.argv.slice(2);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(name, version, transport) {
    const client = new Client({ name, version }, { capabilities: {} });
    await client.connect(transport);
    return { client, transport };
}

const streamable = (name, version) =>
    connect(name, version, new StreamableHTTPClientTransport(new URL(mcpUrl)));

const editor = await streamable('code-assistant', '2.4.1');
const notebook = await streamable('research-notebook', '0.9.0');
const legacy = await connect('legacy-sse-client', '1.0.3', new SSEClientTransport(new URL(sseUrl)));
const shortLived = await streamable('one-shot-script', '0.1.0');
const dropped = await streamable('flaky-laptop', '3.1.0');

for (const { client } of [editor, notebook, legacy, shortLived, dropped]) await client.listTools();
await editor.client.callTool({ name: 'echo', arguments: { message: 'hello from the editor' } });
await notebook.client.callTool({ name: 'now', arguments: {} });
await legacy.client.callTool({ name: 'echo', arguments: { message: 'legacy transport still works' } });

// A session that ends properly (DELETE) and one whose connection just goes away.
await shortLived.transport.terminateSession();
await shortLived.client.close();
await dropped.client.close();

// Long calls in flight while the picture is taken: their streams carry progress and heartbeats.
const long = (client, ms) =>
    client
        .callTool({ name: 'sleep', arguments: { ms, progressEveryMs: 1500 } }, undefined, {
            onprogress: () => {},
            timeout: ms + 60_000
        })
        .catch(() => {});
long(editor.client, 120_000);
await pause(400);
// A long upstream call: server-everything's operation with progress, once its tools are served.
const longUpstream = 'everything__trigger-long-running-operation';
for (let i = 0; i < 150; ++i) {
    const { tools } = await notebook.client.listTools();
    if (tools.some((tool) => tool.name === longUpstream)) break;
    await pause(200);
}
notebook.client
    .callTool({ name: longUpstream, arguments: { duration: 120, steps: 60 } }, undefined, {
        onprogress: () => {},
        timeout: 180_000
    })
    .catch(() => {});
await pause(400);
long(notebook.client, 120_000);
await pause(800);
await editor.client.callTool({ name: 'echo', arguments: { message: 'still here' } });

process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
setInterval(() => notebook.client.ping().catch(() => {}), 4000);
