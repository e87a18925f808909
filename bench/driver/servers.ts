// Starting and stopping the servers the bench measures; each runs in its own process so that its CPU and RSS are
// its own and it never shares an event loop with the bench.
import { existsSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { NODE_HOST_V8_FLAGS } from '../../host/cli/node-flags.js';
import { componentArgs, componentPathFor } from '../../host/wasmtime/component.js';
import { latestPath } from '../../host/wasmtime/locate.js';
import type { BenchEnv } from './env.js';
import { newerSource } from './freshness.js';
import { freePort, spawnChild, waitForPort, type Spawned } from './proc.js';

export type ServerName = 'wasmux-node' | 'wasmux-node-base' | 'wasmux-wasmtime' | 'wasmux-wasmtime-latest' | 'node-net' | 'python-selectors' | 'uvloop' | 'c-epoll' | 'node-http' | 'redis';

/** A failure that becomes an error row (with this reason) instead of a crash. */
export class BenchError extends Error {}

export interface RunningServer {
  /** The server's name in the rows: its kind, with @LABEL when it runs on a Node of --node. */
  name: string;
  host: string;
  port: number;
  pid: number;
  proc: Spawned;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';
const RAISE_NOFILE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

function need(path: string | null, reason: string): string {
  if (!path) throw new BenchError(reason);
  return path;
}

/** A path as an error shows it: relative to the root inside this tree, whole otherwise (another checkout's build). */
function shownPath(root: string, p: string): string {
  return p.startsWith(root + sep) ? relative(root, p) : p;
}

/** The entry file of a guest module besides assembly/ (the bench guest's); the examples live under assembly/. */
function guestEntries(module: string): string[] {
  return basename(module) === 'select-cost.wasm' ? [join('bench', 'assembly', 'select-cost.ts')] : [];
}

/**
 * Throws when `module`, a guest of the build/ under `root`, is older than a source it is compiled from: its
 * figures would be those of old code. Another checkout's build (--baseline) is taken as it is.
 */
export function checkFresh(root: string, module: string, rebuild: string): void {
  if (!module.startsWith(join(root, 'build') + sep)) return;
  const newer = newerSource(root, module, guestEntries(module));
  if (newer) throw new BenchError(`${relative(root, module)} is older than ${newer} (${rebuild})`);
}

/** The command line of a server; `module` is the guest for the wasmux hosts, `env` extra guest environment,
 *  `node` the Node binary of the Node-side servers (the bench's own by default). */
export function serverCommand(env: BenchEnv, name: ServerName, port: number, module?: string, guestEnv: Record<string, string> = {},
  node = env.node): string[] {
  const addr = `${HOST}:${port}`;
  const peers = join(env.root, 'dist', 'bench', 'peers');
  const envArgs = Object.entries(guestEnv).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  switch (name) {
    case 'wasmux-node': case 'wasmux-node-base': {
      const mod = need(module ?? null, 'no module');
      if (!existsSync(mod)) throw new BenchError(`${shownPath(env.root, mod)} is missing (npm run build:wasm)`);
      checkFresh(env.root, mod, 'npm run build:wasm');
      const dist = name === 'wasmux-node' ? join(env.root, 'dist') : need(env.hostBaseline ?? null, 'no --host-baseline');
      return [node, ...NODE_HOST_V8_FLAGS, join(dist, 'host', 'cli', 'main.js'), 'run', '--listen', addr, ...envArgs, mod];
    }
    case 'wasmux-wasmtime': {
      const mod = need(module ?? null, 'no module');
      if (!existsSync(mod)) throw new BenchError(`${shownPath(env.root, mod)} is missing (npm run build:wasm)`);
      checkFresh(env.root, mod, 'npm run build:wasm');
      const wt = need(env.wasmtime.path, env.wasmtime.reason);
      return ['bash', '-c', RAISE_NOFILE, 'bash', wt, 'run', '-S', 'preview2=n', '-S', `tcplisten=${addr}`,
        '--env', 'LISTEN_FDS=1', ...envArgs, mod];
    }
    case 'wasmux-wasmtime-latest': {
      // The current wasmtime (47+) runs the component build of the same guest, which binds its listener itself.
      const comp = componentPathFor(need(module ?? null, 'no module'));
      if (!existsSync(comp)) throw new BenchError(`${shownPath(env.root, comp)} is missing (npm run build:components)`);
      checkFresh(env.root, comp, 'npm run build:components');
      const wt = latestPath();
      if (!wt || !existsSync(wt)) throw new BenchError('no current wasmtime in the cache (npm run setup:components)');
      return ['bash', '-c', RAISE_NOFILE, 'bash', wt, ...componentArgs({ listen: [addr], env: guestEnv, dirs: [], module: comp, args: [] })];
    }
    // Node's own servers run with the flags the wasmux bin gives itself, so a ratio compares the two ways of
    // serving from one Node process as a user would start it, not two heap configurations.
    case 'node-net': return [node, ...NODE_HOST_V8_FLAGS, join(peers, 'node-echo.js'), HOST, String(port)];
    case 'node-http': return [node, ...NODE_HOST_V8_FLAGS, join(peers, 'node-http.js'), HOST, String(port)];
    case 'python-selectors':
      return [need(env.python.path, env.python.reason), join(env.root, 'bench', 'peers', 'py_selectors_echo.py'), HOST, String(port)];
    case 'uvloop':
      return [need(env.uvloopPython.path, env.uvloopPython.reason), join(env.root, 'bench', 'peers', 'uvloop_echo.py'), HOST, String(port)];
    case 'c-epoll':
      return ['bash', '-c', RAISE_NOFILE, 'bash', need(env.cEcho.path, env.cEcho.reason), HOST, String(port)];
    case 'redis':
      return [need(env.redisServer.path, env.redisServer.reason), '--port', String(port), '--bind', HOST, '--save', '',
        '--appendonly', 'no', '--protected-mode', 'no', '--maxclients', '10000'];
  }
}

/**
 * The environment of every server child. RUST_BACKTRACE / RUST_LIB_BACKTRACE are forced to 0: with them set (as in
 * many dev shells), wasmtime's wasi-common captures a backtrace for every error it returns, AGAIN included, which
 * cut its echo throughput by ~2.5x in our measurements.
 */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, RUST_BACKTRACE: '0', RUST_LIB_BACKTRACE: '0' };
}

