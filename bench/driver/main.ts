// `wasmux bench`: the benchmark driver. Scenarios: core (select cost vs registered fds), echo (closed
// loop, vmbench method; with --node on several Nodes side by side), real (wrk and redis-benchmark), many (idle
// connections next to a busy closed loop), proxy (proxy.wasm vs direct). Every server and client runs in a child
// process with a timeout; a missing or broken peer becomes an error row; every child is killed on
// exit. Progress goes to stderr, the tables to stdout, and with --json FILE the results to FILE and a chart to
// FILE's name with .svg.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { coreScenario } from './core.js';
import { machine, prepareEnv } from './env.js';
import { hookExit, killAll, unhookExit } from './proc.js';
import { echoRatios } from './ratios.js';
import { manyRatios } from './many-ratios.js';
import { renderSvg, renderTables } from './report.js';
import { manyScenario } from './many.js';
import { echoScenario } from './echo.js';
import { resolveNodes } from './nodes.js';
import { proxyScenario, realClientsScenario } from './scenarios.js';
import { progress, type Options, type Row } from './types.js';
import { VARIANT_NAMES } from './variants.js';

const BENCH_HELP = `Usage: wasmux bench [options]

Runs the wasmux benchmark (see docs/bench.md) and prints its tables.

Options:
  --quick             Smoke-sized run (< 2 min): short points, 1 KiB only, 1,000 idle connections
  --smoke             Tiny run for tests (< 30 s): core loop up to 100 fds, one echo point on wasmux-node,
                      c-epoll and python-selectors
  --only LIST         Scenarios to run, comma-separated: core, echo, real, many, proxy (default: all)
  --servers LIST      Only these servers (wasmux-node, wasmux-wasmtime, wasmux-wasmtime-latest, node-net,
                      python-selectors, uvloop, c-epoll, node-http, redis; with --node also e.g. node-net@26)
  --json FILE         Write {"machine", "options", "results", "echo_ratios"} to FILE (every row, every round)
                      and the chart to FILE with .svg
  --duration S        Seconds measured per echo point (default 5; --quick 1)
  --idle LIST         Idle connection counts in the many scenario, comma-separated (default 5000,10000; --quick 1000)
  --variants LIST     Guest variants for core and many: hot (the default build), full (WASMUX_WAKE_MS=0: every
                      select polls every fd); default hot
  --baseline DIR      Also measure the guests of another build directory (e.g. a main checkout's build/) as
                      variant 'baseline', side by side with the others
  --sizes LIST        Echo message sizes in bytes, comma-separated (default 1024,10240,102400)
  --concurrency LIST  Echo connection counts, comma-separated (default 10,100)
  --rounds N          Echo: measure every point N times, servers interleaved in each round (default 1); every
                      round is a row, and the ratio tables divide round i by the peer's round i and show the
                      median [lowest..highest] of those ratios, for req/s and for p99 latency. Many: the no-idle
                      point and the idle points N times in one server process, each idle point divided by its
                      own round's no-idle point, summarised the same way
  --node LIST         Echo: run the Node-side servers (wasmux-node, node-net, wasmux-node-base) on each of these
                      Nodes instead of this one, side by side, named e.g. wasmux-node@26 and node-net@26; a
                      version (20, 22, 24, 26: pinned by scripts/ensure-node.sh, installed from npm on first use)
                      or a path to a node binary; comma-separated. Each host is compared with node-net on its Node
  --host-baseline DIR Echo: also run the Node host of another dist directory (e.g. a copy of dist/ from before a
                      change) as server 'wasmux-node-base', side by side; same guests, or with --baseline the
                      guests of that build directory (the whole stack before)
  --profile           Echo: run the Node host(s) with WASMUX_PROFILE and report the per-turn profile and the
                      embedder's timer lag of every point
  -h, --help          Show this help
`;

const SCENARIOS = ['core', 'echo', 'real', 'many', 'proxy'];

class Usage extends Error {}

