// A wasmtime that is not the pinned build (found through $WASMTIME or PATH) still runs servers, and the
// runner says in one line that readiness is only a hint there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildC, runCli, echoOnce } from '../host/helpers.js';
import { pinnedPath } from '../../dist/host/wasmtime/locate.js';

const echo = buildC('c-echo');

/** A wasmtime at another path (it runs the pinned binary), with an empty cache so only it is found. */
function otherWasmtime() {
  const dir = mkdtempSync(join(tmpdir(), 'wasmux-stock-'));
  const bin = join(dir, 'wasmtime');
  writeFileSync(bin, `#!/bin/sh\nexec "${pinnedPath()}" "$@"\n`);
  chmodSync(bin, 0o755);
  return { WASMTIME: bin, WASMUX_CACHE: join(dir, 'empty-cache') };
}

test('[wasmtime] a wasmtime other than the pinned build runs the server and says readiness is only a hint there', async () => {
  /** @type {any} */
  let child;
  let resolvePort;
  const portP = new Promise((r) => { resolvePort = r; });
  const result = runCli(['run', '--host', 'wasmtime', '--listen', '127.0.0.1:0', echo], {
    timeout: 30000,
    env: otherWasmtime(),
    onStderr: (text, c) => {
      child = c;
      const m = /^listening on 127\.0\.0\.1:(\d+) \(fd 3\)$/m.exec(text);
      if (m) resolvePort(Number(m[1]));
    },
  });
  const port = await Promise.race([portP, result.then((r) => { throw new Error(`exited early: ${r.stderr}`); })]);
  assert.is((await echoOnce(port, Buffer.from('still works'))).toString(), 'still works');
  child.kill('SIGTERM');
  const r = await result;
  const notice = r.stderr.split('\n').filter((l) => l.includes('is not the pinned'));
  assert.is(notice.length, 1, r.stderr);
  assert.match(notice[0], /^wasmux: wasmtime 36\.0\.20 at .* is not the pinned 36\.0\.20-exact-readiness build: it reports every fd ready once one is/);
});

test.run();
