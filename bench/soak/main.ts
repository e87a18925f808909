// `wasmux soak`: runs every chosen host+server pair (several at once with --parallel), prints a progress line
// every --interval, then the table; writes soak.json and soak.svg to --out; exits 1 with one line per missed
// goal (stderr), 2 on a usage error. Every server is a child process, killed on exit and on a signal.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { root } from '../driver/env.js';
import { locateWasmtime } from '../../host/wasmtime/locate.js';
import { hookExit, killAll, unhookExit } from '../driver/proc.js';
import { parseSoakArgs, SOAK_HELP, SoakUsage, type SoakOptions } from './options.js';
import { runPair, samplePair, type LivePair, type PairResult } from './pair.js';
import { renderSvg, renderTable } from './report.js';
import { StartGate } from './start-gate.js';

function say(line: string): void { process.stderr.write(`soak: ${line}\n`); }

const short = (n: number) => (n >= 10000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));

/** One progress line: time, and per running pair its ops/s since the last line and its RSS. */
function progressLine(opts: SoakOptions, live: LivePair[], last: Map<LivePair, number>, dt: number): string {
  const parts: string[] = [];
  let lost = 0, unexpected = 0;
  for (const p of live) {
    if (!p.ctx) continue;
    const c = p.ctx.counters;
    const rate = (c.ops - (last.get(p) ?? 0)) / dt;
    last.set(p, c.ops);
    const rss = p.samples[p.samples.length - 1]?.rss_kib;
    parts.push(`${p.host}/${p.server} ${short(rate)}/s ${rss ? `${(rss / 1024).toFixed(0)}M` : '-'}`);
    lost += c.bytesLost + c.bytesWrong;
    unexpected += c.unexpectedErrors;
  }
  const t = Math.max(0, ...live.filter((p) => p.ctx).map((p) => (Date.now() - p.startedAt) / 1000));
  return `[${t.toFixed(0).padStart(4)}/${opts.durationS} s] ${parts.join('  ')}  | lost ${lost} B, unexpected ${unexpected}`;
}

/** Runs `work` over `items` with at most `limit` at once, keeping the order of the results. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await work(items[i], i); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The wasmtime the wasmtime pairs run on, for the report ("path (version)"), or why there is none. */
async function wasmtimeUsed(opts: SoakOptions): Promise<string | null> {
  if (!opts.hosts.includes('wasmtime')) return null;
  try {
    const w = await locateWasmtime();
    return `${w.version} (${w.path})`;
  } catch (e) {
    return `none: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function missingBuild(opts: SoakOptions): string | null {
  if (!existsSync(join(root, 'dist', 'host', 'cli', 'main.js'))) return 'dist/host/cli/main.js is missing (npm run build)';
  for (const s of opts.servers) if (!existsSync(join(root, 'build', `${s}.wasm`))) return `build/${s}.wasm is missing (npm run build:wasm)`;
  return null;
}

/** Runs the soak with argv; resolves with the exit code (0 all goals met, 1 a goal missed, 2 usage). */
export async function runSoak(argv: string[]): Promise<number> {
  let parsed: SoakOptions | 'help';
  try {
    parsed = parseSoakArgs(argv);
  } catch (e) {
    if (e instanceof SoakUsage) { process.stderr.write(`wasmux soak: ${e.message}\n`); return 2; }
    throw e;
  }
  if (parsed === 'help') { process.stdout.write(SOAK_HELP); return 0; }
  const opts = parsed;
  const missing = missingBuild(opts);
  if (missing) { process.stderr.write(`wasmux soak: ${missing}\n`); return 1; }
  const pairs: LivePair[] = opts.hosts.flatMap((host) => opts.servers.map((server) => ({
    host, server, startedAt: Date.now(), ctx: null, rssPid: null, samples: [],
  })));
  say(`${pairs.length} pair(s), ${opts.connections} connections each, ${opts.durationS} s each, ${Math.min(opts.parallel, pairs.length)} at a time, seed ${opts.seed}`);
  hookExit();
  const last = new Map<LivePair, number>();
  let lastTick = Date.now();
  const ticker = setInterval(() => {
    for (const p of pairs) samplePair(p);
    const now = Date.now();
    say(progressLine(opts, pairs, last, (now - lastTick) / 1000));
    lastTick = now;
  }, opts.intervalS * 1000);
  let results: PairResult[];
  try {
    // Pairs that all run at once start their traffic together, so they also end together (see start-gate.ts).
    const gate = new StartGate(opts.parallel >= pairs.length ? pairs.length : 1);
    results = await pooled(pairs, opts.parallel, (p, i) => runPair(root, opts, p, (opts.seed + i * 7919) % 0x7fffffff, gate));
  } catch (e) {
    process.stderr.write(`wasmux soak: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    return 1;
  } finally {
    clearInterval(ticker);
    killAll();
    unhookExit();
  }
  process.stdout.write(renderTable(results));
  if (opts.out) {
    const dir = resolve(opts.out);
    mkdirSync(dir, { recursive: true });
    const c = cpus();
    const doc = {
      tool: 'wasmux soak',
      date: new Date().toISOString(),
      machine: {
        cpus: c.length, model: c[0]?.model ?? 'unknown', mem: totalmem(), node: process.version, kernel: release(),
        wasmtime: await wasmtimeUsed(opts),
      },
      options: {
        duration_s: opts.durationS, connections: opts.connections, seed: opts.seed, interval_s: opts.intervalS,
        parallel: Math.min(opts.parallel, pairs.length), max_size: opts.maxSize, stall_s: opts.stallS,
        hosts: opts.hosts, servers: opts.servers, node_flags: opts.nodeFlags,
      },
      passed: results.every((r) => r.misses.length === 0),
      misses: results.flatMap((r) => r.misses),
      results,
    };
    writeFileSync(join(dir, 'soak.json'), JSON.stringify(doc, null, 1) + '\n');
    writeFileSync(join(dir, 'soak.svg'), renderSvg(results,
      `wasmux soak, ${doc.date.slice(0, 10)}: ${opts.connections} connections per pair, ${opts.durationS} s, ${c.length} x ${doc.machine.model}`));
    say(`wrote ${join(dir, 'soak.json')} and soak.svg`);
  }
  const missed = results.flatMap((r) => r.misses);
  for (const m of missed) process.stderr.write(`wasmux soak: missed: ${m}\n`);
  if (missed.length === 0) say('every goal met');
  return missed.length ? 1 : 0;
}

// Also runnable directly (node dist/bench/soak/main.js ...), without the CLI around it.
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  runSoak(process.argv.slice(2)).then((code) => process.exit(code), () => process.exit(1));
}
