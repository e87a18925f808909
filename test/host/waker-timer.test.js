// The Waker's deadline timer is kept from one wait to the next: a wait whose deadline comes before the kept
// timer's still wakes at its own deadline, a wait woken by a change leaves no timer that holds the process, and
// stop() ends a wait whatever timer runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Waker, nowNsNumber } from '../../dist/host/wait/waker.js';
import { Watchable } from '../../dist/host/sockets/watchable.js';
import { withTimeout } from './helpers.js';

const run = promisify(execFile);

test('a wait whose deadline is nearer than the kept timer wakes at its own deadline', async () => {
  const waker = new Waker();
  const w = new Watchable();
  const far = waker.wait(nowNsNumber() + 60e9);
  w.attach(waker.hub); // a change ends the far wait; its timer is kept
  await withTimeout(far, 5000, 'the far wait, woken by a change');
  await withTimeout(waker.wait(nowNsNumber() + 20e6), 5000, 'the near wait');
  waker.stop(0);
});

test('a wait for a later deadline than the kept timer is woken early by it, and waiting again reaches its deadline', async () => {
  const waker = new Waker();
  const w = new Watchable();
  const near = waker.wait(nowNsNumber() + 20e6); // its timer (20 ms) is kept after the change ends this wait
  w.attach(waker.hub);
  await withTimeout(near, 5000, 'the first wait');
  const deadline = nowNsNumber() + 300e6;
  let wakes = 0;
  while (nowNsNumber() < deadline) {
    await withTimeout(waker.wait(deadline), 5000, 'a wait for the deadline');
    wakes++;
  }
  assert.ok(wakes >= 2, `${wakes} wake-ups: the kept 20 ms timer, then the deadline's own`);
  waker.stop(0);
});

test('a timer left from a wait woken by a change does not keep the process alive', async () => {
  const url = new URL('../../dist/host/', import.meta.url).href;
  const script = `
    const { Waker, nowNsNumber } = await import('${url}wait/waker.js');
    const { Watchable } = await import('${url}sockets/watchable.js');
    const waker = new Waker();
    const p = waker.wait(nowNsNumber() + 600e9);
    new Watchable().attach(waker.hub);
    await p;
    console.log('woken');`;
  const t0 = Date.now();
  const { stdout } = await withTimeout(run(process.execPath, ['--input-type=module', '-e', script]), 30000, 'the child');
  assert.is(stdout.trim(), 'woken');
  assert.ok(Date.now() - t0 < 25000, 'the child exited without waiting for the 10-minute timer');
});

test('stop() ends a wait that uses the kept timer', async () => {
  const waker = new Waker();
  const p = waker.wait(nowNsNumber() + 60e9);
  waker.stop(3);
  const err = await withTimeout(p.then(() => null, (e) => e), 5000, 'the stopped wait');
  assert.ok(err, 'the wait was rejected');
});

test.run();
