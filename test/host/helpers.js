// Shared helpers for the host tests: build fixtures, start a guest through the embedding API, talk TCP, run the CLI.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import { PassThrough } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import * as assert from 'uvu/assert';
import { start } from '../../dist/host/index.js';
import { ChangeHub } from '../../dist/host/sockets/watchable.js';
import { TcpListener } from '../../dist/host/sockets/tcp-listener.js';
import { TcpStream } from '../../dist/host/sockets/tcp-stream.js';
import { installLine, lineError, needTool } from '../support/tools.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const BUILD = join(ROOT, 'build', 'test');
export const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');

/**
 * Compiles test/fixtures/NAME.c with clang for wasm32-wasi into build/test/NAME.wasm (when stale); returns the path.
 * Call it inside a test: without clang (even when the build is fresh) that test fails with one line naming it.
 */
export function buildC(name) {
  const clang = needTool('clang');
  const src = join(FIXTURES, `${name}.c`);
  const out = join(BUILD, `${name}.wasm`);
  mkdirSync(BUILD, { recursive: true });
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    try {
      execFileSync(clang, ['--target=wasm32-wasi', '-O2', '-o', out, src], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const why = String(e.stderr ?? e.message).split('\n').find((l) => /error/.test(l)) ?? e.message;
      throw lineError(`clang could not build ${name}.c for wasm32-wasi (it needs ${installLine('clang')}): ${why}`);
    }
  }
  return out;
}

/** Compiles a .wat text (a fixture name or inline text) to module bytes with binaryen. */
export function wat(nameOrText) {
  const text = nameOrText.includes('(module') ? nameOrText : readFileSync(join(FIXTURES, `${nameOrText}.wat`), 'utf8');
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
    if (!m.validate()) throw new Error('invalid wat');
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/**
 * A Writable that collects what is written; `.text()` returns it.
 * @returns {PassThrough & { text(): string }}
 */
function collector() {
  const chunks = [];
  const s = Object.assign(new PassThrough(), { text: () => Buffer.concat(chunks).toString() });
  s.on('data', (c) => chunks.push(c));
  return s;
}

/** The port a listening net or http server is bound to. */
export function portOf(server) {
  return /** @type {import('node:net').AddressInfo} */ (server.address()).port;
}

/** The current wasmtime that scripts/setup-components.sh installs (its path; it may not exist yet). */
export function latestWasmtime() {
  const pins = JSON.parse(readFileSync(join(ROOT, 'scripts', 'components.json'), 'utf8'));
  const cache = process.env.WASMUX_CACHE || join(homedir(), '.cache', 'wasmux');
  return join(cache, `wasmtime-${pins.wasmtime}`, 'bin', 'wasmtime');
}

/**
 * Starts a guest with collected stdout/stderr; `wait` defaults to WASMUX_TEST_WAIT when set.
 * host 'wasmtime-latest' is the wasmtime runner with the current wasmtime (it runs the component build).
 */
export async function startGuest(options) {
  const stdout = collector();
  const stderr = collector();
  if (options.host === 'wasmtime-latest') options = { ...options, host: 'wasmtime', wasmtime: latestWasmtime() };
  const wait = options.host === 'wasmtime' ? undefined : options.wait ?? (process.env.WASMUX_TEST_WAIT || undefined);
  const running = await start({ stdout, stderr, ...options, wait }).catch((e) => {
    // A missing wasmtime is a missing tool like clang: the test fails on wasmux's one line, without a stack.
    throw /^wasmtime not found/.test(e?.message) ? lineError(e.message) : e;
  });
  // The collectors deliver on the next tick: let them catch up before `exited` lets a test read them.
  const exited = running.exited.then((code) => new Promise((r) => setImmediate(() => r(code))));
  return Object.assign(running, { stdout, stderr, exited, port: running.addresses[0]?.port });
}

/** Rejects when `p` takes longer than `ms`, so a hang fails the test instead of stalling the suite. */
export function withTimeout(p, ms, what = 'operation') {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); }),
  ]);
}

/**
 * A ChangeHub (host/sockets/watchable.ts) whose raises can be awaited: `until(cond, what)` resolves once cond()
 * holds, checked at every raise, and fails after 10 s naming `what`.
 */
export function signalHub() {
  const hub = new ChangeHub();
  let waiters = [];
  hub.onRaise = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const until = async (cond, what) => {
    while (!cond()) await withTimeout(new Promise((r) => waiters.push(r)), 10000, what);
  };
  return { hub, until };
}

/**
 * A host listener on 127.0.0.1 with one connection accepted and wrapped in a non-blocking TcpStream, the peer's
 * socket, and `until` of the hub both raise; `close()` drops all three.
 */
export async function acceptedStream() {
  const { hub, until } = signalHub();
  const listener = await TcpListener.open('127.0.0.1', 0);
  listener.attach(hub);
  const peer = await connect(listener.port);
  await until(() => listener.backlog > 0, 'the connection to arrive');
  const socket = listener.take();
  const stream = new TcpStream(socket, true, hub);
  const close = () => { peer.destroy(); stream.destroy(); listener.close(); };
  return { listener, socket, stream, peer, until, close };
}

/** Connects to 127.0.0.1:port (or host). */
export function connect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `payload`, half-closes, and collects everything until the server closes; resolves with the bytes. */
export async function echoOnce(port, payload, { chunk = 65536 } = {}) {
  const s = await connect(port);
  s.setNoDelay(true);
  return new Promise((resolve, reject) => {
    const got = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('end', () => { s.end(); resolve(Buffer.concat(got)); });
    let off = 0;
    const pump = () => {
      while (off < payload.length) {
        const ok = s.write(payload.subarray(off, off + chunk));
        off += chunk;
        if (!ok) return s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
}

/** Reads until `n` bytes have arrived on socket `s`. */
export function readN(s, n) {
  return new Promise((resolve, reject) => {
    const got = [];
    let len = 0;
    const onData = (d) => {
      got.push(d);
      len += d.length;
      if (len >= n) { s.off('data', onData); s.off('error', reject); resolve(Buffer.concat(got)); }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
}

/**
 * Runs the CLI with args; resolves {code, signal, stdout, stderr}; kills it and rejects after `timeout` ms.
 * @param {string[]} args
 * @param {{ timeout?: number, env?: Record<string, string>, node?: string, onStderr?: (text: string, child: import('node:child_process').ChildProcess) => void }} [options]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>}
 */
export function runCli(args, { timeout = 10000, env, node = process.execPath, onStderr } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; onStderr?.(stderr, child); });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`wasmux ${args.join(' ')} hung (killed after ${timeout} ms); stderr: ${stderr}`)); }, timeout);
    child.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
  });
}

/** Deterministic pseudo-random bytes (so a failure can be reproduced). */
export function randomBytes(n, seed) {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Asserts a CLI run failed with exit `code` and exactly one `wasmux: ` line on stderr matching `pattern`. */
export function oneLine(r, code, pattern) {
  assert.is(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.ok(lines[0].startsWith('wasmux: '), lines[0]);
  assert.match(lines[0], pattern);
  assert.not.match(r.stderr, /\n\s+at |Stack backtrace/, 'no stack trace');
}
