// Child processes for the bench: every child is registered so that it is killed on exit, on a signal and on a
// timeout; helpers to wait for a TCP port, pick a free port, read a process's RSS, and run a command to the end.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

const live = new Set<ChildProcess>();

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { /* not a group leader, or gone */ }
  try { child.kill(signal); } catch { /* gone */ }
}

/** Kills every child still running (SIGKILL). Safe to call more than once. */
export function killAll(): void {
  for (const c of live) killTree(c, 'SIGKILL');
  live.clear();
}

let hooked = false;
const onExit = () => killAll();
const onSignal = (sig: NodeJS.Signals) => () => {
  killAll();
  process.stderr.write(`bench: ${sig}, children killed\n`);
  process.exit(sig === 'SIGINT' ? 130 : 143);
};
const sigint = onSignal('SIGINT');
const sigterm = onSignal('SIGTERM');

/** Installs the exit and signal hooks that kill every child (idempotent). */
export function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', onExit);
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
}

/** Removes the hooks again (runBench does it when it returns, so an embedder keeps its own handlers). */
export function unhookExit(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', onExit);
  process.off('SIGINT', sigint);
  process.off('SIGTERM', sigterm);
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Last ~8 KiB of stderr (for error rows). */
  stderrTail(): string;
  /** Resolves with the exit code (128+signal when killed). */
  exited: Promise<number>;
  kill(): Promise<number>;
}

/** Spawns a long-running child in its own process group, registered for cleanup. */
export function spawnChild(cmd: string, args: string[], opts: SpawnOptions = {}): Spawned {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  live.add(child);
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => { tail = (tail + d.toString()).slice(-8192); });
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => { tail += `\n${e.message}`; live.delete(child); resolve(127); });
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve(code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 128));
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    stderrTail: () => tail,
    exited,
    kill: async () => {
      killTree(child, 'SIGTERM');
      const t = setTimeout(() => killTree(child, 'SIGKILL'), 2000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to the end (killed after timeoutMs); onLine sees every stdout line as it comes. */
export function runCommand(cmd: string, args: string[], timeoutMs: number, onLine?: (line: string) => void, opts: SpawnOptions = {}): Promise<RunResult> {
  const s = spawnChild(cmd, args, opts);
  let stdout = '';
  let partial = '';
  s.child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    if (onLine) {
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    }
  });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; void s.kill(); }, timeoutMs);
  return s.exited.then((code) => {
    clearTimeout(timer);
    if (onLine && partial) onLine(partial);
    return { code, stdout, stderr: s.stderrTail(), timedOut };
  });
}

/** A TCP port that was free a moment ago on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setTimeout(1000, () => done(false));
  });
}

/** Waits until `port` accepts connections, the child exits (false), or the timeout passes (false). */
export async function waitForPort(host: string, port: number, timeoutMs: number, exited?: Promise<number>): Promise<boolean> {
  let gone = false;
  void exited?.then(() => { gone = true; });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone) {
    if (await tryConnect(host, port)) return !gone;
    await sleep(50);
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** VmRSS of a process in KiB (from /proc/PID/status), or null. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** User+system CPU seconds a process has used so far (from /proc/PID/stat), or null. */
export function cpuSeconds(pid: number): number | null {
  const t = cpuTimes(pid);
  return t === null ? null : t.user + t.sys;
}

/** User and system CPU seconds a process has used so far (from /proc/PID/stat), or null. */
export function cpuTimes(pid: number): { user: number; sys: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime (fields 14 and 15); USER_HZ is 100 on Linux
    return { user: Number(fields[11]) / 100, sys: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}
