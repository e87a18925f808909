// The wasmtime runner: the same options and the same Running object as the Node host, carried out
// by the wasmtime CLI (legacy wasi-common: `-S preview2=n -S tcplisten=...`).
//
// The pinned build (npm run setup:wasmtime) is wasmtime 36.0.20 with one fix of ours: its poll_oneoff reports
// only the fds that are ready. A stock wasmtime ($WASMTIME, PATH) works too, but reports every fd once one is
// ready; readiness is then a hint the core copes with, at the price of a wasted call per idle fd per wake-up.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { formatAddress, type ListenAddress } from '../address.js';
import { WasmuxError } from '../errors.js';
import { ANY_RULE } from '../policy.js';
import { componentArgs, componentBindFailure, componentFor, runsAsCore, runsComponents } from '../wasmtime/component.js';
import { canProbeListeners, isListeningBy, reservePort } from '../wasmtime/listen-probe.js';
import { WASMTIME_BUILD, locateWasmtime, pinnedPath } from '../wasmtime/locate.js';
import { checkDirs, inspectCommand, loadModule, type ModuleSource } from './module-source.js';
import type { BoundAddress, Running } from '../options.js';
import type { CheckedOptions } from '../validate-options.js';

/** util-linux's setpriv (Linux): sets the parent-death signal before exec. */
const SETPRIV = '/usr/bin/setpriv';
/** How wasmtime starts its report when the guest traps or an import fails. */
const TRAP_REPORT = 'Error: failed to run main module';
/** How long wasmtime may take to compile the module and bind its listeners. */
const READY_TIMEOUT_MS = 30000;
/** Where listeners cannot be observed, how long wasmtime is given to bind them. */
const BLIND_START_MS = 500;

/**
 * The command line wasmux gives wasmtime for a core module: the legacy preview1 implementation with its
 * listeners (15-46), or, on 47 and later (`current`), wasmtime's only one, without listeners.
 */
function wasmtimeArgs(opts: { listen: string[]; env: Record<string, string>; dirs: string[]; module: string; args: string[]; current?: boolean }): string[] {
  const argv = opts.current ? ['run'] : ['run', '-S', 'preview2=n'];
  for (const l of opts.listen) argv.push('-S', `tcplisten=${l}`);
  argv.push('--env', `LISTEN_FDS=${opts.listen.length}`);
  for (const [k, v] of Object.entries(opts.env)) argv.push('--env', `${k}=${v}`);
  for (const d of opts.dirs) argv.push('--dir', d);
  argv.push(opts.module, ...opts.args);
  return argv;
}

/** Imports wasmtime cannot satisfy for a preview1 module, as one line; null when there are none. */
function unsupportedImports(m: WebAssembly.Module, name: string): string | null {
  const foreign = WebAssembly.Module.imports(m).filter((i) => i.module !== 'wasi_snapshot_preview1');
  if (foreign.length === 0) return null;
  const first = foreign[0];
  if (first.module.startsWith('wasix')) {
    return `'${name}' imports ${first.module}.${first.name} (WASIX sockets), which wasmtime does not provide; run it with --host node`;
  }
  return `'${name}' imports ${first.module}.${first.name}, which wasmtime does not provide`;
}

/** A file wasmtime can open: the module's own, or the bytes written to a temporary one. */
async function moduleFile(src: ModuleSource): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (src.path !== null) return { path: src.path, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'wasmux-'));
  const path = join(dir, 'module.wasm');
  await writeFile(path, src.bytes);
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The most specific cause of a wasmtime (anyhow) error report, for one-line errors: the last entry of its
 * "Caused by:" list (indented four spaces; wasm backtrace frames are indented deeper), else the first line.
 */
function firstCause(report: string): string {
  const body = report.split('Stack backtrace:')[0];
  const causes = [...body.matchAll(/^ {4}\d+: (.+)$/gm)].map((m) => m[1].trim());
  const single = /^Caused by:\n {4}(.+)$/m.exec(body)?.[1];
  return causes[causes.length - 1] ?? single?.trim() ?? body.split('\n')[0].replace(/^Error: /, '').trim();
}

