// Scenario 2: closed-loop echo (vmbench method), every server x size x concurrency x round, each round its own
// row. With --node LIST the Node-side servers (the Node host, its baseline, Node `net`) run once per listed Node,
// named kind@LABEL, side by side with the others in the same rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultWaitStrategy } from '../../host/wait/strategy.js';
import { runClient } from './client.js';
import type { BenchEnv } from './env.js';
import { NODE_SERVERS, type NodeBinary } from './nodes.js';
import { cpuTimes, sleep } from './proc.js';
import { checkAlive, moduleFor, reason, round } from './scenarios.js';
import { startServer, type OnNode, type RunningServer, type ServerName } from './servers.js';
import { readProfile, turnFigures } from './turn-profile.js';
import { errorRow, progress, type Options, type Row } from './types.js';

const ECHO_SERVERS: ServerName[] = ['wasmux-node', 'wasmux-wasmtime', 'wasmux-wasmtime-latest', 'node-net', 'python-selectors', 'uvloop', 'c-epoll'];

/** One echo server of the run, started once and measured in every round (or why it could not start). */
type EchoServer = {
  kind: ServerName;
  name: string;
  /** Fields every row of this server carries: the Node version and, for the Node host, its wait strategy. */
  tags: Partial<Row>;
  on: OnNode | undefined;
  s: RunningServer | null;
  error: string | null;
  profile: string | null;
};

/** The servers of this run: every kind wanted by --servers, a Node-side kind once per --node entry. */
function echoServers(env: BenchEnv, o: Options): Array<Omit<EchoServer, 's' | 'profile'>> {
  const kinds = [...ECHO_SERVERS, ...(env.hostBaseline ? ['wasmux-node-base' as const] : [])];
  const out: Array<Omit<EchoServer, 's' | 'profile'>> = [];
  const wanted = (kind: string, name: string) => !o.servers || o.servers.has(kind) || o.servers.has(name) ||
    (kind === 'wasmux-node-base' && o.servers.has('wasmux-node'));
  for (const kind of kinds) {
    const isHost = kind.startsWith('wasmux-node');
    if (!NODE_SERVERS.includes(kind) || !env.nodes?.length) {
      const tags = NODE_SERVERS.includes(kind) ? { node: process.versions.node, ...(isHost ? { wait: defaultWaitStrategy() } : {}) } : {};
      if (wanted(kind, kind)) out.push({ kind, name: kind, tags, on: undefined, error: null });
      continue;
    }
    for (const n of env.nodes as NodeBinary[]) {
      const name = `${kind}@${n.label}`;
      if (!wanted(kind, name)) continue;
      const tags = { node: n.version, ...(isHost ? { wait: n.wait } : {}) };
      out.push({ kind, name, tags, on: n.path ? { label: n.label, path: n.path } : undefined, error: n.error });
    }
  }
  return out;
}

/**
 * Every server is started first; then each round measures every point on every server in turn (interleaved, so
 * that a noisy neighbour hits them alike).
 */
export async function echoScenario(env: BenchEnv, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const servers: EchoServer[] = [];
  const profDir = o.profile ? mkdtempSync(join(tmpdir(), 'wasmux-prof-')) : null;
  try {
    for (const spec of echoServers(env, o)) {
      const profile = profDir && spec.kind.startsWith('wasmux-node') ? join(profDir, `${spec.name}.json`) : null;
      if (spec.error) {
        servers.push({ ...spec, s: null, profile });
        progress(`echo ${spec.name}: error: ${spec.error}`);
        continue;
      }
      try {
        // The old host runs the old guests too when --baseline names their build directory: the whole stack before.
        const module = spec.kind === 'wasmux-node-base' && o.baseline ? join(o.baseline, 'echo.wasm') : moduleFor(env, spec.kind, 'echo');
        const s = await startServer(env, spec.kind, module, {}, 'ignore', profile ? { WASMUX_PROFILE: profile } : {}, spec.on);
        // The host writes its first counters 250 ms after it starts: round 1 needs them as its starting point.
        for (let t = 0; profile && t < 40 && !readProfile(profile); t++) await sleep(50);
        servers.push({ ...spec, s, profile });
      } catch (e) {
        servers.push({ ...spec, s: null, error: reason(e), profile });
        progress(`echo ${spec.name}: error: ${reason(e)}`);
      }
    }
    for (let pass = 1; pass <= o.rounds; pass++) {
      for (const size of o.sizes) {
        for (const conc of o.concurrencies) {
          for (const srv of servers) rows.push(await measurePoint(env, o, srv, size, conc, pass));
        }
      }
    }
  } finally {
    for (const srv of servers) if (srv.s) await srv.s.stop();
    if (profDir) rmSync(profDir, { recursive: true, force: true });
  }
  return rows;
}

/** One row: the closed loop against one server at one size x concurrency in one round (or an error row). */
async function measurePoint(env: BenchEnv, o: Options, srv: EchoServer, size: number, conc: number, pass: number): Promise<Row> {
  const server = srv.name;
  const tag = `echo ${server} ${size / 1024} KiB x ${conc}${o.rounds > 1 ? ` round ${pass}` : ''}`;
  if (!srv.s) return errorRow('echo', server, srv.error!, { size, concurrency: conc, round: pass, ...srv.tags });
  const s = srv.s;
  progress(`${tag} ...`);
  try {
    checkAlive(s);
    const prof0 = srv.profile ? readProfile(srv.profile) : null;
    const cpu0 = cpuTimes(s.pid);
    const t0 = Date.now();
    const r = await runClient(env, { host: s.host, port: s.port, size, concurrency: conc, duration: o.duration, warmup: o.warmup });
    const cpu1 = cpuTimes(s.pid);
    const wall = (Date.now() - t0) / 1000;
    if (srv.profile) await new Promise((res) => setTimeout(res, 300)); // the host rewrites its counters every 250 ms
    const prof = srv.profile ? turnFigures(prof0, readProfile(srv.profile)) : {};
    checkAlive(s);
    progress(`${tag}: ${Math.round(r.rps)} req/s, p50 ${Math.round(r.p50_us)} us, p99 ${Math.round(r.p99_us)} us`);
    return {
      scenario: 'echo', server, ...srv.tags, size, concurrency: conc, round: pass, rps: r.rps, mibps: r.mibps, p50_us: r.p50_us, p99_us: r.p99_us,
      requests: r.requests, errors: r.errors, client_processes: r.processes, client_cpu: round(r.client_cpu, 3),
      server_cpu: cpu0 !== null && cpu1 !== null ? round((cpu1.user + cpu1.sys - cpu0.user - cpu0.sys) / wall, 3) : null,
      // user CPU per request: the server's own work (its syscalls are the same for every server: one read, one write)
      server_user_us: cpu0 !== null && cpu1 !== null && r.rps > 0 ? round((cpu1.user - cpu0.user) / wall / r.rps * 1e6, 2) : null, ...prof,
    };
  } catch (e) {
    progress(`${tag}: error: ${reason(e)}`);
    return errorRow('echo', server, reason(e), { size, concurrency: conc, round: pass, ...srv.tags });
  }
}
