// Scenario 1: the cost of one select call as the number of registered fds grows, one fd ready.
// (a) the guest's own work: build/bench/select-cost.wasm in this process with fake WASI imports whose poll_oneoff
//     answers one ready event at once, timed from JS with process.hrtime;
// (b) the whole call on each host: the same guest with BENCH_MODE=real under the Node host and wasmtime, with N real
//     loopback connections to its listener (one has a byte waiting), timed by the guest's monotonic clock;
// (c) peers: CPython's select.select, select.poll and selectors.DefaultSelector on N socket-pair ends.
import { existsSync, readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { refreshComponentGuest, type BenchEnv } from './env.js';
import { runCommand, sleep, spawnChild } from './proc.js';
import { BenchError, HOST, childEnv, serverCommand, type ServerName } from './servers.js';
import { freePort } from './proc.js';
import { errorRow, progress, type Options, type Row } from './types.js';
import { variantModule, variantsOf, type Variant } from './variants.js';

interface GuestExports {
  memory: WebAssembly.Memory;
  _start(): void;
  selectorSetup(n: number): void;
  selectorRun(k: number): number;
  selectSetup(n: number): void;
  selectRun(k: number): number;
}

class FakeExit extends Error {}

/** Instantiates the bench guest with imports that answer at once: poll_oneoff reports its first subscription ready. */
function instantiateFake(bytes: Buffer): GuestExports {
  const mod = new WebAssembly.Module(bytes);
  let mem: WebAssembly.Memory | null = null;
  const dv = () => new DataView(mem!.buffer);
  const wasi: Record<string, (...a: number[]) => number> = {
    poll_oneoff: (inPtr, outPtr, nsubs, neventsOut) => {
      const v = dv();
      if (nsubs === 0) return 28;
      v.setBigUint64(outPtr, v.getBigUint64(inPtr, true), true); // userdata of subscription 0
      v.setUint16(outPtr + 8, 0, true); // error
      v.setUint8(outPtr + 10, v.getUint8(inPtr + 8)); // type = the subscription's tag
      v.setBigUint64(outPtr + 16, 1n, true); // nbytes
      v.setUint16(outPtr + 24, 0, true); // flags
      v.setUint32(neventsOut, 1, true);
      return 0;
    },
    environ_sizes_get: (countOut, sizeOut) => { dv().setUint32(countOut, 0, true); dv().setUint32(sizeOut, 0, true); return 0; },
    environ_get: () => 0,
    clock_time_get: (_id, _prec, out) => { dv().setBigUint64(out, process.hrtime.bigint(), true); return 0; },
    fd_write: (_fd, iovs, iovsLen, nwritten) => {
      const v = dv();
      let n = 0;
      for (let i = 0; i < iovsLen; i++) n += v.getUint32(iovs + i * 8 + 4, true);
      v.setUint32(nwritten, n, true);
      return 0;
    },
    fd_fdstat_get: () => 0,
    proc_exit: () => { throw new FakeExit('proc_exit'); },
  };
  const imports: WebAssembly.Imports = { wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.kind !== 'function') continue;
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = wasi[imp.name] ?? (() => 52 /* NOSYS */);
  }
  const inst = new WebAssembly.Instance(mod, imports);
  const ex = inst.exports as unknown as GuestExports;
  mem = ex.memory;
  try { ex._start(); } catch (e) { if (!(e instanceof FakeExit)) throw e; }
  return ex;
}

/** Best of 3 timings of run(k), k grown until one timing lasts >= targetMs. Returns ns per call and ready per call. */
function timeCalls(run: (k: number) => number, targetMs: number): { ns: number; ready: number; calls: number } {
  run(10);
  let k = 10;
  for (;;) {
    const t0 = process.hrtime.bigint();
    run(k);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= targetMs || k >= 1 << 24) break;
    k *= ms < targetMs / 10 ? 10 : 2;
  }
  let best = Infinity;
  let ready = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    ready = run(k);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / k);
  }
  return { ns: best, ready: ready / k, calls: k };
}

