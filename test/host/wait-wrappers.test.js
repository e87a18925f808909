// How the Node host's blocking imports are wrapped and woken (host/wait/strategy.ts, asyncify.ts, waker.ts): the
// wrappers keep each import's arity (wasm calls a function fastest when its parameter count matches the import's
// signature), and Waker.waitFor re-checks at each wake-up until its check answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FdTable } from '../../dist/host/fd-table.js';
import { asyncifyStrategy } from '../../dist/host/wait/asyncify.js';
import { Watchable } from '../../dist/host/sockets/watchable.js';
import { GuestExit } from '../../dist/host/wait/exit.js';
import { paced, withArity } from '../../dist/host/wait/strategy.js';
import { Waker } from '../../dist/host/wait/waker.js';
import { GuestMemory } from '../../dist/host/wasi/guest-memory.js';
import { makeImports } from '../../dist/host/wasi/table.js';

/** Parameter count of each blocking preview1 import (the wasi-0.1 witx). */
const ARITY = { poll_oneoff: 4, sock_accept: 3, sock_recv: 6, sock_send: 5, fd_read: 4, fd_write: 4 };

test('withArity gives a function of exactly the asked parameter count that passes its arguments on', () => {
  for (let n = 0; n <= 6; n++) {
    const f = withArity(n, (...got) => got.slice(0, n));
    assert.is(f.length, n);
    const args = [1, 2, 3, 4, 5, 6].slice(0, n);
    assert.equal(f(...args), args);
  }
});

test('every blocking import wrapped by the paced Asyncify strategy declares its signature\'s parameter count', () => {
  const waker = new Waker();
  const imports = makeImports({
    mem: new GuestMemory(), fds: new FdTable(), waker, strategy: paced(asyncifyStrategy(), waker), journaled: false, wasi: {},
    stdout: 1, stderr: 2, args: ['t'], env: [],
  });
  const names = Object.keys(ARITY);
  assert.is(names.length, 6);
  for (const name of names) assert.is(imports[name].length, ARITY[name], name);
});

test('waitFor waits again while its check answers negative and resolves with the first answer >= 0', async () => {
  const waker = new Waker();
  const answers = [-1, -1, 7];
  let calls = 0;
  const done = waker.waitFor(null, true, () => answers[calls++]);
  // each change of the instance wakes it once more (the first wake-up is the asked-for yield)
  const raise = () => waker.hub.raise(new Watchable());
  setImmediate(() => { raise(); setImmediate(() => raise()); });
  assert.is(await done, 7);
  assert.is(calls, 3);
});

test('stop() ends a pending waitFor with GuestExit and its check is not run again', async () => {
  const waker = new Waker();
  let calls = 0;
  const done = waker.waitFor(null, false, () => { calls++; return -1; });
  waker.stop(3);
  const err = await done.then(() => null, (e) => e);
  assert.ok(err instanceof GuestExit);
  assert.is(err.code, 3);
  assert.is(calls, 0);
});

test.run();
