// The wasmtime runner: the same options and the same Running object as the Node host, carried out
// by the wasmtime CLI (legacy wasi-common: `-S preview2=n -S tcplisten=...`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { formatAddress, parseListen } from '../address.js';
import { WasmuxError } from '../errors.js';
import { canProbeListeners, isListeningBy, reservePort } from '../wasmtime/listen-probe.js';
import { locateWasmtime } from '../wasmtime/locate.js';
import { checkDirs, inspectCommand, loadModule, type ModuleSource } from './module-source.js';
import type { BoundAddress, Running, StartOptions } from './node.js';

/** util-linux's setpriv (Linux): sets the parent-death signal before exec. */
const SETPRIV = '/usr/bin/setpriv';
/** How wasmtime starts its report when the guest traps or an import fails. */
const TRAP_REPORT = 'Error: failed to run main module';
/** How long wasmtime may take to compile the module and bind its listeners. */
const READY_TIMEOUT_MS = 30000;
/** Where listeners cannot be observed, how long wasmtime is given to bind them. */
const BLIND_START_MS = 500;

/** The command line wasmux gives wasmtime. */
function wasmtimeArgs(opts: { listen: string[]; env: Record<string, string>; dirs: string[]; module: string; args: string[] }): string[] {
  const argv = ['run', '-S', 'preview2=n'];
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

/** Starts a guest under wasmtime; rejects with WasmuxError on bad options, a bad module or a failed bind. */
export async function startWasmtime(options: StartOptions): Promise<Running> {
  const wasmtime = await locateWasmtime();
  const listen = (options.listen ?? []).map(parseListen);
  const dirs = (await checkDirs(options.dirs ?? [])).map((d) => `${d.hostPath}::${d.guestPath}`);
  const src = await loadModule(options.module, options.maxModuleSize);
  const foreign = unsupportedImports(inspectCommand(src), src.name);
  if (foreign) throw new WasmuxError(foreign);
  const file = await moduleFile(src);

  // Port 0: wasmtime would bind a port nobody can learn; pick one first and hand it over.
  const addresses: BoundAddress[] = [];
  for (let i = 0; i < listen.length; i++) {
    const { host } = listen[i];
    let port = listen[i].port;
    if (port === 0) {
      try { port = await reservePort(host); } catch (e) {
        await file.cleanup();
        throw new WasmuxError(`cannot listen on ${formatAddress(host, 0)}: ${(e as Error).message}`);
      }
    }
    addresses.push({ host, port, fd: 3 + i });
  }
  const argv = wasmtimeArgs({
    listen: addresses.map((a) => formatAddress(a.host, a.port)),
    env: options.env ?? {},
    dirs,
    module: file.path,
    args: options.args ?? [],
  });

  const stdoutSink = options.stdout && options.stdout !== 'inherit' ? options.stdout : undefined;
  const stderrSink = options.stderr && options.stderr !== 'inherit' ? (options.stderr as Writable) : undefined;
  // Where util-linux's setpriv exists, wasmtime is told to die with us (PR_SET_PDEATHSIG): even a wasmux killed
  // with SIGKILL, which no handler sees, must not leave a server holding the port. setpriv execs wasmtime, so
  // the pid is wasmtime's.
  const [cmd, ...cmdArgs] = existsSync(SETPRIV)
    ? [SETPRIV, '--pdeathsig', 'TERM', '--', wasmtime.path, ...argv]
    : [wasmtime.path, ...argv];
  const child = spawn(cmd, cmdArgs, {
    stdio: ['inherit', stdoutSink ? 'pipe' : 'inherit', 'pipe'],
    env: { ...process.env, RUST_BACKTRACE: '0', RUST_LIB_BACKTRACE: '0' },
  });
  if (stdoutSink) child.stdout!.pipe(stdoutSink, { end: false });
  // stderr is held back until the listeners are up: a bind failure must become one clear line,
  // not wasmtime's report. After that it flows through line by line (wasmtime writes its report in
  // many small pieces), except wasmtime's own report of a trap, which is condensed into the one line
  // the Node host prints.
  const sink = stderrSink ?? process.stderr;
  let held = true;
  let stderrHead = '';
  let partial = '';
  let report: string | null = null;
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
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    if (held) stderrHead += text;
    partial += text;
    if (!held) flushLines(false);
  });
  let closed = false;
  const finish = () => {
    if (held || !closed) return;
    flushLines(true);
    if (report !== null) sink.write(`wasmux: guest trapped: ${firstCause(report)}\n`);
  };
  const release = () => {
    held = false;
    flushLines(false);
    finish();
  };
  child.stderr!.on('close', () => { closed = true; finish(); });

  let stopCode: number | null = null;
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => {
      void file.cleanup();
      if (stopCode !== null) resolve(stopCode);
      else if (code !== null) resolve(code);
      else resolve(128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15));
    });
  });

  // Ready when every port is in LISTEN state, or fail with wasmtime's reason if it exits first.
  // Whatever goes wrong here, the child must not outlive the error.
  try {
    const started = Date.now();
    const deadline = started + READY_TIMEOUT_MS;
    const probe = await canProbeListeners();
    let done = false;
    exited.then(() => { done = true; });
    while (!done) {
      // Without /proc (not Linux) there is no way to see the bind: give wasmtime a fixed head start.
      const ready = probe
        ? (await Promise.all(addresses.map((a) => isListeningBy(child.pid ?? -1, a.port)))).every(Boolean)
        : Date.now() - started > BLIND_START_MS;
      if (ready) break;
      if (Date.now() > deadline) throw new WasmuxError(`wasmtime did not open its listeners within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (done) {
      // Exited before we saw it listen: a bind failure (or a module wasmtime refuses) is the caller's
      // error; a guest that simply ran and finished quickly is not, and its stderr and code stay its own.
      const code = await exited;
      const where = addresses.map((a) => formatAddress(a.host, a.port)).join(', ');
      if (/failed to bind/i.test(stderrHead)) {
        const inUse = /address already in use|AddrInUse/i.test(stderrHead);
        throw new WasmuxError(`cannot listen on ${where}: ${inUse ? 'address already in use' : firstCause(stderrHead)}`);
      }
      if (/failed to (compile|instantiate|link)|unknown import/i.test(stderrHead)) {
        throw new WasmuxError(`wasmtime cannot run '${src.name}': ${firstCause(stderrHead)} (exit ${code})`);
      }
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  // After the caller has had a chance to announce the listeners, as with the Node host.
  setImmediate(release);

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
