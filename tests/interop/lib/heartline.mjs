// Helper for interop tests: runs the real Heartline binary as a child process.
//
//   const hl = await startHeartline(bin, ['--headless', '--port', '0', '--heartbeat-ms', '200']);
//   hl.url, hl.port, hl.mcpUrl
//   await hl.ctl('tools', 'disable', 'echo');   // heartline ctl --port PORT tools disable echo
//   await hl.stop();                             // SIGTERM, asserts exit status 0
//   hl.kill();                                   // SIGKILL if still running (cleanup on failure)
//
// Every server started here is SIGKILLed when the test process exits or is interrupted, and a tiny
// watchdog process kills it even if the test process itself is SIGKILLed (or dies on EPIPE after
// `node --test`'s runner went away), so a failing or aborted test never leaves a server running.

import { spawn, execFile } from 'node:child_process';

const LISTENING_RE = /^listening: (http:\/\/127\.0\.0\.1:(\d+))$/;
const MAX_CAPTURE = 64 * 1024;

// Runs as `node -e WATCHDOG PID` with its stdin piped from the test process: when that pipe closes
// (the test process is gone, however it died) it SIGKILLs PID. Killed itself once the server exits.
const WATCHDOG = `
const pid = Number(process.argv[1]);
const fire = () => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); };
process.stdin.on('end', fire);
process.stdin.on('error', fire);
process.stdin.resume();
`;

function startWatchdog(child) {
    if (!child.pid) return;
    const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(child.pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.on('error', () => {}); // best effort: the in-process cleanup below still applies
    watchdog.unref();
    watchdog.stdin.on('error', () => {});
    watchdog.stdin.unref?.();
    child.once('exit', () => watchdog.kill('SIGKILL'));
}

const liveChildren = new Set();
let cleanupInstalled = false;

function installCleanup() {
    if (cleanupInstalled) return;
    cleanupInstalled = true;
    const killAll = () => {
        for (const child of liveChildren) {
            try {
                child.kill('SIGKILL');
            } catch {
                // already gone
            }
        }
        liveChildren.clear();
    };
    process.on('exit', killAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
        process.once(signal, () => {
            killAll();
            process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
        });
    }
}

/**
 * Puts any other child process (nginx in the proxy test) under the same guard as heartline: SIGKILLed
 * when the test process exits or is interrupted, and by a watchdog if the test process is SIGKILLed.
 */
export function guardChild(child) {
    installCleanup();
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    startWatchdog(child);
}

/**
 * Sends SIGTERM and waits up to timeoutMs for `exited` (the child's exit promise); SIGKILLs and
 * waits again if it has not come. Resolves true when the SIGKILL was needed.
 */
export async function terminate(child, exited, timeoutMs) {
    child.kill('SIGTERM');
    let timer;
    const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise(resolve => {
            timer = setTimeout(() => resolve(true), timeoutMs);
        })
    ]);
    clearTimeout(timer);
    if (timedOut) {
        child.kill('SIGKILL');
        await exited;
    }
    return timedOut;
}

/** Keeps the last MAX_CAPTURE characters written to a stream. */
class Capture {
    constructor() {
        this.text = '';
    }
    append(chunk) {
        this.text += chunk;
        if (this.text.length > MAX_CAPTURE) this.text = this.text.slice(-MAX_CAPTURE);
    }
    toString() {
        return this.text;
    }
}

function describeExit(code, signal) {
    return signal ? `killed by ${signal}` : `exit status ${code}`;
}

function indent(label, text) {
    const body = String(text).trimEnd();
    return body ? `\n--- ${label} ---\n${body}\n--- end ${label} ---` : `\n(${label}: empty)`;
}

export class HeartlineProcess {
    constructor(bin, args, child) {
        this.bin = bin;
        this.args = args;
        this.child = child;
        this.stdout = new Capture();
        this.stderr = new Capture();
        this.url = undefined;
        this.port = undefined;
        this.mcpUrl = undefined;
        this.exitCode = undefined;
        this.exitSignal = undefined;
        this.exited = new Promise(resolve => {
            child.once('exit', (code, signal) => {
                this.exitCode = code;
                this.exitSignal = signal;
                liveChildren.delete(child);
                resolve({ code, signal });
            });
        });
    }

    get running() {
        return this.exitCode === undefined && this.exitSignal === undefined;
    }

    /** Captured output, for error messages. */
    diagnostics() {
        return indent('heartline stderr', this.stderr) + indent('heartline stdout (other than the listening line)', this.stdout);
    }

    /**
     * Runs `heartline ctl --port PORT ...args` against this instance. Resolves with {stdout, stderr}
     * when it exits 0; rejects with the command, its exit status and its output otherwise.
     */
    ctl(...args) {
        return runCtl(this.bin, this.port, args);
    }

