// The fuzzer in `npm test`: a few seconds of it on the Node host with fixed seeds must break no invariant and call
// every import the host offers; and each kind of check is shown to fail when its fault is put into the host.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCampaign } from './run.js';
import { failureLines } from './report.js';
import { hostImportNames } from './host-imports.js';
import { resolveImports } from './signatures.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
/** Seeds whose batches end with proc_exit as well as without, so every import is called. */
const SEEDS = { seed: 4, seeds: 3 };
/** Every campaign here uses batches of this size, so they share one guest module (one Asyncify build). */
const BATCH = 1000;
const cacheDir = mkdtempSync(join(tmpdir(), 'wasmux-fuzz-test-'));
test.after(() => rmSync(cacheDir, { recursive: true, force: true }));

/** One small batch with a fault put into the host at `call`. */
async function withFault(what, call, extra = {}) {
  return runCampaign({
    calls: BATCH, seed: 5, seeds: 1, batch: 0, batchCalls: BATCH, host: 'node', callTimeoutMs: 10000, maxFailures: 10, cacheDir,
    inject: { call, what }, ...extra,
  });
}

test('every import the Node host offers has a signature the fuzzer can call', async () => {
  const names = await hostImportNames();
  const imports = resolveImports(names);
  assert.is(imports.length, Object.values(names).flat().length);
  assert.ok(imports.length >= 51);
});

test('a few thousand calls on the Node host with fixed seeds break no invariant and reach every import', async () => {
  const t = await runCampaign({ calls: 3 * BATCH, ...SEEDS, batchCalls: BATCH, host: 'node', callTimeoutMs: 10000, maxFailures: 10, cacheDir });
  assert.equal(failureLines(t.failures, 'node'), []);
  assert.ok(t.calls >= 3 * BATCH, `only ${t.calls} calls were made`);
  const names = Object.values(await hostImportNames()).flat().sort();
  assert.equal(Object.keys(t.counts).sort(), names);
  assert.ok(t.probes >= 1, 'no long-poll CPU probe was measured');
});

test('a host process killed by a signal is reported as a crash at its call', async () => {
  const t = await withFault('crash', 77);
  assert.is(t.failures.length, 1, failureLines(t.failures, 'node').join('\n'));
  assert.match(t.failures[0].what, /^call 77 .*host crashed: killed by SIGSEGV/);
});

test('a host whose main thread freezes inside an import is reported as a hang at its call', async () => {
  const t = await withFault('freeze', 120, { callTimeoutMs: 1500 });
  assert.is(t.failures.length, 1, failureLines(t.failures, 'node').join('\n'));
  assert.match(t.failures[0].what, /^call 120 .*was not answered within 1500 ms/);
});

test('an exception thrown from an import is reported as a host exception, not as a trap', async () => {
  const t = await withFault('throw', 60);
  assert.ok(t.failures.length >= 1);
  assert.match(t.failures[0].what, /^call 60 .*host exception TypeError: injected/);
});

test('a host stdout closed during the run is reported', async () => {
  const t = await withFault('close-stdout', 90);
  assert.ok(t.failures.some((f) => /host fd 1 is no longer the host's own/.test(f.what)), failureLines(t.failures, 'node').join('\n'));
});

test('a timer spinning while the guest waits in a long poll is reported as CPU spin', async () => {
  const t = await withFault('spin', 0);
  assert.ok(t.failures.some((f) => /CPU while the guest waited in a long poll/.test(f.what)), failureLines(t.failures, 'node').join('\n'));
});

test('bad fuzz flags give one fuzz: line and exit status 2', () => {
  for (const args of [['--calls', '0'], ['--host', 'qemu'], ['--seed'], ['--frobnicate']]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^fuzz: [^\n]+\n$/);
  }
});

test('fuzz --help describes the options and exits 0', () => {
  const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.is(r.status, 0);
  for (const opt of ['--calls', '--seed', '--seeds', '--batch-calls', '--batch', '--host', '--call-timeout', '--report']) {
    assert.ok(r.stdout.includes(opt), opt);
  }
});

test.run();