function coreRow(server: string, api: string, fds: number, ns: number, ready: number, calls: number, extra: Partial<Row> = {}): Row {
  return {
    scenario: 'core', server, size: null, concurrency: null, rps: 1e9 / ns, mibps: null, p50_us: null, p99_us: null,
    api, fds, ns_per_call: Math.round(ns * 10) / 10, ready_per_call: Math.round(ready * 100) / 100, calls, ...extra,
  };
}

async function guestCore(env: BenchEnv, o: Options): Promise<Row[]> {
  if (!env.guest.path) return o.coreNs.map((n) => errorRow('core', 'wasmux-guest', env.guest.reason, { fds: n, api: 'Selector.select' }));
  const rows: Row[] = [];
  const ex = instantiateFake(readFileSync(env.guest.path));
  const target = o.smoke ? 5 : o.quick ? 20 : 100;
  for (const n of o.coreNs) {
    ex.selectorSetup(n);
    const a = timeCalls((k) => ex.selectorRun(k), target);
    rows.push(coreRow('wasmux-guest', 'Selector.select', n, a.ns, a.ready, a.calls, { imports: 'fake' }));
    ex.selectSetup(n);
    const b = timeCalls((k) => ex.selectRun(k), n >= 10000 ? target / 2 : target);
    rows.push(coreRow('wasmux-guest', 'select()', n, b.ns, b.ready, b.calls, { imports: 'fake' }));
    progress(`core guest ${n} fds: Selector.select ${a.ns.toFixed(0)} ns, select() ${b.ns.toFixed(0)} ns`);
  }
  return rows;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: HOST, port });
    s.once('connect', () => { s.removeAllListeners('error'); s.on('error', () => {}); resolve(s); });
    s.once('error', reject);
  });
}

/** Connections waiting in the accept queue of the LISTEN socket on `port` (from /proc/net/tcp), 0 if unknown. */
function acceptQueue(port: number): number {
  try {
    const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(hex) && f[3] === '0A') return parseInt(f[4].split(':')[1], 16);
    }
  } catch { /* not Linux */ }
  return 0;
}