function parseBenchArgs(argv: string[]): Options | 'help' {
  const o: Options = {
    quick: false, smoke: false, only: null, json: null, duration: 5, warmup: 1, sizes: [1024, 10240, 102400],
    concurrencies: [10, 100], idle: [5000, 10000], coreNs: [1, 10, 100, 1000, 10000], servers: null,
    variants: ['hot'], baseline: null, rounds: 1, hostBaseline: null, profile: false, nodes: null,
  };
  let sizes: number[] | null = null;
  let concurrencies: number[] | null = null;
  const ints = (name: string, v: string) => {
    const l = v.split(',').map((x) => Number(x.trim()));
    if (l.length === 0 || l.some((n) => !(n >= 1) || !Number.isInteger(n))) throw new Usage(`${name} must be positive integers, comma-separated`);
    return l;
  };
  let duration: number | null = null;
  let idle: number[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { value = a.slice(eq + 1); a = a.slice(0, eq); }
    const take = () => {
      const v = value ?? argv[++i];
      if (v === undefined) throw new Usage(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '-h': case '--help': return 'help';
      case '--quick': o.quick = true; break;
      case '--smoke': o.smoke = true; break;
      case '--json': o.json = resolve(take()); break;
      case '--only': {
        const list = take().split(',').map((s) => s.trim()).filter(Boolean);
        for (const s of list) if (!SCENARIOS.includes(s)) throw new Usage(`unknown scenario '${s}' (expected ${SCENARIOS.join(', ')})`);
        o.only = new Set(list);
        break;
      }
      case '--servers': o.servers = new Set(take().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case '--duration': duration = Number(take()); if (!(duration > 0)) throw new Usage('--duration must be > 0'); break;
      case '--idle': {
        idle = take().split(',').map((x) => Number(x.trim()));
        if (idle.length === 0 || idle.some((n) => !(n >= 1) || !Number.isInteger(n))) throw new Usage('--idle must be positive integers, comma-separated');
        break;
      }
      case '--variants': {
        const list = take().split(',').map((x) => x.trim()).filter(Boolean);
        for (const v of list) if (!VARIANT_NAMES.includes(v)) throw new Usage(`unknown variant '${v}' (expected ${VARIANT_NAMES.join(', ')})`);
        o.variants = list;
        break;
      }
      case '--sizes': sizes = ints('--sizes', take()); break;
      case '--concurrency': concurrencies = ints('--concurrency', take()); break;
      case '--rounds': o.rounds = ints('--rounds', take())[0]; break;
      case '--profile': o.profile = true; break;
      case '--node': {
        const list = take().split(',').map((x) => x.trim()).filter(Boolean);
        if (list.length === 0) throw new Usage('--node needs Node versions or paths, comma-separated');
        if (new Set(list).size !== list.length) throw new Usage('--node lists a Node twice');
        o.nodes = list;
        break;
      }
      case '--host-baseline': {
        const dir = resolve(take());
        if (!existsSync(join(dir, 'host', 'cli', 'main.js'))) throw new Usage(`--host-baseline ${dir} has no host/cli/main.js (give a dist directory)`);
        o.hostBaseline = dir;
        break;
      }
      case '--baseline': {
        const dir = resolve(take());
        if (!existsSync(join(dir, 'echo.wasm'))) throw new Usage(`--baseline ${dir} has no echo.wasm (give a build directory)`);
        o.baseline = dir;
        break;
      }
      default: throw new Usage(`unknown option '${a}' (try 'wasmux bench --help')`);
    }
  }
  if (o.quick) {
    Object.assign(o, { duration: 1, warmup: 0.3, sizes: [1024], concurrencies: [10, 100], idle: [1000] });
  }
  if (o.smoke) {
    Object.assign(o, { duration: 0.5, warmup: 0.1, sizes: [1024], concurrencies: [10], idle: [100], coreNs: [1, 10, 100] });
    o.only ??= new Set(['core', 'echo']);
    o.servers ??= new Set(['wasmux-node', 'c-epoll', 'python-selectors']);
  }
  if (duration !== null) { o.duration = duration; o.warmup = Math.min(o.warmup, duration / 3); }
  if (idle !== null) o.idle = idle;
  if (sizes !== null) o.sizes = sizes;
  if (concurrencies !== null) o.concurrencies = concurrencies;
  return o;
}

export async function runBench(argv: string[]): Promise<number> {
  let o: Options | 'help';
  try {
    o = parseBenchArgs(argv);
  } catch (e) {
    if (e instanceof Usage) { process.stderr.write(`wasmux bench: ${e.message}\n`); return 2; }
    throw e;
  }
  if (o === 'help') { process.stdout.write(BENCH_HELP); return 0; }
  const opts = o;
  hookExit();
  const started = Date.now();
  try {
    progress('preparing (gcc -O2 bench/peers/*.c, asc bench/assembly/select-cost.ts) ...');
    const env = await prepareEnv();
    env.hostBaseline = opts.hostBaseline;
    const m = machine(env);
    progress(`${m.cpus} x ${m.model}, node ${m.node}, wasmtime ${m.wasmtime}`);
    if (opts.nodes) {
      env.nodes = resolveNodes(env.root, opts.nodes);
      for (const n of env.nodes) progress(n.error ? `node ${n.spec}: error: ${n.error}` : `node @${n.label}: ${n.version} (${n.path}), wait ${n.wait}`);
    }
    const want = (s: string) => !opts.only || opts.only.has(s);
    const rows: Row[] = [];
    if (want('core')) rows.push(...(await coreScenario(env, opts)));
    if (want('echo')) rows.push(...(await echoScenario(env, opts)));
    if (want('real')) rows.push(...(await realClientsScenario(env, opts)));
    if (want('many')) rows.push(...(await manyScenario(env, opts)));
    if (want('proxy')) rows.push(...(await proxyScenario(env, opts)));
    process.stdout.write(renderTables(rows));
    if (opts.json) {
      mkdirSync(dirname(opts.json), { recursive: true });
      const doc = {
        machine: m,
        options: { quick: opts.quick, smoke: opts.smoke, duration_s: opts.duration, warmup_s: opts.warmup, idle: opts.idle, variants: opts.variants, baseline: opts.baseline, rounds: opts.rounds, host_baseline: opts.hostBaseline,
          nodes: env.nodes?.map(({ spec, label, path, version, wait, error }) => ({ spec, label, path, version, wait, error })) ?? null },
        results: rows,
        echo_ratios: echoRatios(rows),
        many_ratios: manyRatios(rows),
      };
      writeFileSync(opts.json, JSON.stringify(doc, null, 1) + '\n');
      const svg = opts.json.replace(/\.json$/, '') + '.svg';
      writeFileSync(svg, renderSvg(rows, `wasmux bench, ${m.date.slice(0, 10)}, ${m.cpus} x ${m.model}, node ${m.node}`));
      progress(`wrote ${opts.json} and ${svg}`);
    }
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return rows.length > 0 && rows.every((r) => r.error) ? 1 : 0;
  } catch (e) {
    process.stderr.write(`wasmux bench: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    return 1;
  } finally {
    killAll();
    unhookExit();
  }
}

// Also runnable directly (node dist/bench/driver/main.js ...), without the CLI around it.
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  runBench(process.argv.slice(2)).then((code) => process.exit(code), () => process.exit(1));
}
