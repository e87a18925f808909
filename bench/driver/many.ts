// Scenario 4: idle connections held next to a busy closed loop. For each server (and each guest variant of the
// wasmux hosts), one server process: 1 KiB x 10 closed-loop echo with no idle connection, then with each count of
// --idle idle connections open; with --rounds N, that sequence N times in the same process, each idle point's
// ratio taken to the no-idle point of its own round (a single no-idle figure moves by a third between runs on this
// shared machine). Reported per point: req/s, its ratio to the no-idle req/s, the wake-up latency of an idle
// connection (one idle connection sends a byte every WAKE_PROBE_MS of the window; the time until its echo returns),
// and the server's RSS growth per idle connection.
import { runClient, type ClientResult } from './client.js';
import type { BenchEnv } from './env.js';
import { rssKiB, sleep } from './proc.js';
import { checkAlive, reason, round, withServer } from './scenarios.js';
import { BenchError, type RunningServer, type ServerName } from './servers.js';
import { errorRow, progress, type Options, type Row } from './types.js';
import { variantModule, variantsOf, type Variant } from './variants.js';
import { cpuOverWindow, usPerRequest, type WindowCpu } from './window-cpu.js';

const SIZE = 1024;
const ACTIVE = 10;
/** Interval between two wake-up probes of one client process (two processes run). */
const WAKE_PROBE_MS = 100;
/** How long the idle connections are held before the active phase (the RSS is read halfway). */
const HOLD_MS = 2000;

/** The p-th percentile of plain samples (nearest rank), or null when there is none. */
function pct(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
}

/**
 * One point's row; `cpu` is the server's CPU time over the measured window. CPU per request moves less than req/s on
 * a shared machine (a server descheduled for a while loses req/s, not CPU per request).
 */
function pointRow(server: ServerName, variant: string, pass: number, idle: number, r: ClientResult, base: number | null,
  cpu: WindowCpu | null): Row {
  return {
    scenario: 'many', server, variant, round: pass, size: SIZE, concurrency: ACTIVE, idle, rps: r.rps, mibps: r.mibps,
    p50_us: r.p50_us, p99_us: r.p99_us, errors: r.errors, idle_failed: r.idle_failed, client_cpu: round(r.client_cpu, 3),
    ratio_to_no_idle: base ? round(r.rps / base, 3) : null,
    server_us_per_req: usPerRequest(cpu ? cpu.user + cpu.sys : null, r.requests),
    server_user_us: usPerRequest(cpu ? cpu.user : null, r.requests),
  };
}

/** One server process: per round, the no-idle point, then one point per idle count. */
async function measureServer(env: BenchEnv, o: Options, server: ServerName, v: Variant | null): Promise<Row[]> {
  const label = v ? v.name : 'native';
  const module = v ? variantModule(v, 'echo') : undefined;
  const rows: Row[] = [];
  await withServer(env, server, module, async (s) => {
    await runClient(env, { host: s.host, port: s.port, size: SIZE, concurrency: ACTIVE, duration: 0.5, warmup: 0 });
    for (let pass = 1; pass <= o.rounds; pass++) {
      const tag = `many ${server} ${label}${o.rounds > 1 ? ` round ${pass}` : ''}`;
      const cpu = cpuOverWindow(s.pid, o.warmup * 1000, o.duration * 1000);
      const base = await runClient(env, { host: s.host, port: s.port, size: SIZE, concurrency: ACTIVE, duration: o.duration, warmup: o.warmup });
      checkAlive(s);
      rows.push(pointRow(server, label, pass, 0, base, base.rps, await cpu));
      progress(`${tag}: no idle: ${Math.round(base.rps)} req/s, server ${rows[rows.length - 1].server_us_per_req ?? '-'} us/req`);
      for (const idle of o.idle) rows.push(await idlePoint(env, o, s, server, label, pass, idle, base.rps, tag));
    }
  }, v?.env ?? {});
  return rows;
}

/** Round `pass`'s point with `idle` idle connections held open, its ratio to `baseRps` (an error row when it fails). */
async function idlePoint(env: BenchEnv, o: Options, s: RunningServer, server: ServerName, label: string, pass: number, idle: number,
  baseRps: number, tag: string): Promise<Row> {
  try {
    await sleep(300);
    const rss0 = rssKiB(s.pid);
    let rss1: number | null = null;
    let cpu: Promise<WindowCpu | null> = Promise.resolve(null);
    const r = await runClient(env, {
      host: s.host, port: s.port, size: SIZE, concurrency: ACTIVE, duration: o.duration, warmup: o.warmup, idle,
      holdMs: HOLD_MS, wakeMs: WAKE_PROBE_MS, onIdleReady: () => {
        setTimeout(() => { rss1 = rssKiB(s.pid); }, HOLD_MS / 2);
        cpu = cpuOverWindow(s.pid, HOLD_MS + o.warmup * 1000, o.duration * 1000);
      },
    });
    checkAlive(s);
    if (rss0 === null || rss1 === null) throw new BenchError('could not read the server RSS');
    const row = pointRow(server, label, pass, idle, r, baseRps, await cpu);
    Object.assign(row, {
      wake_samples: r.wake_us.length, wake_p50_us: pct(r.wake_us, 0.5), wake_p99_us: pct(r.wake_us, 0.99),
      wake_max_us: pct(r.wake_us, 1), wake_pending: r.wake_pending, wake_pending_max_us: r.wake_pending_max_us,
      rss_before_kib: rss0, rss_idle_kib: rss1, bytes_per_idle_conn: Math.round(((rss1 - rss0) * 1024) / idle),
    });
    progress(`${tag}: ${idle} idle: ${Math.round(r.rps)} req/s (${row.ratio_to_no_idle}x), server ${row.server_us_per_req ?? '-'} us/req, wake-up p50 ${row.wake_p50_us} us`);
    return row;
  } catch (e) {
    progress(`${tag} ${idle} idle: error: ${reason(e)}`);
    return errorRow('many', server, reason(e), { variant: label, round: pass, size: SIZE, concurrency: ACTIVE, idle });
  }
}

/** Scenario 4 over every server and variant. */
export async function manyScenario(env: BenchEnv, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const servers: ServerName[] = ['wasmux-node', 'wasmux-wasmtime', 'wasmux-wasmtime-latest', 'c-epoll'];
  for (const server of servers.filter((s) => !o.servers || o.servers.has(s))) {
    const variants: Array<Variant | null> = server.startsWith('wasmux-') ? variantsOf(env, o) : [null];
    for (const v of variants) {
      progress(`many ${server} ${v ? v.name : 'native'}: 1 KiB x ${ACTIVE}, idle ${[0, ...o.idle].join(', ')} ...`);
      try {
        rows.push(...(await measureServer(env, o, server, v)));
      } catch (e) {
        for (const idle of [0, ...o.idle]) rows.push(errorRow('many', server, reason(e), { variant: v ? v.name : 'native', size: SIZE, concurrency: ACTIVE, idle }));
        progress(`many ${server}: error: ${reason(e)}`);
      }
    }
  }
  return rows;
}
