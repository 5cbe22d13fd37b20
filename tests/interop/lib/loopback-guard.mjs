// Preloaded (node --import) into a third-party client under test, e.g. the MCP Inspector CLI, to
// prove it stays on this machine: every outgoing TCP connection and every child process it starts
// is written, one JSON object per line, to the file named by HEARTLINE_GUARD_LOG. Connections to
// anything but a loopback address, and child processes other than Node itself, are refused as
// well as recorded, so a client that tries to reach the internet or open a browser cannot do it
// from a test run, and the test sees that it tried.
//
// NODE_OPTIONS carries the --import on to the Node children the client spawns (the Inspector's
// launcher runs its CLI in a second process), so they are guarded and recorded too.

import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const LOG = process.env.HEARTLINE_GUARD_LOG;

function record(entry) {
    if (!LOG) return;
    try {
        appendFileSync(LOG, JSON.stringify({ pid: process.pid, ...entry }) + '\n');
    } catch {
        // the test reads the file; losing a line here shows up as a missing record there
    }
}

function isLoopbackHost(host) {
    if (host === undefined || host === null || host === '') return true; // Node's default is localhost
    const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
    return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

// net.Socket.prototype.connect(options | port, host | path, ...); Node's own callers pass the
// already normalised [options, callback] array.
function connectTarget(args) {
    let first = args[0];
    if (Array.isArray(first)) first = first[0];
    if (first && typeof first === 'object') {
        return typeof first.path === 'string' && first.path !== '' ? { path: first.path } : { host: first.host, port: first.port };
    }
    if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
    return { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
    const target = connectTarget(args);
    if (target.path !== undefined) {
        record({ kind: 'connect', path: String(target.path), allowed: true });
        return originalConnect.apply(this, args);
    }
    const allowed = isLoopbackHost(target.host);
    record({ kind: 'connect', host: target.host ?? 'localhost', port: Number(target.port), allowed });
    if (allowed) return originalConnect.apply(this, args);
    const error = new Error(`interop test guard: refused a connection to ${target.host}:${target.port} (only loopback is allowed)`);
    error.code = 'EHEARTLINEGUARD';
    process.nextTick(() => this.destroy(error));
    return this;
};

function isNodeExecutable(file) {
    const base = path.basename(String(file));
    return file === process.execPath || base === 'node' || base === 'node.exe';
}

// Every asynchronous child process (spawn, exec, execFile, fork) goes through ChildProcess#spawn.
const ChildProcess = childProcess.ChildProcess;
const originalSpawn = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function guardedSpawn(options) {
    const file = options?.file;
    const args = options?.args ?? [];
    const allowed = isNodeExecutable(file);
    record({ kind: 'spawn', file, args, allowed });
    if (!allowed) {
        const error = new Error(`interop test guard: refused to start ${file} (only node may be started)`);
        error.code = 'EHEARTLINEGUARD';
        throw error;
    }
    return originalSpawn.call(this, options);
};

// The synchronous variants take another path; refuse them outright (the clients under test have
// no business running anything synchronously) and record the attempt.
for (const name of ['spawnSync', 'execSync', 'execFileSync']) {
    const original = childProcess[name];
    childProcess[name] = function guardedSync(file, ...rest) {
        const allowed = name !== 'execSync' && isNodeExecutable(file);
        record({ kind: 'spawn', file, args: Array.isArray(rest[0]) ? rest[0] : [], sync: true, allowed });
        if (!allowed) {
            const error = new Error(`interop test guard: refused ${name}(${file})`);
            error.code = 'EHEARTLINEGUARD';
            throw error;
        }
        return original.call(this, file, ...rest);
    };
}
syncBuiltinESMExports();

record({ kind: 'loaded', argv: process.argv.slice(1) });
