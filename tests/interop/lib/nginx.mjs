// Helper for the proxy test: runs a real nginx (Debian package) as a child process on loopback, in
// front of a Heartline instance, with its configuration from ../nginx/nginx.conf.template and all
// its files in a fresh temp dir.
//
//   const proxy = await startNginx({ upstreamPort: heartline.port, readTimeout: '3s' });
//   proxy.url, proxy.port, proxy.dir
//   proxy.errorLog()             // text of its error.log, for failure messages
//   await proxy.stop();          // SIGTERM (fast shutdown), SIGKILL after a deadline; removes the dir
//
// nginx is guarded like heartline (SIGKILLed on exit, interrupt, or by a watchdog when the test
// process itself dies), and runs with `master_process off` so that kill leaves no worker behind.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guardChild, terminate } from './heartline.mjs';

const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), '..', 'nginx', 'nginx.conf.template');
const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

/** Path of the nginx binary (NGINX_BIN, /usr/sbin/nginx, ..., or on PATH). Throws if there is none. */
export function findNginx() {
    const tried = [];
    const executable = path => {
        tried.push(path);
        try {
            accessSync(path, fsConstants.X_OK);
            return true;
        } catch {
            return false;
        }
    };
    if (process.env.NGINX_BIN) {
        if (executable(process.env.NGINX_BIN)) return process.env.NGINX_BIN;
        throw new Error(`NGINX_BIN=${process.env.NGINX_BIN} is not an executable file.`);
    }
    for (const path of CANDIDATES) if (executable(path)) return path;
    for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
        const path = join(dir, 'nginx');
        if (executable(path)) return path;
    }
    throw new Error(
        `nginx is required by the proxy test but was not found (tried ${tried.join(', ')}). ` +
            `Install the Debian package (installer/setup-debian.sh --test installs nginx-light), or set NGINX_BIN.`
    );
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** Temp-path directives for the modules this nginx was built with (absent ones would be a config error). */
function optionalTempPaths(bin, dir) {
    // `nginx -V` prints its configure arguments on stderr.
    const version = spawnSync(bin, ['-V'], { encoding: 'utf8', timeout: 5_000 });
    const configure = `${version.stdout ?? ''}${version.stderr ?? ''}`;
    return ['fastcgi', 'uwsgi', 'scgi']
        .filter(module => !configure.includes(`--without-http_${module}_module`))
        .map(module => `${module}_temp_path ${dir}/${module}_temp;`)
        .join('\n    ');
}

function readText(path) {
    try {
        return readFileSync(path, 'utf8');
    } catch {
        return '';
    }
}

export class NginxProcess {
    constructor(bin, dir, port, child) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.url = `http://127.0.0.1:${port}`;
        this.child = child;
        this.output = '';
        this.exitCode = undefined;
        this.exitSignal = undefined;
        this.exited = new Promise(resolve => {
            child.once('exit', (code, signal) => {
                this.exitCode = code;
                this.exitSignal = signal;
                resolve({ code, signal });
            });
        });
        const keep = chunk => {
            this.output = (this.output + chunk).slice(-16 * 1024);
        };
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
    }

    get running() {
        return this.exitCode === undefined && this.exitSignal === undefined;
    }

    errorLog() {
        return readText(join(this.dir, 'error.log'));
    }

    diagnostics() {
        const section = (label, text) => {
            const body = String(text).trimEnd();
            return body ? `\n--- ${label} ---\n${body.slice(-8000)}\n--- end ${label} ---` : `\n(${label}: empty)`;
        };
        return section('nginx error.log', this.errorLog()) + section('nginx stdout/stderr', this.output);
    }

    kill() {
        if (this.running) {
            try {
                this.child.kill('SIGKILL');
            } catch {
                // already gone
            }
        }
    }

    /** SIGTERM (nginx: fast shutdown), SIGKILL if it has not exited after timeoutMs; then removes its dir. */
    async stop({ timeoutMs = 5_000, keepDir = false } = {}) {
        if (this.running) {
            await terminate(this.child, this.exited, timeoutMs);
        }
        if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * Writes the config for a proxy to 127.0.0.1:upstreamPort, starts nginx, and resolves once it
 * answers GET /healthz (proxied to Heartline) with 200. Rejects with nginx's error log if it exits,
 * cannot bind, or is not ready within startTimeoutMs. A port lost to a race is retried.
 */
export async function startNginx({ upstreamPort, readTimeout = '3s', sendTimeout = '3s', startTimeoutMs = 10_000, attempts = 3 }) {
    const bin = findNginx();
    const template = readFileSync(TEMPLATE, 'utf8');
    let lastError;
    for (let attempt = 1; attempt <= attempts; ++attempt) {
        const dir = mkdtempSync(join(tmpdir(), 'heartline-nginx-'));
        const port = await freePort();
        const config = template
            .replaceAll('@DIR@', dir)
            .replaceAll('@OPTIONAL_TEMP_PATHS@', optionalTempPaths(bin, dir))
            .replaceAll('@HEARTLINE_PORT@', String(upstreamPort))
            .replaceAll('@LISTEN_PORT@', String(port))
            .replaceAll('@READ_TIMEOUT@', readTimeout)
            .replaceAll('@SEND_TIMEOUT@', sendTimeout);
        const leftover = config
            .split('\n')
            .filter(line => !line.trimStart().startsWith('#'))
            .join('\n')
            .match(/@[A-Z_]+@/);
        if (leftover) {
            rmSync(dir, { recursive: true, force: true });
            throw new Error(`nginx.conf.template has a placeholder the test does not fill: ${leftover[0]}`);
        }
        writeFileSync(join(dir, 'nginx.conf'), config);

        const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'];
        const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        guardChild(child);
        const nginx = new NginxProcess(bin, dir, port, child);
        const spawnError = new Promise(resolve => child.once('error', err => resolve(err)));

        try {
            await waitReady(nginx, spawnError, startTimeoutMs);
            return nginx;
        } catch (err) {
            nginx.kill();
            await Promise.race([nginx.exited, new Promise(r => setTimeout(r, 1000))]);
            lastError = new Error(`${err.message} (command: ${bin} ${args.join(' ')})${nginx.diagnostics()}`);
            const raced = /Address already in use/.test(nginx.errorLog() + nginx.output);
            rmSync(dir, { recursive: true, force: true });
            if (!raced) throw lastError;
        }
    }
    throw lastError;
}

async function waitReady(nginx, spawnError, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no attempt yet';
    while (Date.now() < deadline) {
        if (!nginx.running) throw new Error(`nginx exited (status ${nginx.exitCode}, signal ${nginx.exitSignal}) before it was ready`);
        const failed = await Promise.race([spawnError, Promise.resolve(undefined)]);
        if (failed) throw new Error(`could not start nginx: ${failed.message}`);
        try {
            const response = await fetch(`${nginx.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
            await response.arrayBuffer();
            if (response.status === 200) return;
            last = `GET /healthz through nginx answered ${response.status}`;
        } catch (err) {
            last = `GET /healthz through nginx failed: ${err.cause?.code ?? err.message}`;
        }
        // Poll again shortly; the deadline above bounds the whole wait.
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    throw new Error(`nginx was not ready within ${timeoutMs} ms (${last})`);
}
