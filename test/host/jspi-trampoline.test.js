// The JSPI trampolines (host/wait/jspi-trampoline.ts): a blocking import that answers at once costs a plain call
// and never suspends, one that answers a promise suspends the guest until it settles, and a guest whose imports
// do not fit the trampolines' signature still runs (on plain Suspending imports). The cases needing JSPI run under
// the pinned Node 24 (test/fixtures/jspi-trampoline-check.mjs); the module's bytes are checked here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trampolineBytes } from '../../dist/host/wait/jspi-trampoline.js';
import { ensureNode } from '../support/node-versions.js';
import { FIXTURES, oneLine, runCli, wat } from './helpers.js';

/** What the fixture saw for `which`, run under Node 24. */
function check(which) {
  const out = execFileSync(ensureNode(24), [join(FIXTURES, 'jspi-trampoline-check.mjs'), which], { encoding: 'utf8', timeout: 60000 });
  return JSON.parse(out.trim().split('\n').pop());
}

/** A module file in a fresh directory, from .wat text. */
function moduleFile(text) {
  const path = join(mkdtempSync(join(tmpdir(), 'wasmux-tramp-')), 'guest.wasm');
  writeFileSync(path, wat(text));
  return path;
}

test('a trampoline is a valid module for every arity a blocking import has (0 to 6)', () => {
  for (let n = 0; n <= 6; n++) assert.ok(WebAssembly.validate(trampolineBytes(n)), `arity ${n}`);
});

test('a trampoline of more than six parameters is refused with one line', () => {
  assert.throws(() => trampolineBytes(7), /^jspi trampoline: 7 parameters \(blocking imports take 0 to 6\)$/);
});

test('answers given at once never suspend the guest', () => {
  assert.equal(check('immediate'), { before: 100, sum: 5050, calls: 100 });
});

test('an answer given as a promise suspends the guest once and resumes it with the value', () => {
  assert.equal(check('promise'), { before: 3, sum: 5050 - 3 + 1000, calls: 100 });
});

test('a rejected promise ends _start with its error and nothing is called after it', () => {
  assert.equal(check('rejected'), { threw: 'stopped', calls: 4 });
});

test('the host\'s blocking imports under JSPI are trampolines of the import\'s arity', () => {
  assert.equal(check('imports'), {
    poll_oneoff: 'wasm/4', sock_accept: 'wasm/3', sock_recv: 'wasm/6', sock_send: 'wasm/5', fd_read: 'wasm/4', fd_write: 'wasm/4',
  });
});

test('a guest importing fd_write with an i64 parameter still runs under JSPI (plain Suspending imports)', async () => {
  const path = moduleFile(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i64 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start") (call $exit (i32.const 3))))`);
  const r = await runCli(['run', '--wait', 'jspi', path], { node: ensureNode(24), timeout: 30000 });
  assert.is(r.code, 3, r.stderr);
  assert.is(r.stderr, '');
});

test('a guest importing a global as sock_recv fails with one line under JSPI', async () => {
  const path = moduleFile(`(module
    (import "wasi_snapshot_preview1" "sock_recv" (global i32))
    (memory (export "memory") 1)
    (func (export "_start")))`);
  const r = await runCli(['run', '--wait', 'jspi', path], { node: ensureNode(24), timeout: 30000 });
  oneLine(r, 1, /^wasmux: cannot instantiate 'guest\.wasm': /);
});

test.run();