/** (b): the bench guest (of variant `v`) on a real host with N loopback connections. */
async function hostCore(env: BenchEnv, o: Options, server: ServerName, v: Variant): Promise<Row[]> {
  const api = 'Selector.select';
  const fail = (why: string) => o.coreNs.map((n) => errorRow('core', server, why, { fds: n, api, variant: v.name }));
  if (!env.guest.path) return fail(env.guest.reason);
  const guest = variantModule(v, 'bench/select-cost');
  if (!existsSync(guest)) return fail(`${guest} is missing`);
  if (server === 'wasmux-wasmtime-latest' && v.dir === join(env.root, 'build')) {
    const why = refreshComponentGuest(env.buildDir);
    if (why) return fail(why);
  }
  const maxN = Math.max(...o.coreNs);
  const budget = o.smoke ? 30 : o.quick ? 100 : 300;
  const socks: Socket[] = [];
  let proc: ReturnType<typeof spawnChild> | undefined;
  try {
    const port = await freePort(HOST);
    const [cmd, ...args] = serverCommand(env, server, port, guest, {
      BENCH_MODE: 'real', BENCH_NS: o.coreNs.join(','), BENCH_BUDGET_MS: String(budget), ...v.env,
    });
    proc = spawnChild(cmd, args, { cwd: env.root, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    const rows: Row[] = [];
    let buf = '';
    let done = false;
    proc.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        if (l.trim() === 'done') done = true;
        else if (l.startsWith('{')) {
          const r = JSON.parse(l) as { n: number; calls: number; ns_per_call: number; ready_per_call: number; full_polls?: number };
          rows.push(coreRow(server, api, r.n, r.ns_per_call, r.ready_per_call, r.calls, { imports: 'real', variant: v.name, full_polls: r.full_polls ?? null }));
          progress(`core ${server} ${v.name} ${r.n} fds: ${r.ns_per_call.toFixed(0)} ns per select (${r.ready_per_call} ready, ${r.full_polls ?? '?'} full polls in ${r.calls} calls)`);
        }
      }
    });
    // The listener must be up before we connect; no probe connection (the guest would accept it as one of its N).
    const deadline = Date.now() + 60000;
    for (;;) {
      if (proc.child.exitCode !== null) throw new BenchError(`${server} exited: ${proc.stderrTail().trim().split('\n').pop() ?? ''}`);
      if (Date.now() > deadline) throw new BenchError(`${server} did not start listening`);
      try { socks.push(await connect(port)); break; } catch { await sleep(50); }
    }
    socks[0].write('!'); // the first connection accepted is the one ready fd
    await sleep(50);
    // Batches smaller than the listener's backlog, each waiting until the guest has drained the accept queue: an
    // overflowing queue drops handshakes that the client already counts as connected, and the guest would wait for
    // connections that never come.
    for (let i = 1; i < maxN; i += 64) {
      const batch = [];
      for (let j = i; j < Math.min(maxN, i + 64); j++) batch.push(connect(port));
      socks.push(...(await Promise.all(batch)));
      for (let t = 0; t < 200 && acceptQueue(port) > 8; t++) await sleep(10);
    }
    const end = Date.now() + 60000 + (budget * o.coreNs.length);
    while (!done && Date.now() < end && proc.child.exitCode === null) await sleep(50);
    if (!done) {
      const tail = proc.stderrTail().trim().split('\n').filter(Boolean).slice(-2).join(' / ');
      const why = `${proc.child.exitCode !== null ? 'exited' : 'timed out'} after ${socks.length} connections${tail ? `: ${tail}` : ''}`;
      const got = new Set(rows.map((r) => r.fds));
      return [...rows, ...fail(`${server} ${why}`).filter((r) => !got.has(r.fds))];
    }
    return rows;
  } catch (e) {
    return fail(e instanceof BenchError ? e.message : `internal error: ${(e as Error).message}`);
  } finally {
    for (const s of socks) s.destroy();
    await proc?.kill();
  }
}

/** (c): CPython's select.select / select.poll / selectors.DefaultSelector. */
async function pythonCore(env: BenchEnv, o: Options): Promise<Row[]> {
  if (!env.python.path) return [errorRow('core', 'python-selectors', env.python.reason)];
  const k = o.smoke ? 200 : o.quick ? 1000 : 5000;
  const r = await runCommand(env.python.path, [join(env.root, 'bench', 'peers', 'select_peers.py'), String(k), ...o.coreNs.map(String)], 300000);
  const rows: Row[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const j = JSON.parse(line) as { api: string; n: number; k: number; ns_per_call: number; ready: number };
    rows.push(coreRow('python-selectors', j.api, j.n, j.ns_per_call, j.ready, j.k));
  }
  if (rows.length === 0) return [errorRow('core', 'python-selectors', `select_peers.py failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`)];
  progress(`core python: ${rows.length} points`);
  return rows;
}

export async function coreScenario(env: BenchEnv, o: Options): Promise<Row[]> {
  progress(`core: guest cost with fake imports, ${o.coreNs.join(', ')} fds`);
  const rows = await guestCore(env, o);
  for (const server of ['wasmux-node', 'wasmux-wasmtime', 'wasmux-wasmtime-latest'] as ServerName[]) {
    if (o.servers && !o.servers.has(server)) continue;
    for (const v of variantsOf(env, o)) {
      progress(`core: ${server} ${v.name} with real sockets ...`);
      rows.push(...(await hostCore(env, o, server, v)));
    }
  }
  if (!o.servers || o.servers.has('python-selectors')) {
    progress('core: python select/poll/selectors ...');
    rows.push(...(await pythonCore(env, o)));
  }
  return rows;
}
