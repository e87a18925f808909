// A guest that never waits (non-blocking calls answered at once, back to back) must not starve its embedder:
// the host yields to Node's event loop every few milliseconds, so the embedder's timers keep firing and the
// connection and bytes the guest spins for arrive. Runs in a child process, so that a host that does starve its
// loop fails the test by the timeout here instead of hanging it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toFile } from './fixtures.js';
import { FIXTURES, wat, withTimeout } from './helpers.js';
import { ensureNode } from '../support/node-versions.js';

/** Loose liveness bound on the embedder's timer lag. */
const MAX_LAG_MS = 100;

/** Runs spin-embedder.mjs under `node` with `wait`; resolves with its JSON report, or rejects after 30 s. */
function runEmbedder(node, wait) {
  const module = toFile('spin.wasm', wat('spin'));
  const child = spawn(node, [join(FIXTURES, 'spin-embedder.mjs'), module, wait], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve, reject) => child.on('exit', (code) => {
    if (code === 0) resolve(JSON.parse(out));
    else reject(new Error(`embedder exited ${code}: ${err.trim()}`));
  }));
  return withTimeout(done, 30000, 'the spinning guest').finally(() => child.kill('SIGKILL'));
}

/** Checks one report: the guest echoed and exited 0, the timer ran and was never later than the bound. */
function check(r) {
  assert.is(r.code, 0, 'the guest got its connection and bytes and exited 0');
  assert.is(r.echoed, 'ping', 'the client got its bytes back');
  assert.ok(r.ticks >= 10, `the embedder's interval kept firing (${r.ticks} ticks)`);
  assert.ok(r.worst < MAX_LAG_MS, `worst timer lag ${r.worst.toFixed(1)} ms`);
}

test('a guest spinning on non-blocking accept, a zero-timeout poll and recv leaves the embedder\'s timers running under Asyncify', async () => {
  check(await runEmbedder(process.execPath, 'asyncify'));
});

test('a guest spinning on non-blocking accept, a zero-timeout poll and recv leaves the embedder\'s timers running under JSPI', async () => {
  check(await runEmbedder(ensureNode(24), 'jspi'));
});

test.run();
