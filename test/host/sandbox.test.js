// The Node host's import table and the calls it answers itself instead of node:wasi: every preview1 function has
// exactly one decision, nothing else is offered, and argv, environment, clocks, randomness and stdin behave as a
// guest expects without touching the host process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importTable } from '../../dist/host/index.js';
import { PREVIEW1_FUNCTIONS } from '../../dist/host/wasi/table.js';
import { PassThrough } from 'node:stream';
import { startGuest, wat, withTimeout } from './helpers.js';

const W = 'wasi_snapshot_preview1';

/** A guest whose _start body is `body`, importing `imports` (name -> signature text) and writing stdout with $out(ptr,len). */
const guest = (imports, body) => wat(`(module
  ${Object.entries(imports).map(([n, sig]) => `(import "${W}" "${n}" (func $${n} ${sig}))`).join('\n  ')}
  (import "${W}" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $out (param $p i32) (param $n i32)
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func (export "_start") ${body}))`);

test('the import table lists every preview1 function once, with one of three decisions', () => {
  const rows = importTable();
  const p1 = rows.filter((r) => r.module === W).map((r) => r.name);
  assert.is(p1.length, PREVIEW1_FUNCTIONS.length);
  assert.equal([...p1].sort(), [...PREVIEW1_FUNCTIONS].sort());
  for (const r of rows) assert.ok(['ours', 'errno', 'delegated'].includes(r.decision), `${r.name}: ${r.decision}`);
});

test('the import table counts 21 preview1 functions implemented, 1 denied, 24 delegated, and 5 WASIX ones implemented', () => {
  const count = (module, decision) => importTable().filter((r) => r.module === module && r.decision === decision).length;
  assert.equal([count(W, 'ours'), count(W, 'errno'), count(W, 'delegated')], [21, 1, 24]);
  assert.equal(importTable().filter((r) => r.module === 'wasix_32v1').map((r) => r.decision), Array(5).fill('ours'));
  assert.is(importTable().find((r) => r.name === 'proc_raise').decision, 'errno');
});

test('a guest importing a preview1 name outside the table is refused before it runs', async () => {
  const bytes = wat(`(module (import "${W}" "fd_steal" (func $steal (param i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start") (drop (call $steal (i32.const 1)))))`);
  await startGuest({ module: bytes, host: 'node' }).then(
    () => assert.unreachable('started'),
    (e) => assert.match(e.message, /^cannot instantiate 'module\.wasm': .*fd_steal/),
  );
});

test('argv and the environment come from the options, the host environment is not passed on', async () => {
  const g = await startGuest({
    host: 'node', args: ['one', 'two'], env: { A: 'b' },
    module: guest({
      args_sizes_get: '(param i32 i32) (result i32)', args_get: '(param i32 i32) (result i32)',
      environ_sizes_get: '(param i32 i32) (result i32)', environ_get: '(param i32 i32) (result i32)',
    }, `
      (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
      (drop (call $args_get (i32.const 64) (i32.const 1024)))
      (call $out (i32.const 1024) (i32.load (i32.const 36)))
      (drop (call $environ_sizes_get (i32.const 32) (i32.const 36)))
      (drop (call $environ_get (i32.const 64) (i32.const 2048)))
      (call $out (i32.const 2048) (i32.load (i32.const 36)))`),
  });
  assert.is(await withTimeout(g.exited, 10000, 'exit'), 0);
  assert.is(g.stdout.text(), 'module.wasm\0one\0two\0A=b\0LISTEN_FDS=0\0');
});

test('stdin reads as end-of-file and a renumbered stderr takes the stdout writes', async () => {
  const g = await startGuest({
    host: 'node',
    module: guest({ fd_read: '(param i32 i32 i32 i32) (result i32)', fd_renumber: '(param i32 i32) (result i32)' }, `
      (i32.store (i32.const 40) (i32.const 512))
      (i32.store (i32.const 44) (i32.const 64))
      (i32.store (i32.const 48) (i32.const 99))
      (i32.store8 (i32.const 100) (i32.add (i32.const 48) (call $fd_read (i32.const 0) (i32.const 40) (i32.const 1) (i32.const 48))))
      (i32.store8 (i32.const 101) (i32.add (i32.const 48) (i32.load (i32.const 48))))
      (drop (call $fd_renumber (i32.const 2) (i32.const 1)))
      (call $out (i32.const 100) (i32.const 2))`),
  });
  assert.is(await withTimeout(g.exited, 10000, 'exit'), 0);
  assert.is(g.stdout.text(), '');
  assert.is(g.stderr.text(), '00', 'fd_read answered SUCCESS with 0 bytes; the write went to the stderr sink');
});

test('clocks and randomness are answered by the host: realtime near Date.now, monotonic rising, random bytes', async () => {
  const raw = new PassThrough(); // binary output: kept as bytes
  const chunks = [];
  raw.on('data', (c) => chunks.push(c));
  const g = await startGuest({
    host: 'node', stdout: raw,
    module: guest({ clock_time_get: '(param i32 i64 i32) (result i32)', random_get: '(param i32 i32) (result i32)' }, `
      (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 200)))
      (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 208)))
      (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 216)))
      (i32.store (i32.const 224) (call $clock_time_get (i32.const 9) (i64.const 1) (i32.const 232)))
      (drop (call $random_get (i32.const 240) (i32.const 32)))
      (call $out (i32.const 200) (i32.const 72))`),
  });
  assert.is(await withTimeout(g.exited, 10000, 'exit'), 0);
  const b = Buffer.concat(chunks);
  assert.is(b.length, 72);
  // Loose bound: only says the realtime clock is the wall clock (same minute), not how fast anything is.
  assert.ok(Math.abs(Number(b.readBigUInt64LE(0) / 1000000n) - Date.now()) < 60000, 'realtime is the wall clock');
  assert.ok(b.readBigUInt64LE(16) >= b.readBigUInt64LE(8), 'monotonic does not go back');
  assert.is(b.readUInt32LE(24), 28, 'an unknown clock is INVAL');
  assert.ok(b.subarray(40, 72).some((x) => x !== 0), 'random bytes were written');
});

test.run();
