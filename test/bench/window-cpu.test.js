// The many scenario's server CPU per request: the arithmetic, and a process that cannot be read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpuOverWindow, usPerRequest } from '../../dist/bench/driver/window-cpu.js';

test('CPU seconds are spread over the requests in microseconds, to two decimals', () => {
  assert.is(usPerRequest(0.5, 100000), 5);
  assert.is(usPerRequest(1, 3), 333333.33);
});

test('no figure without CPU time or without requests', () => {
  assert.is(usPerRequest(null, 1000), null);
  assert.is(usPerRequest(0.5, 0), null);
});

test('a process that does not exist gives no window', async () => {
  assert.is(await cpuOverWindow(2 ** 31 - 1, 0, 0), null);
});

test('this process\'s own window is read (user and system, neither negative)', async () => {
  const w = await cpuOverWindow(process.pid, 0, 0);
  assert.ok(w !== null && w.user >= 0 && w.sys >= 0);
});

test.run();
