// The guest's exit status reaches the caller: a program that calls process.exit (proc_exit) with 0, 3 or 125
// ends with that status on every host, and with 255 on the Node host and a current wasmtime. On a current
// wasmtime the component build makes that call through wasi:cli/exit's exit-with-code
// (scripts/lib/exit-with-code.js); through the preview1 adapter alone every non-zero status would be 1.
// wasmtime 36's preview1 proc_exit refuses 126 and above: the run ends with 1 and one line saying so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ROOT, startGuest, withTimeout } from '../host/helpers.js';
import { HOSTS, LATEST } from './hosts.js';

const probe = join(ROOT, 'build', 'test', 'exit-code.wasm');

/** Runs the probe on `host` with `status`; resolves with its exit code and its stderr. */
async function exitWith(host, status) {
  const g = await startGuest({ module: probe, listen: [], host, args: [String(status)] });
  const code = await withTimeout(g.exited, 20000, 'exit');
  return { code, stderr: g.stderr.text().trim() };
}

for (const host of [...HOSTS, LATEST]) {
  for (const status of [0, 3, 125]) {
    test(`[${host}] a guest that calls proc_exit(${status}) ends with status ${status}`, async () => {
      const { code, stderr } = await exitWith(host, status);
      assert.is(code, status, stderr);
      assert.is(stderr, '');
    });
  }
}

for (const host of ['node', LATEST]) {
  test(`[${host}] a guest that calls proc_exit(255) ends with status 255`, async () => {
    const { code, stderr } = await exitWith(host, 255);
    assert.is(code, 255, stderr);
    assert.is(stderr, '');
  });
}

test('[wasmtime] wasmtime 36 refuses proc_exit(255): status 1 and one line with its reason', async () => {
  const { code, stderr } = await exitWith('wasmtime', 255);
  assert.is(code, 1, stderr);
  assert.match(stderr, /^wasmux: guest trapped: exit with invalid exit status outside of \[0\.\.126\)$/);
});

test.run();
