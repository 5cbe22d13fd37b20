// Shared pieces of the interop tests: preconditions that fail loudly, the SDK loaded with a helpful
// error, deadline helpers (never fixed sleeps as synchronisation), and a reader for Heartline's
// `--log-format json` output.

import { accessSync, constants as fsConstants, statSync } from 'node:fs';

/** HEARTLINE_BIN from the environment, checked to be an executable file. Throws with what to do. */
export function requireHeartlineBin() {
    const bin = process.env.HEARTLINE_BIN;
    if (!bin) {
        throw new Error(
            'HEARTLINE_BIN is not set. Run this test through ctest (ctest -L interop), or set ' +
                'HEARTLINE_BIN=/path/to/build/app/heartline.'
        );
    }
    try {
        if (!statSync(bin).isFile()) throw new Error('not a regular file');
        accessSync(bin, fsConstants.X_OK);
    } catch (err) {
        throw new Error(`HEARTLINE_BIN=${bin} is not an executable file (${err.message}). Build the 'heartline' target first.`);
    }
    return bin;
}

/** The SDK modules the tests use, or an error that says to run `npm ci`. */
export async function loadSdk() {
    try {
        const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
        const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
        const { McpError, ToolListChangedNotificationSchema, ResourceUpdatedNotificationSchema } = await import(
            '@modelcontextprotocol/sdk/types.js'
        );
        return {
            Client,
            StreamableHTTPClientTransport,
            SSEClientTransport,
            McpError,
            ToolListChangedNotificationSchema,
            ResourceUpdatedNotificationSchema
        };
    } catch (err) {
        throw new Error(
            `Cannot load @modelcontextprotocol/sdk (${err.message}). Run 'npm ci' in tests/interop ` +
                '(it installs the exact SDK version pinned in package-lock.json).'
        );
    }
}

export function withDeadline(promise, ms, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
        })
    ]).finally(() => clearTimeout(timer));
}

/** Resolves once predicate() is true; rechecked whenever notify() is called. Rejects at the deadline. */
export class Condition {
    constructor() {
        this.waiters = new Set();
    }
    notify() {
        for (const waiter of [...this.waiters]) waiter();
    }
    waitFor(predicate, ms, what, details = () => '') {
        if (predicate()) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const check = () => {
                if (!predicate()) return;
                cleanup();
                resolve();
            };
            const timer = setTimeout(() => {
                cleanup();
                reject(new Error(`timed out after ${ms} ms waiting for ${what}${details()}`));
            }, ms);
            const cleanup = () => {
                clearTimeout(timer);
                this.waiters.delete(check);
            };
            this.waiters.add(check);
        });
    }
}

/**
 * How a promise ended, without throwing: {status: 'resolved', value, ms} or {status: 'rejected',
 * error, ms}, where ms is the time from `startedAt` (Date.now()) to the settlement.
 */
export function settle(promise, startedAt = Date.now()) {
    return promise.then(
        value => ({ status: 'resolved', value, ms: Date.now() - startedAt }),
        error => ({ status: 'rejected', error, ms: Date.now() - startedAt })
    );
}

export function toolNames(listResult) {
    return listResult.tools.map(tool => tool.name).sort();
}

export function textOf(result) {
    return (result?.content ?? [])
        .filter(block => block.type === 'text')
        .map(block => block.text)
        .join('');
}

export function errorText(err) {
    if (err === undefined) return 'undefined';
    const code = err?.code !== undefined ? ` (code ${err.code})` : '';
    return `${err?.message ?? String(err)}${code}`;
}

/**
 * Every JSON object Heartline prints on stdout with `--log-format json`, one per line, parsed as it
 * arrives. `entries` holds them in order; waitFor() re-checks a predicate on each new line.
 */
export class JsonLog {
    constructor(heartline) {
        this.heartline = heartline;
        this.entries = [];
        this.changed = new Condition();
        this.pending = '';
        // Lines already read by startHeartline (after the `listening:` line) are in its capture; from
        // here on every chunk also comes to us. Both happen on the same tick, so nothing is lost.
        this.feed(heartline.stdout.toString());
        heartline.child.stdout.on('data', chunk => this.feed(chunk));
    }

    feed(chunk) {
        this.pending += chunk;
        let newline;
        let added = false;
        while ((newline = this.pending.indexOf('\n')) >= 0) {
            const line = this.pending.slice(0, newline).trim();
            this.pending = this.pending.slice(newline + 1);
            if (!line.startsWith('{')) continue;
            try {
                this.entries.push(JSON.parse(line));
                added = true;
            } catch {
                // not a log object; ignore
            }
        }
        if (added) this.changed.notify();
    }

    /** Index to pass as `from` to only look at what is logged after this moment. */
    mark() {
        return this.entries.length;
    }

    find(predicate, from = 0) {
        return this.entries.slice(from).filter(predicate);
    }

    /** Resolves with the first entry (at index >= from) matching predicate; rejects at the deadline. */
    async waitFor(predicate, ms, what, { from = 0, details = () => '' } = {}) {
        let found;
        await this.changed.waitFor(
            () => {
                found = this.entries.slice(from).find(predicate);
                return found !== undefined;
            },
            ms,
            what,
            details
        );
        return found;
    }

    /** The entries from index `from` as text, for failure messages (the last `limit` of them). */
    dump(from = 0, limit = 60, filter = () => true) {
        const shown = this.entries.slice(from).filter(filter);
        const tail = shown.slice(-limit);
        const skipped = shown.length - tail.length;
        return (
            `\n--- heartline JSON log${skipped ? ` (last ${tail.length} of ${shown.length})` : ''} ---\n` +
            tail.map(e => JSON.stringify(e)).join('\n') +
            '\n--- end heartline JSON log ---'
        );
    }
}
