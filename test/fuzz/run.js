// Runs a fuzz campaign: seeds x batches until the wanted number of calls has been made, one host process per
// batch, and adds up what happened: calls, per-import errno counts, failures (each with seed, batch, call).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from './batch.js';

/**
 * `opts` = {calls, seed, seeds, batchCalls, host, callTimeoutMs, deny, onBatch(result), maxFailures, batch, cacheDir
 * (kept when given: campaigns with the same batchCalls then share one guest module and its Asyncify build)}.
 * Resolves with {calls, batches, seeds: [...], ms, counts: {name: {errno: n}}, failures: [...], probes, worstProbe}.
 */
export async function runCampaign(opts) {
  const t0 = Date.now();
  const cacheDir = opts.cacheDir ?? mkdtempSync(join(tmpdir(), 'wasmux-fuzz-cache-'));
  const total = { calls: 0, batches: 0, seeds: [], counts: {}, failures: [], probes: 0, worstProbe: 0 };
  const perSeed = Math.ceil(opts.calls / opts.seeds);
  // Every batch has the same size, so that one guest module serves them all (a campaign may overshoot a little).
  const calls = Math.min(opts.batchCalls, perSeed);
  try {
    for (let k = 0; k < opts.seeds && total.failures.length < opts.maxFailures; k++) {
      const seed = (opts.seed + k) >>> 0;
      total.seeds.push(seed);
      let done = 0;
      for (let batch = opts.batch ?? 0; done < perSeed && total.failures.length < opts.maxFailures; batch++) {
        const r = await runBatch(seed, batch, { ...opts, calls, cacheDir });
        done += r.executed;
        total.calls += r.executed;
        total.batches++;
        total.probes += r.probes;
        total.worstProbe = Math.max(total.worstProbe, r.worstProbe);
        for (const [name, byErrno] of Object.entries(r.counts)) {
          total.counts[name] ??= {};
          for (const [e, n] of Object.entries(byErrno)) total.counts[name][e] = (total.counts[name][e] ?? 0) + n;
        }
        for (const f of r.failures) total.failures.push({ seed, batch, batchCalls: calls, ...f });
        opts.onBatch?.({ seed, batch, ...r, total });
        if (r.executed === 0) break; // a guest that never got going would not get going next time either
        if (opts.batch !== undefined) break;
      }
    }
  } finally {
    if (!opts.cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  }
  return { ...total, ms: Date.now() - t0 };
}
