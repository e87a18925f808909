// The CLI on both hosts: the same bad-input lines, exit codes, listener lines and signal handling, whichever
// runtime runs the guest; then what only the wasmtime runner has to say (where wasmtime is, which version).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, CLI, buildC, runCli, echoOnce, wat, withTimeout, oneLine, portOf } from '../host/helpers.js';
import { sleeper, trapper, noStart, toFile } from '../host/fixtures.js';
import { HOSTS, waitFor } from './hosts.js';

const echo = () => buildC('c-echo');
/** A valid module for the runs that fail before running it: needs no clang. */
const anyModule = () => toFile('exit0.wasm', sleeper(1, 0));

/** Starts the echo server through the CLI, waits for its listening line. */
function serve(host) {
  let resolvePort;
  const portP = new Promise((r) => { resolvePort = r; });
  let child;
  const result = runCli(['run', '--host', host, '--listen', '127.0.0.1:0', echo()], {
    timeout: 30000,
    onStderr: (text, c) => {
      child = c;
      const m = /^listening on 127\.0\.0\.1:(\d+) \(fd 3\)$/m.exec(text);
      if (m) resolvePort(Number(m[1]));
    },
  });
  return { portP, result, kill: (sig) => child.kill(sig) };
}

for (const host of HOSTS) {
  const run = (...args) => runCli(['run', '--host', host, ...args], { timeout: 30000 });

  test(`[${host}] missing module file, not Wasm, no _start: one line, exit 1`, async () => {
    oneLine(await run('no/such/file.wasm'), 1, /cannot read module 'no\/such\/file.wasm': no such file/);
    oneLine(await run(join(ROOT, 'package.json')), 1, /is not a WebAssembly module/);
    oneLine(await run(toFile('no-start.wasm', noStart())), 1, /has no _start export/);
  });

  test(`[${host}] malformed address: one line, exit 2`, async () => {
    oneLine(await run('--listen', 'localhost', anyModule()), 2, /malformed listen address 'localhost'/);
  });

  test(`[${host}] address in use: one line, exit 1`, async () => {
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', () => r(undefined)));
    const port = portOf(blocker);
    try {
      oneLine(await run('--listen', `127.0.0.1:${port}`, anyModule()), 1, new RegExp(`cannot listen on 127.0.0.1:${port}: address already in use`));
    } finally {
      blocker.close();
    }
  });

  test(`[${host}] an example server without a listener says how to run it and exits 2`, async () => {
    const r = await run(join(ROOT, 'build', 'echo.wasm'));
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /^echo: no listener \(expected fd 3 or LISTEN_FDS\); run it under `wasmux run --listen HOST:PORT`$/m);
  });

  test(`[${host}] the guest's exit code becomes the process's`, async () => {
    const r = await run(toFile('exit7.wasm', sleeper(1, 7)));
    assert.is(r.code, 7, r.stderr);
    assert.is(r.stderr, '');
  });

  test(`[${host}] a trap exits 134 with one line`, async () => {
    oneLine(await run(toFile('trap.wasm', trapper())), 134, /guest trapped: .*unreachable/);
  });

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    test(`[${host}] prints the listener line, serves, and ${sig} stops it with exit ${code}`, async () => {
      const s = serve(host);
      const port = await withTimeout(s.portP, 20000, 'listening line');
      assert.is((await echoOnce(port, Buffer.from('via cli'))).toString(), 'via cli');
      s.kill(sig);
      const r = await s.result;
      assert.is(r.code, code, r.stderr);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
}

/** A directory with a fake `wasmtime` that reports `version`, and an empty cache, so only it can be found. */
function fakeWasmtime(version) {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-fake-'));
  const bin = join(dir, 'wasmtime');
  writeFileSync(bin, `#!/bin/sh\necho "wasmtime ${version} (fake)"\n`);
  chmodSync(bin, 0o755);
  return { WASMTIME: bin, WASMUX_CACHE: join(dir, 'empty-cache') };
}

test('[wasmtime] a wasmtime of 47 or later, a listener and no component build: says which file is missing and how to build it', async () => {
  const r = await runCli(['run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', anyModule()], { env: fakeWasmtime('47.0.1') });
  oneLine(r, 1, /wasmtime 47\.0\.1 runs wasmux servers only as WASI 0\.2 components \(preview1 sockets were removed in 47\), and \S+component\/exit0\.wasm is missing: build it with npm run setup:components && npm run build:components, or install wasmtime 36\.0\.\d+ with npm run setup:wasmtime/);
});

test('[wasmtime] no wasmtime anywhere: says where it looked and how to install it', async () => {
  const env = { WASMUX_CACHE: join(tmpdir(), 'wasmux-no-cache'), WASMTIME: '', PATH: '/nonexistent' };
  const r = await runCli(['run', '--host', 'wasmtime', anyModule()], { env });
  oneLine(r, 1, /wasmtime not found .*npm run setup:wasmtime/);
});

test('[wasmtime] wasmux killed with SIGKILL takes its wasmtime down with it (no orphan holding the port)', async () => {
  // stdout ignored: an orphaned wasmtime would inherit it and keep this test process alive.
  const cli = spawn(process.execPath, [CLI, 'run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', echo()], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  cli.stderr.on('data', (d) => { err += d; });
  const port = Number((await waitFor(() => err, /listening on 127\.0\.0\.1:(\d+)/, 20000, 'listening line'))[1]);
  cli.kill('SIGKILL');
  let refused = false;
  for (let i = 0; i < 50 && !refused; i++) {
    refused = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => { c.destroy(); resolve(false); });
      c.once('error', () => resolve(true));
    });
    if (!refused) await new Promise((r) => setTimeout(r, 100));
  }
  if (!refused) killByCmdline(`tcplisten=127.0.0.1:${port}`); // leave no orphan behind a failure
  assert.ok(refused, `127.0.0.1:${port} still accepts connections 5 s after wasmux was killed`);
});

/** Kills the processes whose command line contains `needle` (Linux /proc). */
function killByCmdline(needle) {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone meanwhile */ }
  }
}

test('[wasmtime] --wait is a Node host option: usage error', async () => {
  oneLine(await runCli(['run', '--host', 'wasmtime', '--wait', 'asyncify', anyModule()]), 2, /--wait applies to the Node host only/);
});

test('[wasmtime] a module importing WASIX sockets: one line naming the host to use instead', async () => {
  const wasix = toFile('wasix-import.wasm', wat(`(module
    (import "wasix_32v1" "sock_open" (func (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start")))`));
  oneLine(await runCli(['run', '--host', 'wasmtime', wasix]), 1, /imports wasix_32v1\.sock_open .*run it with --host node/);
});

test('unknown --host: usage error', async () => {
  oneLine(await runCli(['run', '--host', 'bogus', anyModule()]), 2, /unknown --host 'bogus'/);
});

test.run();
