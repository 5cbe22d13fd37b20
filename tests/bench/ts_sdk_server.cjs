// The official TypeScript SDK's server (@modelcontextprotocol/sdk, pinned in
// tests/interop/package.json) set up as its documentation shows for Streamable HTTP with
// sessions: one McpServer and StreamableHTTPServerTransport per session, on node:http. It is
// what heartline_scale_bench measures Heartline against, with the same harness. Not part of
// Heartline; the bench starts it.
//
// Given the same surface as `heartline --headless` for the bench: an `echo` tool, the first
// stdout line `listening: http://127.0.0.1:PORT`, a heartbeat comment (`: heartbeat N`) on
// every open GET stream each --heartbeat-ms (the SDK has none; a user who needs them writes
// this), and POST /toggle, which switches `echo` off or on in every session so that each
// client is sent notifications/tools/list_changed (Heartline: `heartline ctl tools disable`).
//
//   node tests/bench/ts_sdk_server.cjs [--port N] [--heartbeat-ms MS]
'use strict';

const path = require('node:path');
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { createRequire } = require('node:module');

const interop = createRequire(path.resolve(__dirname, '../interop/package.json'));
const { McpServer } = interop('@modelcontextprotocol/sdk/server/mcp.js');
const { StreamableHTTPServerTransport } = interop(
  '@modelcontextprotocol/sdk/server/streamableHttp.js',
);
const { isInitializeRequest } = interop('@modelcontextprotocol/sdk/types.js');
const { z } = interop('zod');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const port = option('--port', 0);
const heartbeatMs = option('--heartbeat-ms', 15000);

const sessions = new Map(); // session id -> { transport, server, echo }
const streams = new Set(); // open GET responses

function newSession() {
  const server = new McpServer({ name: 'ts-sdk-bench', version: '1.0.0' });
  const echo = server.registerTool(
    'echo',
    { description: 'Echoes its message', inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => sessions.set(id, { transport, server, echo }),
  });
  transport.onclose = () => {
    if (transport.sessionId) sessions.delete(transport.sessionId);
  };
  return { server, transport };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let enabled = true;
const httpServer = http.createServer(async (req, res) => {
  try {
    if (req.url === '/toggle' && req.method === 'POST') {
      enabled = !enabled;
      for (const { echo } of sessions.values()) enabled ? echo.enable() : echo.disable();
      res.writeHead(200).end(enabled ? 'enabled\n' : 'disabled\n');
      return;
    }
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const id = req.headers['mcp-session-id'];
    if (req.method === 'POST') {
      const body = JSON.parse(await readBody(req));
      let entry = id ? sessions.get(id) : undefined;
      if (!entry && !id && isInitializeRequest(body)) {
        const created = newSession();
        await created.server.connect(created.transport);
        await created.transport.handleRequest(req, res, body);
        return;
      }
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      await entry.transport.handleRequest(req, res, body);
      return;
    }
    const entry = id ? sessions.get(id) : undefined;
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'GET') {
      streams.add(res);
      res.on('close', () => streams.delete(res));
    }
    await entry.transport.handleRequest(req, res);
  } catch (error) {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
});
// As Heartline: thousands of clients on one machine.
httpServer.maxConnections = 100000;
httpServer.keepAliveTimeout = 0;
httpServer.requestTimeout = 0;
httpServer.headersTimeout = 0;

let beat = 0;
if (heartbeatMs > 0) {
  setInterval(() => {
    ++beat;
    for (const res of streams) res.write(`: heartbeat ${beat}\n\n`);
  }, heartbeatMs);
}

httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening: http://127.0.0.1:${httpServer.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
