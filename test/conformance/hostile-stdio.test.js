// A guest attacking its own stdio and the host process: file calls on fds 0-2 (truncate, allocate, sync, seek...),
// socket calls on them, closing and renumbering them, and proc_raise. On the Node host stdio are entries of the
// host's fd table, so every call is answered with an errno and the host's own fds, files and process are
// untouched. wasmtime keeps its fds and files too, but answers differently per call (below), and traps the guest
// on proc_raise ("proc_raise unsupported").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, CLI, FIXTURES, startGuest, wat, withTimeout } from '../host/helpers.js';
import { toFile } from '../host/fixtures.js';
import { HOSTS, LATEST } from './hosts.js';
import { cliHost } from './cli-host.js';

const BADF = 8, NOTDIR = 54, NOTSOCK = 57, NOTSUP = 58, SPIPE = 70, NOSYS = 52;
/** errno per call of hostile-stdio.wat: set_size(1), set_size(2), allocate, advise, sync, datasync, set_times,
 *  seek, tell, pwrite, readdir, prestat_get, sock_recv(0), sock_send(1), sock_shutdown(2), sock_accept(1), fd_read(1). */
const EXPECTED = {
  node: [NOTSUP, NOTSUP, NOTSUP, SPIPE, NOTSUP, NOTSUP, NOTSUP, SPIPE, SPIPE, SPIPE, NOTDIR, BADF, NOTSOCK, NOTSOCK, NOTSOCK, NOTSOCK, BADF],
  // wasmtime: BADF where the stdio handle lacks the right, sync/datasync/set_times succeed on the real file.
  wasmtime: [BADF, BADF, NOTSUP, BADF, 0, 0, 0, SPIPE, SPIPE, SPIPE, BADF, BADF, BADF, BADF, BADF, BADF, BADF],
  // wasmtime >= 47 (the fixture as a core module): BADF for every file call but the seeks, NOTSOCK for sock_*.
  [LATEST]: [BADF, BADF, BADF, BADF, BADF, BADF, BADF, SPIPE, SPIPE, SPIPE, BADF, BADF, NOTSOCK, NOTSOCK, NOTSOCK, NOTSOCK, BADF],
};

/** A guest that calls proc_raise(sig) and exits with what it answered. */
const raiser = (sig) => wat(`(module
  (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (call $raise (i32.const ${sig})))))`);

/** A guest writing to stdout until a write fails; exits with that errno. */
const spammer = () => wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "spam spam spam\\n")
  (func (export "_start") (local $r i32)
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 15))
    (loop $again
      (local.set $r (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $again (i32.eqz (local.get $r))))
    (call $exit (local.get $r))))`);

/** Runs the embedder fixture with its stdout appended to `outFile`; resolves with its exit code and stderr. */
function runEmbedder(host, modules, outFile) {
  const { name, env } = cliHost(host);
  return new Promise((resolve, reject) => {
    const out = openSync(outFile, 'a');
    const child = spawn(process.execPath, [join(FIXTURES, 'embedder.mjs'), ...modules], {
      env: { ...process.env, ...env, WASMUX_TEST_HOST: name }, stdio: ['ignore', out, 'pipe'],
    });
    closeSync(out);
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`embedder hung; stderr: ${stderr}`)); }, 20000);
    child.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, stderr }); });
  });
}

// wasmtime >= 47 runs these guests as core modules (no listener).
for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] every file and socket call on the guest's stdio is answered with an errno`, async () => {
    const g = await startGuest({ module: wat('hostile-stdio'), host });
    const code = await withTimeout(g.exited, 10000, 'guest exit');
    assert.is(g.error ?? null, null);
    const got = [...Buffer.from(g.stderr.text(), 'latin1')].slice(0, EXPECTED[host].length);
    assert.equal(got, EXPECTED[host]);
    assert.is(code, BADF, 'fd 1 is gone after the guest closed it: its last write answers BADF');
    assert.is(g.stdout.text(), '', 'nothing reached stdout after the guest closed it');
  });

  test(`[${host}] proc_raise never signals the host process`, async () => {
    for (const sig of [9, 11, 15, 19]) {
      const g = await startGuest({ module: raiser(sig), host });
      const code = await withTimeout(g.exited, 10000, `guest raising ${sig}`);
      if (host === 'node') assert.is(code, NOSYS, `proc_raise(${sig}) answers NOSYS`);
      else if (host === LATEST) assert.is(code, NOTSUP, `proc_raise(${sig}) answers NOTSUP`);
      else assert.match(g.stderr.text(), /guest trapped: .*proc_raise unsupported/);
    }
    assert.ok(true, 'this process is still running');
  });

  test(`[${host}] an embedding program survives a guest that raises signals, closes, renumbers and truncates its stdio`, async () => {
    const outFile = join(BUILD, `embedder-${host}.out`);
    toFile(`embedder-${host}.out`, 'precious\n');
    const modules = [toFile('hostile-stdio.wasm', wat('hostile-stdio')), toFile('raise9.wasm', raiser(9)), toFile('raise19.wasm', raiser(19))];
    const r = await runEmbedder(host, modules, outFile);
    assert.is(r.signal, null, `embedder killed by ${r.signal}; stderr: ${r.stderr}`);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /embedder: codes=\S+ fds unchanged$/m);
    assert.is(readFileSync(outFile, 'utf8'), 'precious\nembedder stdout alive\n', 'the stdout file kept its bytes');
  });
}

for (const host of [...HOSTS, LATEST]) {
  const { name, env } = cliHost(host);
  test(`[${host}] a guest writing to a stdout whose reader has gone gets an error and exits with it (the CLI buffers nothing)`, async () => {
    const module = toFile('spam.wasm', spammer());
    const code = await withTimeout(new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, 'run', '--host', name, module], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
      child.stdout.once('data', () => child.stdout.destroy()); // the reader goes away after the first bytes
      child.on('close', resolve);
    }), 20000, 'CLI exit');
    // wasmtime >= 47 writes stdout through a WASI 0.2 stream, whose failure preview1 can only call IO (29).
    // Node gives a child's stdio a socket pair, not a pipe: a write after the reader went away with bytes still
    // unread is ECONNRESET rather than EPIPE, and wasmtime 36 passes the guest the errno it got (CONNRESET, 15);
    // the Node host answers PIPE for both.
    if (host === LATEST) assert.is(code, 29, 'the guest saw IO and exited with it');
    else if (host === 'wasmtime') assert.ok(code === 64 || code === 15, `the guest saw PIPE or CONNRESET and exited with it (${code})`);
    else assert.is(code, 64, 'the guest saw PIPE and exited with it');
  });
}

test('[node] a guest truncating its stdout through the CLI leaves the operator\'s file intact', async () => {
  const outFile = join(BUILD, 'cli-stdout.out');
  writeFileSync(outFile, 'precious\n');
  const module = toFile('hostile-stdio.wasm', wat('hostile-stdio'));
  const code = await new Promise((resolve) => {
    const out = openSync(outFile, 'a');
    const child = spawn(process.execPath, [CLI, 'run', module], { stdio: ['ignore', out, 'ignore'] });
    closeSync(out);
    child.on('close', resolve);
  });
  assert.is(code, BADF);
  assert.is(readFileSync(outFile, 'utf8'), 'precious\n');
});

test.run();
