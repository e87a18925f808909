// What the bench needs from the machine: the repository root, the native peers compiled on the spot with gcc -O2,
// the bench guest compiled with asc, a python3 (and one that has uvloop), wasmtime, wrk, redis.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { locateWasmtime } from '../../host/wasmtime/locate.js';
import { newerSource } from './freshness.js';
import type { NodeBinary } from './nodes.js';

interface Tool { path: string | null; reason: string }

export interface BenchEnv {
  root: string;
  buildDir: string;
  node: string;
  echoClient: Tool;
  cEcho: Tool;
  guest: Tool;
  python: Tool;
  uvloopPython: Tool;
  wasmtime: Tool & { version: string };
  wrk: Tool;
  redisBenchmark: Tool;
  redisServer: Tool;
  /** A dist directory whose Node host runs as 'wasmux-node-base' (--host-baseline), or null. */
  hostBaseline?: string | null;
  /** The Nodes of --node that the Node-side echo servers run on instead of this one (empty: this one). */
  nodes?: NodeBinary[];
}

export const root = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function stale(out: string, src: string): boolean {
  if (!existsSync(out)) return true;
  return statSync(out).mtimeMs < statSync(src).mtimeMs;
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  const text = (err.stderr ? err.stderr.toString() : '') || err.message || String(e);
  return text.split('\n').find((l) => l.trim())?.trim() ?? 'failed';
}

/**
 * Rebuilds the component build of the bench guest (build/bench/component/select-cost.wasm) when a source is newer,
 * as compileGuest does for the preview1 build, which `npm run build` does not cover; needs the component tools
 * (npm run setup:components). Returns why it could not, or '' (also when it was fresh).
 */
export function refreshComponentGuest(buildDir: string): string {
  if (!newerSource(root, join(buildDir, 'component', 'select-cost.wasm'), [GUEST_ENTRY])) return '';
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-components.js'), 'select-cost'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300000 });
    return '';
  } catch (e) {
    return `build-components.js select-cost failed: ${firstLine(e)}`;
  }
}

/** Compiles bench/peers/NAME.c to build/bench/NAME with gcc -O2 (only when the source is newer). */
function compileC(name: string, buildDir: string): Tool {
  const src = join(root, 'bench', 'peers', `${name}.c`);
  const out = join(buildDir, name);
  const cc = which('gcc') ?? which('cc') ?? which('clang');
  if (!cc) return { path: null, reason: 'no C compiler (gcc) on PATH' };
  if (!stale(out, src)) return { path: out, reason: '' };
  try {
    execFileSync(cc, ['-O2', '-o', out, src], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 });
    return { path: out, reason: '' };
  } catch (e) {
    return { path: null, reason: `gcc -O2 ${name}.c failed: ${firstLine(e)}` };
  }
}

/** The bench guest's entry file, under the root. */
const GUEST_ENTRY = join('bench', 'assembly', 'select-cost.ts');

/**
 * Compiles bench/assembly/select-cost.ts to build/bench/select-cost.wasm when it or a library source under assembly/
 * is newer than the build. Its polls go through the core's readiness sets, so it declares the subscription journal
 * as our other builds do (scripts/lib/subscription-journal.js).
 */
async function compileGuest(buildDir: string): Promise<Tool> {
  const src = join(root, GUEST_ENTRY);
  const out = join(buildDir, 'select-cost.wasm');
  const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  if (!existsSync(src)) return { path: null, reason: 'bench/assembly/select-cost.ts is missing' };
  if (!newerSource(root, out, [GUEST_ENTRY])) return { path: out, reason: '' };
  try {
    execFileSync(process.execPath, [asc, src, '-o', out, '--target', 'release'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 180000 });
    const journal = await import(pathToFileURL(join(root, 'scripts', 'lib', 'subscription-journal.js')).href);
    journal.declareSubscriptionJournal(out);
    return { path: out, reason: '' };
  } catch (e) {
    return { path: null, reason: `asc select-cost.ts failed: ${firstLine(e)}` };
  }
}

function pythonWith(mod: string | null, candidates: string[]): Tool {
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    try {
      execFileSync(p, ['-c', mod ? `import ${mod}` : 'import selectors'], { stdio: 'ignore', timeout: 20000 });
      return { path: p, reason: '' };
    } catch { /* next */ }
  }
  return { path: null, reason: mod ? `no python3 with ${mod} (apt-get install python3-${mod})` : 'no python3' };
}

function tool(name: string, pkg: string): Tool {
  const p = which(name);
  return p ? { path: p, reason: '' } : { path: null, reason: `${name} not installed (apt-get install ${pkg})` };
}

export async function prepareEnv(): Promise<BenchEnv> {
  const buildDir = join(root, 'build', 'bench');
  mkdirSync(buildDir, { recursive: true });
  const pys = ['/usr/bin/python3', which('python3') ?? ''].filter(Boolean);
  let wasmtime: BenchEnv['wasmtime'];
  try {
    const w = await locateWasmtime();
    wasmtime = { path: w.path, reason: '', version: w.version };
  } catch (e) {
    wasmtime = { path: null, reason: (e as Error).message, version: '' };
  }
  return {
    root,
    buildDir,
    node: process.execPath,
    echoClient: compileC('echo-client', buildDir),
    cEcho: compileC('c-epoll-echo', buildDir),
    guest: await compileGuest(buildDir),
    python: pythonWith(null, pys),
    uvloopPython: pythonWith('uvloop', pys),
    wasmtime,
    wrk: tool('wrk', 'wrk'),
    redisBenchmark: tool('redis-benchmark', 'redis-tools'),
    redisServer: tool('redis-server', 'redis-server'),
  };
}

interface Machine { cpus: number; model: string; mem: number; node: string; wasmtime: string; kernel: string; date: string }

export function machine(env: BenchEnv): Machine {
  const c = cpus();
  return {
    cpus: c.length,
    model: c[0]?.model ?? 'unknown',
    mem: totalmem(),
    node: process.version,
    wasmtime: env.wasmtime.path ? env.wasmtime.version : `none (${env.wasmtime.reason})`,
    kernel: release(),
    date: new Date().toISOString(),
  };
}