/** Where port 0 is asked for, picks a free port first: wasmtime would bind one nobody can learn. */
async function choosePorts(listen: ListenAddress[]): Promise<BoundAddress[]> {
  const addresses: BoundAddress[] = [];
  for (let i = 0; i < listen.length; i++) {
    const { host } = listen[i];
    let port = listen[i].port;
    if (port === 0) {
      try { port = await reservePort(host); } catch (e) {
        throw new WasmuxError(`cannot listen on ${formatAddress(host, 0)}: ${(e as Error).message}`);
      }
    }
    addresses.push({ host, port, fd: 3 + i });
  }
  return addresses;
}

/**
 * Runs wasmtime. Where util-linux's setpriv exists, wasmtime is told to die with us (PR_SET_PDEATHSIG): even a
 * wasmux killed with SIGKILL, which no handler sees, must not leave a server holding the port. setpriv execs
 * wasmtime, so the pid is wasmtime's.
 */
function spawnWasmtime(path: string, argv: string[], stdoutSink: Writable | undefined): ChildProcess {
  const [cmd, ...cmdArgs] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'TERM', '--', path, ...argv] : [path, ...argv];
  const child = spawn(cmd, cmdArgs, {
    stdio: ['inherit', stdoutSink ? 'pipe' : 'inherit', 'pipe'],
    env: { ...process.env, RUST_BACKTRACE: '0', RUST_LIB_BACKTRACE: '0' },
  });
  if (stdoutSink) child.stdout!.pipe(stdoutSink, { end: false });
  return child;
}

/** wasmtime's stderr on its way to the sink: what it said so far, and the switch that lets it through. */
interface StderrRelay {
  /** Everything written before release(). */
  head(): string;
  /** Lets the held-back text and everything after it through. */
  release(): void;
}

/**
 * Holds wasmtime's stderr back until the listeners are up: a bind failure must become one clear line, not
 * wasmtime's report. After that it flows through line by line (wasmtime writes its report in many small
 * pieces), except wasmtime's own report of a trap, which is condensed into the one line the Node host prints.
 */
function relayStderr(child: ChildProcess, sink: Writable): StderrRelay {
  let held = true;
  let stderrHead = '';
  let partial = '';
  let report: string | null = null;
  let closed = false;
  const flushLines = (final: boolean) => {
    const lines = partial.split('\n');
    partial = final ? '' : lines.pop()!;
    const complete = final ? lines.filter((l, i) => i < lines.length - 1 || l !== '') : lines;
    for (const line of complete) {
      if (report !== null) report += line + '\n';
      else if (line.startsWith(TRAP_REPORT)) report = line + '\n';
      else sink.write(line + '\n');
    }
  };
  const finish = () => {
    if (held || !closed) return;
    flushLines(true);
    if (report !== null) sink.write(`wasmux: guest trapped: ${firstCause(report)}\n`);
  };
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    if (held) stderrHead += text;
    partial += text;
    if (!held) flushLines(false);
  });
  child.stderr!.on('close', () => { closed = true; finish(); });
  return {
    head: () => stderrHead,
    release: () => {
      held = false;
      flushLines(false);
      finish();
    },
  };
}

/** The exit code of the child: `stopCode()` when stop() ended it, else its own (128 + signal when killed). */
function exitCode(child: ChildProcess, stopCode: () => number | null, cleanup: () => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => {
      void cleanup();
      const stopped = stopCode();
      if (stopped !== null) resolve(stopped);
      else if (code !== null) resolve(code);
      else resolve(128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15));
    });
  });
}

