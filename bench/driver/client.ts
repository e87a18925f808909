// Runs the native closed-loop echo client (bench/peers/echo-client.c), spread over two processes when the concurrency
// allows, and merges their reports: request rate, payload MiB/s, latency percentiles from the merged histograms,
// and the clients' own CPU time (so a reader can tell whether the client was the limit).
import type { BenchEnv } from './env.js';
import { mergeHistograms, percentile, type Histogram } from './latency.js';
import { runCommand } from './proc.js';
import { BenchError } from './servers.js';

interface ClientReport {
  requests: number;
  duration: number;
  errors: number;
  idle: number;
  idle_failed: number;
  cpu_user: number;
  cpu_sys: number;
  hist: Histogram;
  wake_us?: number[];
  wake_pending_us?: number;
}

export interface ClientResult {
  rps: number;
  mibps: number;
  p50_us: number;
  p99_us: number;
  requests: number;
  errors: number;
  processes: number;
  /** Client CPU seconds per wall second, summed over its processes (2.0 = both cores busy). */
  client_cpu: number;
  idle_failed: number;
  /** Wake-up latencies of idle connections (us), from every process, when wakeMs was given. */
  wake_us: number[];
  /** Probes still unanswered when the window closed, and the age of the oldest (us). */
  wake_pending: number;
  wake_pending_max_us: number;
}

interface ClientOptions {
  host: string;
  port: number;
  size: number;
  concurrency: number;
  duration: number;
  warmup: number;
  /** Idle connections to open first (spread over the processes), each confirmed by a 1-byte echo. */
  idle?: number;
  /** Called once every process has its idle connections open; the active phase starts holdMs later. */
  onIdleReady?: () => void;
  holdMs?: number;
  processes?: number;
  /** Every wakeMs of the measured window, one idle connection sends a byte and its echo is timed. */
  wakeMs?: number;
}

export async function runClient(env: BenchEnv, o: ClientOptions): Promise<ClientResult> {
  const exe = env.echoClient.path;
  if (!exe) throw new BenchError(env.echoClient.reason);
  const procs = Math.max(1, Math.min(o.processes ?? 2, o.concurrency));
  const idle = o.idle ?? 0;
  const holdMs = o.holdMs ?? 1500;
  let readyCount = 0;
  const timeout = (o.warmup + o.duration + 60 + idle / 200 + holdMs / 1000) * 1000;
  const runs = [];
  for (let i = 0; i < procs; i++) {
    const conc = Math.floor(o.concurrency / procs) + (i < o.concurrency % procs ? 1 : 0);
    const idleHere = Math.floor(idle / procs) + (i < idle % procs ? 1 : 0);
    const args = [o.host, String(o.port), String(o.size), String(conc), String(o.duration), String(o.warmup)];
    if (idle > 0) args.push(String(idleHere), String(holdMs), String(o.wakeMs ?? 0));
    runs.push(runCommand(exe, args, timeout, (line) => {
      if (line.startsWith('idle-ready') && ++readyCount === procs) o.onIdleReady?.();
    }));
  }
  const results = await Promise.all(runs);
  const reports: ClientReport[] = [];
  for (const r of results) {
    if (r.timedOut) throw new BenchError('echo client timed out (server stalled?)');
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (r.code !== 0 || !line) throw new BenchError(`echo client failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    reports.push(JSON.parse(line) as ClientReport);
  }
  const hist = mergeHistograms(reports.map((r) => r.hist));
  const requests = reports.reduce((s, r) => s + r.requests, 0);
  const rps = reports.reduce((s, r) => s + (r.duration > 0 ? r.requests / r.duration : 0), 0);
  const errors = reports.reduce((s, r) => s + r.errors, 0);
  const window = Math.max(...reports.map((r) => r.duration), 1e-9);
  if (requests === 0) throw new BenchError(`no request completed${errors ? ` (${errors} connection errors)` : ''}`);
  return {
    rps,
    mibps: (rps * o.size) / (1024 * 1024),
    p50_us: percentile(hist, 0.5),
    p99_us: percentile(hist, 0.99),
    requests,
    errors,
    processes: procs,
    client_cpu: reports.reduce((s, r) => s + r.cpu_user + r.cpu_sys, 0) / window,
    idle_failed: reports.reduce((s, r) => s + r.idle_failed, 0),
    wake_us: reports.flatMap((r) => r.wake_us ?? []),
    wake_pending: reports.filter((r) => (r.wake_pending_us ?? -1) >= 0).length,
    wake_pending_max_us: Math.max(-1, ...reports.map((r) => r.wake_pending_us ?? -1)),
  };
}
