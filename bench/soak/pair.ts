// One host+server pair of the soak: starts the server, waits at the start gate for the pairs running beside it,
// runs its protocol's traffic for the duration while the orchestrator samples it, lets the exchanges in flight
// finish (each bounded by --stall), stops the server, and returns what happened. A server that dies mid-run ends
// the pair early with an unexpected error.
import { unexpected } from './counters.js';
import { chatTraffic } from './chat-traffic.js';
import { echoTraffic } from './echo-traffic.js';
import { misses, summariseRss, type Judged } from './goals.js';
import { httpTraffic } from './http-traffic.js';
import { kvTraffic } from './kv-traffic.js';
import type { SoakHost, SoakOptions, SoakServerName } from './options.js';
import { sample, type Sample } from './rss.js';
import { startSoakServer, ServerStartError } from './server.js';
import type { StartGate } from './start-gate.js';
import { makeContext, type Traffic, type TrafficContext } from './traffic.js';

const TRAFFIC: Record<SoakServerName, Traffic> = { echo: echoTraffic, chat: chatTraffic, http: httpTraffic, kv: kvTraffic };

/** A pair's result, as it goes into soak.json. */
export interface PairResult extends Judged {
  duration_s: number;
  connections: number;
  seed: number;
  ops_per_s: number;
  bytes_sent: number;
  bytes_checked: number;
  connects: number;
  closes: number;
  half_closes: number;
  resets: number;
  expected_errors: number;
  samples: Array<Sample & { ops_per_s: number | null }>;
  misses: string[];
}

/** A pair while it runs, for the progress lines and the samples the orchestrator takes. */
export interface LivePair {
  host: SoakHost;
  server: SoakServerName;
  startedAt: number;
  ctx: TrafficContext | null;
  rssPid: number | null;
  samples: Sample[];
}

/** Takes a sample of a running pair. */
export function samplePair(p: LivePair): void {
  if (p.ctx && p.rssPid !== null) p.samples.push(sample(p.rssPid, p.startedAt, p.ctx.counters.ops));
}

function withRates(samples: Sample[]): PairResult['samples'] {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    const dt = prev ? s.t_s - prev.t_s : 0;
    return { ...s, ops_per_s: prev && dt > 0 ? Math.round((s.ops - prev.ops) / dt) : null };
  });
}

/** Runs one pair for opts.durationS seconds; `live` is filled in as it goes. Never throws for a server's fault. */
export async function runPair(root: string, opts: SoakOptions, live: LivePair, seed: number, gate: StartGate): Promise<PairResult> {
  const label = `${live.host} ${live.server}`;
  let running = true;
  let arrived: Promise<void> = Promise.resolve();
  let result: Omit<PairResult, 'misses'>;
  const base = { host: live.host, server: live.server, connections: opts.connections, seed };
  try {
    // Arrive at the gate whether the server started or not: the other pairs must not wait for a failed one.
    const server = await startSoakServer(root, live.host, live.server, opts.nodeFlags).finally(() => { arrived = gate.arrive(); });
    await arrived;
    const ctx = makeContext(server.port, label, seed, opts.maxSize, opts.stallS * 1000, () => running);
    live.startedAt = Date.now();
    live.ctx = ctx;
    live.rssPid = server.rssPid;
    samplePair(live);
    let wake: () => void = () => {};
    const over = new Promise<void>((resolve) => { wake = resolve; });
    const timer = setTimeout(wake, opts.durationS * 1000);
    void server.proc.exited.then((code) => {
      if (!running) return;
      unexpected(ctx.counters, `${label}: the server exited with code ${code} during the run: ${server.proc.stderrTail().trim().split('\n').pop() ?? ''}`);
      wake();
    });
    const traffic = TRAFFIC[live.server](ctx, opts.connections);
    await over;
    clearTimeout(timer);
    samplePair(live); // the last sample under traffic: the one RSS growth is judged on
    live.rssPid = null; // no samples while draining
    running = false;
    const drainMs = opts.stallS * 2000 + 10000;
    const drained = await Promise.race([traffic.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), drainMs).unref())]);
    if (!drained) unexpected(ctx.counters, `${label}: connections still busy ${drainMs} ms after the run ended`);
    const elapsed = (Date.now() - live.startedAt) / 1000;
    await server.stop();
    const c = ctx.counters;
    result = {
      ...base, error: null, duration_s: Math.round(elapsed * 10) / 10, ops: c.ops, ops_per_s: Math.round(c.ops / Math.max(elapsed, 0.001)),
      bytes_sent: c.bytesSent, bytes_checked: c.bytesChecked, bytes_lost: c.bytesLost, bytes_wrong: c.bytesWrong,
      connects: c.connects, closes: c.closes, half_closes: c.halfCloses, resets: c.resets,
      expected_errors: c.expectedErrors, unexpected_errors: c.unexpectedErrors, error_samples: c.errorSamples,
      rss: summariseRss(live.samples), samples: withRates(live.samples),
    };
  } catch (e) {
    running = false;
    if (!(e instanceof ServerStartError)) throw e;
    result = {
      ...base, error: e.message, duration_s: 0, ops: 0, ops_per_s: 0, bytes_sent: 0, bytes_checked: 0, bytes_lost: 0,
      bytes_wrong: 0, connects: 0, closes: 0, half_closes: 0, resets: 0, expected_errors: 0, unexpected_errors: 0,
      error_samples: [], rss: summariseRss([]), samples: [],
    };
  }
  live.ctx = null;
  return { ...result, misses: misses(result) };
}