/** Resolves once every port is in LISTEN state, or once wasmtime has exited (true then). */
async function waitForListeners(child: ChildProcess, addresses: BoundAddress[], exited: Promise<number>): Promise<boolean> {
  const started = Date.now();
  const deadline = started + READY_TIMEOUT_MS;
  const probe = await canProbeListeners();
  let done = false;
  void exited.then(() => { done = true; });
  while (!done) {
    // Without /proc (not Linux) there is no way to see the bind: give wasmtime a fixed head start.
    const ready = probe
      ? (await Promise.all(addresses.map((a) => isListeningBy(child.pid ?? -1, a.port)))).every(Boolean)
      : Date.now() - started > BLIND_START_MS;
    if (ready) return false;
    if (Date.now() > deadline) throw new WasmuxError(`wasmtime did not open its listeners within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/**
 * wasmtime exited before it was seen listening: a bind failure (or a module wasmtime refuses) is the caller's
 * error and throws; a guest that simply ran and finished quickly is not, and its stderr and code stay its own.
 */
function diagnoseEarlyExit(stderrHead: string, addresses: BoundAddress[], moduleName: string, code: number): void {
  const where = addresses.map((a) => formatAddress(a.host, a.port)).join(', ');
  if (/failed to bind/i.test(stderrHead)) {
    const inUse = /address already in use|AddrInUse|address-in-use/i.test(stderrHead);
    const why = inUse ? 'address already in use' : componentBindFailure(stderrHead) ?? firstCause(stderrHead);
    throw new WasmuxError(`cannot listen on ${where}: ${why}`);
  }
  if (/failed to (compile|instantiate|link)|unknown import/i.test(stderrHead)) {
    throw new WasmuxError(`wasmtime cannot run '${moduleName}': ${firstCause(stderrHead)} (exit ${code})`);
  }
}

/** Starts a guest under wasmtime with checked options; rejects with WasmuxError on a bad module or a failed bind. */
export async function startWasmtime(options: CheckedOptions): Promise<Running> {
  const wasmtime = await locateWasmtime(options.wasmtime);
  if (!runsComponents(wasmtime) && wasmtime.path !== pinnedPath()) {
    (options.stderr ?? process.stderr).write(`wasmux: wasmtime ${wasmtime.version} at ${wasmtime.path} is not the pinned ${WASMTIME_BUILD} build: it reports every fd ready once one is (a hint the core copes with; idle connections cost more). npm run setup:wasmtime builds the pinned one\n`);
  }
  const dirs = (await checkDirs(options.dirs)).map((d) => `${d.hostPath}::${d.guestPath}`);
  const src = await loadModule(options.module, options.maxModuleSize);
  // wasmtime 47 and later: the program's component build instead (component.ts).
  const connectAny = options.allowConnect.includes(ANY_RULE);
  const current = runsComponents(wasmtime);
  const component = current && !runsAsCore(src, options.addresses.length) ? componentFor(src, wasmtime, connectAny) : null;
  const foreign = component === null ? unsupportedImports(inspectCommand(src), src.name) : null;
  if (foreign) throw new WasmuxError(foreign);
  const addresses = await choosePorts(options.addresses);
  const file = component !== null ? { path: component, cleanup: async () => {} } : await moduleFile(src);
  const argv = (component !== null ? componentArgs : wasmtimeArgs)({
    listen: addresses.map((a) => formatAddress(a.host, a.port)), env: options.env, dirs, module: file.path, args: options.args,
    connectAny, current,
  });
  const child = spawnWasmtime(wasmtime.path, argv, options.stdout);
  const stderr = relayStderr(child, options.stderr ?? process.stderr);
  let stopCode: number | null = null;
  const exited = exitCode(child, () => stopCode, file.cleanup);
  // Whatever goes wrong while starting, the child must not outlive the error.
  try {
    if (await waitForListeners(child, addresses, exited)) diagnoseEarlyExit(stderr.head(), addresses, src.name, await exited);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  // After the caller has had a chance to announce the listeners, as with the Node host.
  setImmediate(stderr.release);
  return {
    addresses,
    host: 'wasmtime',
    wait: 'os',
    exited,
    get error() { return null; },
    stop(code = 0) {
      if (child.exitCode === null && child.signalCode === null) {
        stopCode = code;
        child.kill('SIGTERM');
      }
      return exited;
    },
  };
}
