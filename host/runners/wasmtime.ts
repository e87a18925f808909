// The wasmtime runner: the same options and the same Running object as the Node host, carried out
// by the wasmtime CLI (legacy wasi-common: `-S preview2=n -S tcplisten=...`).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { formatAddress, parseDir, parseListen } from '../address.js';
import { WasmuxError } from '../errors.js';
import { canProbeListeners, isListeningBy, reservePort } from '../wasmtime/listen-probe.js';
import { locateWasmtime } from '../wasmtime/locate.js';
import type { BoundAddress, Running, StartOptions } from './node.js';

/** How long wasmtime may take to compile the module and bind its listeners. */
const READY_TIMEOUT_MS = 30000;

/** The command line wasmux gives wasmtime; exported so tests and `--help` can show it. */
export function wasmtimeArgs(opts: { listen: string[]; env: Record<string, string>; dirs: string[]; module: string; args: string[] }): string[] {
  const argv = ['run', '-S', 'preview2=n'];
  for (const l of opts.listen) argv.push('-S', `tcplisten=${l}`);
  argv.push('--env', `LISTEN_FDS=${opts.listen.length}`);
  for (const [k, v] of Object.entries(opts.env)) argv.push('--env', `${k}=${v}`);
  for (const d of opts.dirs) argv.push('--dir', d);
  argv.push(opts.module, ...opts.args);
  return argv;
}

/** Imports wasmtime cannot satisfy for a preview1 module, as one line; null when there are none. */
function unsupportedImports(bytes: Uint8Array, name: string): string | null {
  const m = new WebAssembly.Module(bytes);
  const foreign = WebAssembly.Module.imports(m).filter((i) => i.module !== 'wasi_snapshot_preview1');
  if (foreign.length === 0) return null;
  const first = foreign[0];
  if (first.module.startsWith('wasix')) {
    return `'${name}' imports ${first.module}.${first.name} (WASIX sockets), which wasmtime does not provide; run it with --host node`;
  }
  return `'${name}' imports ${first.module}.${first.name}, which wasmtime does not provide`;
}

async function moduleFile(module: StartOptions['module']): Promise<{ path: string; bytes: Uint8Array; cleanup: () => Promise<void> }> {
  if (typeof module === 'string') {
    try {
      return { path: module, bytes: await readFile(module), cleanup: async () => {} };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new WasmuxError(`cannot read module '${module}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  const bytes = module instanceof Uint8Array ? module : new Uint8Array(module);
  const dir = await mkdtemp(join(tmpdir(), 'wasmux-'));
  const path = join(dir, 'module.wasm');
  await writeFile(path, bytes);
  return { path, bytes, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts a guest under wasmtime; rejects with WasmuxError on bad options, a bad module or a failed bind. */
export async function startWasmtime(options: StartOptions): Promise<Running> {
  const wasmtime = await locateWasmtime();
  const listen = (options.listen ?? []).map(parseListen);
  const dirs = (options.dirs ?? []).map((d) => {
    const p = parseDir(d);
    return `${p.hostPath}::${p.guestPath}`;
  });
  for (const d of options.dirs ?? []) {
    const host = parseDir(d).hostPath;
    const ok = await stat(host).then((s) => s.isDirectory(), () => false);
    if (!ok) throw new WasmuxError(`dir '${host}' is not an existing directory`);
  }
  const file = await moduleFile(options.module);
  const name = typeof options.module === 'string' ? basename(options.module) : 'module.wasm';
  try {
    if (!WebAssembly.validate(file.bytes)) throw new WasmuxError(`'${name}' is not a WebAssembly module`);
    const foreign = unsupportedImports(file.bytes, name);
    if (foreign) throw new WasmuxError(foreign);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(file.bytes));
    if (!exports.some((e) => e.name === '_start')) throw new WasmuxError(`'${name}' has no _start export (wasmux runs WASI command modules)`);
  } catch (e) {
    await file.cleanup();
    throw e;
  }

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
  const child = spawn(wasmtime.path, argv, {
    stdio: ['inherit', stdoutSink ? 'pipe' : 'inherit', 'pipe'],
    env: { ...process.env, RUST_BACKTRACE: '0', RUST_LIB_BACKTRACE: '0' },
  });
  if (stdoutSink) child.stdout!.pipe(stdoutSink, { end: false });
  // stderr is held back until the listeners are up: a bind failure must become one clear line,
  // not wasmtime's report. After that it flows through.
  let held: Buffer[] | null = [];
  let stderrHead = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (held) { held.push(d); stderrHead += d.toString(); }
    else (stderrSink ?? process.stderr).write(d);
  });
  const release = () => {
    for (const d of held ?? []) (stderrSink ?? process.stderr).write(d);
    held = null;
  };

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
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const probe = await canProbeListeners();
  let done = false;
  exited.then(() => { done = true; });
  while (!done) {
    const states = probe ? await Promise.all(addresses.map((a) => isListeningBy(child.pid ?? -1, a.port))) : [Date.now() > deadline - READY_TIMEOUT_MS + 500];
    if (states.every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new WasmuxError(`wasmtime did not open its listeners within ${READY_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  if (done && addresses.length > 0) {
    const code = await exited;
    const inUse = /address already in use|Address in use|AddrInUse/i.test(stderrHead);
    const where = addresses.map((a) => formatAddress(a.host, a.port)).join(', ');
    if (inUse) throw new WasmuxError(`cannot listen on ${where}: address already in use`);
    const reason = stderrHead.split('\n').find((l) => l.trim()) ?? `exit code ${code}`;
    throw new WasmuxError(`wasmtime exited before listening (${reason.trim()})`);
  }
  release();

  return {
    addresses,
    wait: 'asyncify' as Running['wait'], // not used by wasmtime: it blocks in the OS
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