/** A Node of --node that a Node-side server runs on: its label (the name's @ suffix) and binary. */
export interface OnNode { label: string; path: string }

/** Starts a server on a free port and waits until it accepts connections (throws BenchError otherwise). */
export async function startServer(env: BenchEnv, kind: ServerName, module?: string, guestEnv: Record<string, string> = {}, stdout: 'ignore' | 'pipe' = 'ignore',
  hostEnv: Record<string, string> = {}, on?: OnNode): Promise<RunningServer> {
  const name = on ? `${kind}@${on.label}` : kind;
  const port = await freePort(HOST);
  const [cmd, ...args] = serverCommand(env, kind, port, module, guestEnv, on?.path);
  const proc = spawnChild(cmd, args, { cwd: env.root, stdio: ['ignore', stdout, 'pipe'], env: { ...childEnv(), ...hostEnv } });
  const up = await waitForPort(HOST, port, 60000, proc.exited);
  if (!up) {
    await proc.kill();
    const why = proc.stderrTail().split('\n').map((l) => l.trim()).filter(Boolean).slice(-2).join(' / ');
    throw new BenchError(`${name} did not start${why ? `: ${why}` : ''}`);
  }
  return { name, host: HOST, port, pid: proc.pid, proc, stop: async () => { await proc.kill(); } };
}

/**
 * Starts build/proxy.wasm on the Node host in front of `upstream` (allowed by --allow-connect), on a free port;
 * waits until it accepts connections.
 */
export async function startProxy(env: BenchEnv, upstream: RunningServer): Promise<RunningServer> {
  const mod = join(env.root, 'build', 'proxy.wasm');
  if (!existsSync(mod)) throw new BenchError('build/proxy.wasm is missing (npm run build:wasm)');
  const port = await freePort(HOST);
  const target = `${upstream.host}:${upstream.port}`;
  const args = [...NODE_HOST_V8_FLAGS, join(env.root, 'dist', 'host', 'cli', 'main.js'), 'run', '--listen', `${HOST}:${port}`,
    '--allow-connect', target, mod, '--', target];
  const proc = spawnChild(env.node, args, { cwd: env.root, stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
  if (!(await waitForPort(HOST, port, 60000, proc.exited))) {
    await proc.kill();
    throw new BenchError(`wasmux-proxy did not start: ${proc.stderrTail().trim().split('\n').pop() ?? ''}`);
  }
  return { name: 'wasmux-node', host: HOST, port, pid: proc.pid, proc, stop: async () => { await proc.kill(); } };
}