    /**
     * Sends SIGTERM and waits for the exit. Rejects unless the exit status is 0; if the process has
     * not exited after timeoutMs it is SIGKILLed and the promise rejects.
     */
    async stop({ timeoutMs = 10_000 } = {}) {
        if (this.running) {
            const timedOut = await terminate(this.child, this.exited, timeoutMs);
            if (timedOut) {
                throw new Error(
                    `heartline did not exit within ${timeoutMs} ms after SIGTERM (expected a graceful shutdown); ` +
                        `it was SIGKILLed.${this.diagnostics()}`
                );
            }
        }
        if (this.exitCode !== 0) {
            throw new Error(
                `expected heartline to exit with status 0 after SIGTERM, got ${describeExit(this.exitCode, this.exitSignal)}` +
                    this.diagnostics()
            );
        }
        return { code: this.exitCode, signal: this.exitSignal };
    }

    /** SIGKILL if still running. Safe to call at any time (cleanup after a failure). */
    kill() {
        if (this.running) {
            try {
                this.child.kill('SIGKILL');
            } catch {
                // already gone
            }
        }
    }
}

/**
 * Starts `bin ...args` and resolves with a HeartlineProcess once the first stdout line
 * `listening: http://127.0.0.1:PORT` has been read. Rejects (and kills the child) if the process
 * cannot be started, exits first, prints something else first, or nothing arrives within
 * startTimeoutMs.
 */
export function startHeartline(bin, args, { startTimeoutMs = 10_000, env = process.env } = {}) {
    installCleanup();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    liveChildren.add(child);
    const hl = new HeartlineProcess(bin, args, child);
    startWatchdog(child);
    const commandLine = [bin, ...args].join(' ');

    return new Promise((resolve, reject) => {
        let settled = false;
        let pending = '';
        let firstLineSeen = false;

        const fail = message => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            hl.kill();
            // Give the pipes a moment to deliver the last stderr bytes before reporting.
            Promise.race([hl.exited, new Promise(r => setTimeout(r, 1000))]).then(() => {
                setTimeout(() => reject(new Error(`${message} (command: ${commandLine})${hl.diagnostics()}`)), 50);
            });
        };

        const timer = setTimeout(
            () => fail(`heartline printed no 'listening: http://127.0.0.1:PORT' line within ${startTimeoutMs} ms`),
            startTimeoutMs
        );

        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        // Keep draining both pipes for the whole life of the child so it never blocks on a full pipe.
        child.stderr.on('data', chunk => hl.stderr.append(chunk));
        child.stdout.on('data', chunk => {
            if (firstLineSeen) {
                hl.stdout.append(chunk);
                return;
            }
            pending += chunk;
            const newline = pending.indexOf('\n');
            if (newline < 0) return;
            firstLineSeen = true;
            const line = pending.slice(0, newline).replace(/\r$/, '');
            hl.stdout.append(pending.slice(newline + 1));
            const match = LISTENING_RE.exec(line);
            if (!match) {
                fail(`expected the first stdout line to be 'listening: http://127.0.0.1:PORT', got ${JSON.stringify(line)}`);
                return;
            }
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            hl.url = match[1];
            hl.port = Number(match[2]);
            hl.mcpUrl = new URL('/mcp', hl.url);
            resolve(hl);
        });

        child.once('error', err => fail(`could not start heartline: ${err.message}`));
        hl.exited.then(({ code, signal }) => {
            fail(`heartline exited (${describeExit(code, signal)}) before printing its 'listening:' line`);
        });
    });
}

/**
 * Runs `bin ctl --port PORT ...args` with a timeout. Resolves with {stdout, stderr} on exit status 0.
 */
export function runCtl(bin, port, args, { timeoutMs = 10_000 } = {}) {
    const fullArgs = ['ctl', '--port', String(port), ...args];
    const commandLine = [bin, ...fullArgs].join(' ');
    return new Promise((resolve, reject) => {
        execFile(bin, fullArgs, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (err, stdout, stderr) => {
            if (!err) {
                resolve({ stdout, stderr });
                return;
            }
            let why;
            if (err.killed) why = `did not finish within ${timeoutMs} ms and was killed`;
            else if (typeof err.code === 'number') why = `exited with status ${err.code} (expected 0)`;
            else if (err.signal) why = `was killed by ${err.signal}`;
            else why = `could not be run: ${err.message}`;
            reject(new Error(`'${commandLine}' ${why}${indent('ctl stdout', stdout)}${indent('ctl stderr', stderr)}`));
        });
    });
}
