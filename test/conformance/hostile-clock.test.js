// Clocks beyond setTimeout's range (2^31-1 ms): relative and absolute, up to u64::MAX. The Node host clamps its
// timer and re-arms it, so such a clock waits quietly: before, Node's setTimeout overflowed and fired every
// millisecond (a TimeoutOverflowWarning each time, ~11% CPU). wasmtime sleeps on them without complaint, except
// an absolute REALTIME clock, which wasmtime 36 does not support: the whole call fails with NOTSUP (wasmtime 47
// and later sleep on it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { FIXTURES, startGuest, wat, withTimeout } from '../host/helpers.js';
import { HOSTS, LATEST, waitFor } from './hosts.js';

const NOTSUP = 58;

/** far-clocks.wat with `n` subscriptions (5 includes the absolute REALTIME clock). */
const farClocks = (n) => wat(readFileSync(join(FIXTURES, 'far-clocks.wat'), 'utf8').replace('(i32.const 5 (; nsubs ;))', `(i32.const ${n})`));

/** Runs `fn` and returns the names of the process warnings emitted meanwhile. */
async function warningsDuring(fn) {
  const warnings = [];
  const onWarning = (w) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    await fn();
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

for (const host of HOSTS) {
  const n = host === 'node' ? 5 : 4;
  test(`[${host}] clocks past setTimeout's range never fire early: a connection is what ends the poll`, async () => {
    const warnings = await warningsDuring(async () => {
      const g = await startGuest({ module: farClocks(n), listen: ['127.0.0.1:0'], host });
      try {
        await waitFor(() => g.stdout.text(), /polling/, 10000, 'guest in poll_oneoff');
        // not awaited: the guest may exit (closing the listener) before the client sees its connect complete
        const s = net.connect(g.port, '127.0.0.1');
        s.on('error', () => {});
        assert.is(await withTimeout(g.exited, 10000, 'guest exit'), 0, g.stderr.text());
        assert.is(g.stdout.text(), 'polling\nn=1 type=1\n', 'one event: the read');
        s.destroy();
      } finally {
        await g.stop();
      }
    });
    assert.equal(warnings, [], 'no TimeoutOverflowWarning');
  });
}

/** A guest that says "sleeping", then polls one clock of `id` and `flags` timing out at u64::MAX; traps if it fires. */
const sleeper = (id, flags) => wat(`(module
        (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 200) "sleeping\\n")
        (func (export "_start")
          (i32.store (i32.const 100) (i32.const 200))
          (i32.store (i32.const 104) (i32.const 9))
          (drop (call $write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108)))
          (i32.store (i32.const 16) (i32.const ${id}))
          (i64.store (i32.const 24) (i64.const -1))
          (i32.store16 (i32.const 40) (i32.const ${flags}))
          (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 96)))
          unreachable))`);

/** Starts `module`, waits until it sleeps, stops it: it must not have trapped (its clock never fired). */
async function sleepsQuietly(module, host) {
  const g = await startGuest({ module, host });
  try {
    await waitFor(() => g.stdout.text(), /sleeping/, 10000, 'guest in poll_oneoff');
  } finally {
    await withTimeout(g.stop(143), 10000, 'stop');
  }
  assert.is(g.stderr.text(), '', 'no trap: the clock never fired');
}

// wasmtime >= 47 runs these guests as core modules (no listener); the suite's first test needs one, and there a
// preview1 module is refused (hostile.test.js checks that line).
for (const host of [...HOSTS, LATEST]) {
  test(`[${host}] a guest sleeping on a u64::MAX clock stays quiet until it is stopped`, async () => {
    const warnings = await warningsDuring(async () => {
      await sleepsQuietly(sleeper(1, 0), host);
    });
    assert.equal(warnings, [], 'no TimeoutOverflowWarning');
  });
}

test('[wasmtime-latest] an absolute REALTIME clock is supported there: the guest sleeps on it quietly (wasmtime 36 fails the poll)', async () => {
  await sleepsQuietly(sleeper(0, 1), LATEST);
});

test('[wasmtime] an absolute REALTIME clock fails the whole poll with NOTSUP (the Node host supports it)', async () => {
  const g = await startGuest({ module: farClocks(5), listen: ['127.0.0.1:0'], host: 'wasmtime' });
  assert.is(await withTimeout(g.exited, 10000, 'guest exit'), NOTSUP);
});

test.run();
