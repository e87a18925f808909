// The network scenarios: real clients (3) and the proxy (5), and what the scenarios share; closed-loop echo (2) is in
// echo.ts, many connections (4) in many.ts.
import { join } from 'node:path';
import { runClient } from './client.js';
import type { BenchEnv } from './env.js';
import { runCommand } from './proc.js';
import { BenchError, startProxy, startServer, type RunningServer, type ServerName } from './servers.js';
import { errorRow, progress, type Options, type Row } from './types.js';

export function reason(e: unknown): string {
  return e instanceof BenchError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

/** The guest module of a wasmux server (build/NAME.wasm); undefined for a peer. */
export function moduleFor(env: BenchEnv, server: ServerName, name: string): string | undefined {
  return server.startsWith('wasmux-') ? join(env.root, 'build', `${name}.wasm`) : undefined;
}

export async function withServer<T>(env: BenchEnv, server: ServerName, module: string | undefined, fn: (s: RunningServer) => Promise<T>,
  guestEnv: Record<string, string> = {}): Promise<T> {
  const s = await startServer(env, server, module, guestEnv);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/** Did the server die during a step? Turns a vanished server into a clear error. */
export function checkAlive(s: RunningServer): void {
  if (s.proc.child.exitCode !== null || s.proc.child.signalCode !== null) {
    const tail = s.proc.stderrTail().trim().split('\n').slice(-2).join(' / ');
    throw new BenchError(`${s.name} exited (${s.proc.child.exitCode ?? s.proc.child.signalCode})${tail ? `: ${tail}` : ''}`);
  }
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Parses wrk's "Latency Distribution" lines: "50%  1.23ms". */
function wrkPercentile(out: string, p: string): number | null {
  const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!m) return null;
  const v = Number(m[1]);
  return m[2] === 'us' ? v : m[2] === 'ms' ? v * 1000 : v * 1e6;
}

function wrkBytes(s: string): number {
  const m = /([\d.]+)([KMG]?B)/.exec(s);
  if (!m) return 0;
  const mult: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
  return Number(m[1]) * (mult[m[2]] ?? 1);
}

/** Scenario 3: wrk against http.wasm (both hosts) and Node's http; redis-benchmark against kv.wasm and redis. */
export async function realClientsScenario(env: BenchEnv, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const dur = Math.max(1, Math.round(o.duration * 2));
  const conns = o.quick ? 50 : 100;
  const httpServers: ServerName[] = ['wasmux-node', 'wasmux-wasmtime', 'node-http'];
  for (const server of httpServers.filter((s) => !o.servers || o.servers.has(s))) {
    progress(`http (wrk) ${server} ...`);
    try {
      if (!env.wrk.path) throw new BenchError(env.wrk.reason);
      const row = await withServer(env, server, moduleFor(env, server, 'http'), async (s) => {
        const r = await runCommand(env.wrk.path!, ['-t2', `-c${conns}`, `-d${dur}s`, '--latency', '--timeout', '5s', `http://${s.host}:${s.port}/`], (dur + 30) * 1000);
        checkAlive(s);
        if (r.timedOut) throw new BenchError('wrk timed out');
        const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
        if (r.code !== 0 || !rps) throw new BenchError(`wrk failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
        const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
        const sockErr = /Socket errors:(.*)/.exec(r.stdout)?.[1]?.trim() ?? '';
        const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
        if (total === 0) throw new BenchError('wrk completed no request');
        const transfer = wrkBytes(/Transfer\/sec:\s+(\S+)/.exec(r.stdout)?.[1] ?? '0B');
        const out: Row = {
          scenario: 'http-wrk', server, size: null, concurrency: conns, rps: Number(rps[1]), mibps: transfer / 1024 / 1024,
          p50_us: wrkPercentile(r.stdout, '50'), p99_us: wrkPercentile(r.stdout, '99'), requests: total, non_2xx: non2xx,
        };
        if (sockErr) out.socket_errors = sockErr;
        return out;
      });
      rows.push(row);
      progress(`http (wrk) ${server}: ${Math.round(row.rps ?? 0)} req/s`);
    } catch (e) {
      rows.push(errorRow('http-wrk', server, reason(e), { concurrency: conns }));
      progress(`http (wrk) ${server}: error: ${reason(e)}`);
    }
  }

  const kvServers: ServerName[] = ['wasmux-node', 'wasmux-wasmtime', 'redis'];
  const n = o.quick ? 20000 : 200000;
  for (const server of kvServers.filter((s) => !o.servers || o.servers.has(s))) {
    progress(`kv (redis-benchmark -P 16) ${server} ...`);
    try {
      if (!env.redisBenchmark.path) throw new BenchError(env.redisBenchmark.reason);
      const got = await withServer(env, server, moduleFor(env, server, 'kv'), async (s) => {
        const r = await runCommand(env.redisBenchmark.path!, ['-h', s.host, '-p', String(s.port), '-P', '16', '-c', '50', '-t', 'set,get', '-n', String(n), '--csv'], o.quick ? 30000 : 120000);
        checkAlive(s);
        if (r.timedOut) throw new BenchError('redis-benchmark timed out (server did not answer every request)');
        const lines = r.stdout.split('\n').filter((l) => /^"(SET|GET)"/.test(l));
        if (lines.length === 0) throw new BenchError(`redis-benchmark failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
        return lines.map((l): Row => {
          const f = l.split(',').map((x) => x.replace(/"/g, ''));
          return {
            scenario: `kv-${f[0].toLowerCase()}`, server, size: 3, concurrency: 50, rps: Number(f[1]), mibps: null,
            p50_us: Number(f[4]) * 1000, p99_us: Number(f[6]) * 1000, pipeline: 16, requests: n,
          };
        });
      });
      rows.push(...got);
      progress(`kv ${server}: ${got.map((g) => `${g.scenario} ${Math.round(g.rps ?? 0)}/s`).join(', ')}`);
    } catch (e) {
      for (const t of ['kv-set', 'kv-get']) rows.push(errorRow(t, server, reason(e), { concurrency: 50, pipeline: 16 }));
      progress(`kv ${server}: error: ${reason(e)}`);
    }
  }
  return rows;
}

/**
 * Proxy: the closed-loop echo client against the C epoll echo server, directly and through build/proxy.wasm on
 * the Node host (so the proxy, not the upstream, is the limit). Rows: server 'c-epoll' (direct) and
 * 'wasmux-proxy' (through the proxy), with `ratio_to_direct` on the proxied ones.
 */
export async function proxyScenario(env: BenchEnv, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const sizes = o.sizes.filter((s) => s <= 10240);
  try {
    await withServer(env, 'c-epoll', undefined, async (upstream) => {
      const proxy = await startProxy(env, upstream);
      try {
        for (const size of sizes) {
          for (const conc of o.concurrencies) {
            const measured: Record<string, number> = {};
            for (const [server, target] of [['c-epoll', upstream], ['wasmux-proxy', proxy]] as const) {
              progress(`proxy ${server} ${size / 1024} KiB x ${conc} ...`);
              try {
                checkAlive(target);
                const r = await runClient(env, { host: target.host, port: target.port, size, concurrency: conc, duration: o.duration, warmup: o.warmup });
                measured[server] = r.rps;
                rows.push({
                  scenario: 'proxy', server, size, concurrency: conc, rps: r.rps, mibps: r.mibps, p50_us: r.p50_us, p99_us: r.p99_us,
                  requests: r.requests, errors: r.errors, client_cpu: round(r.client_cpu, 3),
                  ...(server === 'wasmux-proxy' && measured['c-epoll'] ? { ratio_to_direct: round(r.rps / measured['c-epoll'], 3) } : {}),
                });
              } catch (e) {
                rows.push(errorRow('proxy', server, reason(e), { size, concurrency: conc }));
              }
            }
          }
        }
      } finally {
        await proxy.stop();
      }
    });
  } catch (e) {
    rows.push(errorRow('proxy', 'wasmux-proxy', reason(e)));
  }
  return rows;
}
