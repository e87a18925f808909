// The Node runner: loads and checks the module, opens the listeners, builds the fd table and the imports,
// and runs the guest's _start with the chosen wait strategy.
import { realpathSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseListen, type ListenAddress } from '../address.js';
import { WasmuxError } from '../errors.js';
import { FdTable } from '../fd-table.js';
import { TcpListener } from '../sockets/tcp-listener.js';
import { GuestMemory } from '../wasi/guest-memory.js';
import { makeImports } from '../wasi/table.js';
import { makeWasixImports, WASIX_FUNCTIONS } from '../wasix/imports.js';
import { ConnectPolicy } from '../policy.js';
import { asyncifyStrategy } from '../wait/asyncify.js';
import { GuestExit } from '../wait/exit.js';
import { jspiStrategy } from '../wait/jspi.js';
import { jspiAvailable, type WaitStrategy } from '../wait/strategy.js';
import { Waker } from '../wait/waker.js';
import { loadWasi } from './load-wasi.js';
import { checkDirs, inspectCommand, loadModule, type ModuleSource } from './module-source.js';

/** Options of start(); see docs/host.md. */
export interface StartOptions {
  /** Path of a .wasm file, or its bytes. */
  module: string | Uint8Array | ArrayBuffer;
  /** Listen addresses 'HOST:PORT' or '[IPv6]:PORT'; they become guest fds 3, 4, ... in this order. */
  listen?: string[];
  /** Guest arguments after argv[0] (argv[0] is the module's file name). */
  args?: string[];
  /** Guest environment (the host's own environment is not passed on). LISTEN_FDS is added. */
  env?: Record<string, string>;
  /** Directory preopens 'HOST[::GUEST]', guest fds after the listeners. */
  dirs?: string[];
  /** Where guest stdout / stderr go: the process's own fds ('inherit', default) or a Writable. */
  stdout?: 'inherit' | Writable;
  stderr?: 'inherit' | Writable;
  /** Wait strategy; default: WASMUX_WAIT, else JSPI when available, else Asyncify. Node host only. */
  wait?: 'jspi' | 'asyncify';
  /** Largest module file accepted, in bytes (default 256 MiB); a path must name a regular file. */
  maxModuleSize?: number;
  /** Which runtime runs the module: the embedded Node host (default) or the wasmtime CLI. */
  host?: 'node' | 'wasmtime';
  /**
   * Outgoing connections the guest may make with the WASIX calls (Node host only): rules HOST:PORT, HOST:*,
   * CIDR:PORT, CIDR:* (IPv6 in brackets; 'localhost' = 127.0.0.1 and ::1). Default: none (deny all).
   */
  allowConnect?: string[];
}

/** A listener as bound: the actual port (useful with port 0) and its guest fd. */
export interface BoundAddress {
  host: string;
  port: number;
  fd: number;
}

/** A running guest. */
export interface Running {
  addresses: BoundAddress[];
  /** The runtime running the guest. */
  host: 'node' | 'wasmtime';
  /** How the guest waits: 'jspi' or 'asyncify' on the Node host; 'os' under wasmtime (it blocks in the kernel). */
  wait: 'jspi' | 'asyncify' | 'os';
  /** Resolves with the exit code: proc_exit's code, 0 when _start returns, 134 on a trap. Never rejects. */
  exited: Promise<number>;
  /** Set when the guest trapped (or the host failed inside an import). */
  readonly error: Error | null;
  /** Closes listeners and connections and ends the guest (exit code `code`, default 0); resolves like exited. */
  stop(code?: number): Promise<number>;
}

/** Exit code reported when the guest traps, like a process killed by SIGABRT. */
export const TRAP_EXIT_CODE = 134;

/** Picks the wait strategy from the option, WASMUX_WAIT, or what this Node supports. */
function chooseStrategy(wait: string | undefined): WaitStrategy {
  const name = wait ?? (process.env.WASMUX_WAIT || undefined) ?? (jspiAvailable() ? 'jspi' : 'asyncify');
  if (name === 'asyncify') return asyncifyStrategy();
  if (name === 'jspi') {
    if (!jspiAvailable()) {
      throw new WasmuxError(`wait strategy 'jspi' needs Node >= 24 with WebAssembly.Suspending (this is Node ${process.versions.node}); use 'asyncify'`);
    }
    return jspiStrategy();
  }
  throw new WasmuxError(`unknown wait strategy '${name}' (expected jspi or asyncify)`, { usage: true });
}

/** Checks that the module is a WASI command module the Node host can run (memory exported, imports it has). */
function checkModule(src: ModuleSource): void {
  const { name } = src;
  const m = inspectCommand(src);
  if (!WebAssembly.Module.exports(m).some((e) => e.name === 'memory' && e.kind === 'memory')) {
    throw new WasmuxError(`'${name}' does not export its memory`);
  }
  for (const i of WebAssembly.Module.imports(m)) {
    if (i.module === 'wasi_snapshot_preview1') continue;
    if (i.module === 'wasix_32v1') {
      if ((WASIX_FUNCTIONS as readonly string[]).includes(i.name) && i.kind === 'function') continue;
      throw new WasmuxError(`'${name}' imports wasix_32v1.${i.name}, which wasmux does not provide (of WASIX only ${WASIX_FUNCTIONS.join(', ')})`);
    }
    throw new WasmuxError(`'${name}' imports ${i.module}.${i.name}, which wasmux does not provide (only wasi_snapshot_preview1 and WASIX sockets)`);
  }
}

/** Opens all listeners, or none: on a failure the ones already open are closed. */
async function openListeners(addrs: ListenAddress[], specs: string[]): Promise<TcpListener[]> {
  const open: TcpListener[] = [];
  try {
    for (let i = 0; i < addrs.length; i++) {
      try {
        open.push(await TcpListener.open(addrs[i].host, addrs[i].port));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'EADDRINUSE' ? 'address already in use'
          : code === 'EADDRNOTAVAIL' ? 'address not available'
          : code === 'EACCES' ? 'permission denied'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'unknown host'
          : (e as Error).message;
        throw new WasmuxError(`cannot listen on ${specs[i]}: ${why}`);
      }
    }
    return open;
  } catch (e) {
    for (const l of open) l.close();
    throw e;
  }
}

/** Starts a guest on the Node host; rejects with WasmuxError on bad options or an unusable module. */
export async function startNode(options: StartOptions): Promise<Running> {
  if (!options || typeof options !== 'object') throw new WasmuxError('start() needs an options object');
  const listenSpecs = options.listen ?? [];
  const args = options.args ?? [];
  const env = options.env ?? {};
  const dirSpecs = options.dirs ?? [];
  if (!Array.isArray(listenSpecs)) throw new WasmuxError('option listen must be an array of HOST:PORT strings');
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new WasmuxError('option args must be an array of strings');
  if (typeof env !== 'object' || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
    throw new WasmuxError('option env must be an object of strings');
  }
  if (!Array.isArray(dirSpecs)) throw new WasmuxError('option dirs must be an array of HOST[::GUEST] strings');
  const allowSpecs = options.allowConnect ?? [];
  if (!Array.isArray(allowSpecs)) throw new WasmuxError('option allowConnect must be an array of rule strings like 127.0.0.1:6379', { usage: true });
  for (const s of [options.stdout, options.stderr]) {
    if (s !== undefined && s !== 'inherit' && (typeof s !== 'object' || typeof (s as Writable).write !== 'function')) {
      throw new WasmuxError("options stdout/stderr must be 'inherit' or a Writable stream");
    }
  }
  const addrs = listenSpecs.map(parseListen);
  const dirs = await checkDirs(dirSpecs);
  const preopens: Record<string, string> = Object.fromEntries(dirs.map((d) => [d.guestPath, d.hostPath]));
  const policy = await ConnectPolicy.create(allowSpecs); // malformed rules are usage errors; names looked up once
  const strategy = chooseStrategy(options.wait);
  const src = await loadModule(options.module, options.maxModuleSize);
  checkModule(src);
  const { bytes, name } = src;
  let module: WebAssembly.Module;
  try {
    module = await strategy.compile(bytes);
  } catch (e) {
    throw new WasmuxError(`cannot prepare '${name}' for ${strategy.name}: ${(e as Error).message.split('\n')[0]}`);
  }

  const listeners = await openListeners(addrs, listenSpecs);
  const stdoutSink = options.stdout && options.stdout !== 'inherit' ? options.stdout : undefined;
  const stderrSink = options.stderr && options.stderr !== 'inherit' ? options.stderr : undefined;

  // fd layout: 0-2 stdio (host entries, never the process's fds), listeners, dir preopens (uvwasi numbers them
  // 3.. in the same order; each is the root its paths are confined to), then opened fds.
  const fds = new FdTable();
  for (const which of [0, 1, 2] as const) fds.add({ kind: 'stdio', which });
  const addresses: BoundAddress[] = listeners.map((l) => ({ host: l.host, port: l.port, fd: fds.add({ kind: 'listener', listener: l }) }));
  dirs.forEach((d, i) => {
    const root = realpathSync.native(d.hostPath);
    fds.add({ kind: 'file', wasiFd: 3 + i, root, hostPath: root });
  });

  // node:wasi serves only file calls on the preopens (see wasi/table.ts); argv and environment are the host's.
  const guestEnv = { ...env, LISTEN_FDS: String(listeners.length) };
  const WASI = loadWasi();
  const wasi = new WASI({ version: 'preview1', preopens, returnOnExit: true });
  const mem = new GuestMemory();
  const waker = new Waker();
  for (const l of listeners) l.attach(waker.hub);
  const wasiFns = (wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, (...a: any[]) => any> }).wasi_snapshot_preview1;
  const imports = makeImports({
    mem, fds, waker, strategy, wasi: wasiFns,
    stdout: stdoutSink ?? 1, stderr: stderrSink ?? 2,
    args: [name, ...args], env: Object.entries(guestEnv).map(([k, v]) => `${k}=${v}`),
  });
  const wasix = makeWasixImports({ mem, fds, waker, strategy, policy, stderr: stderrSink ?? process.stderr });
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, {
      wasi_snapshot_preview1: imports as WebAssembly.ModuleImports,
      wasix_32v1: wasix as WebAssembly.ModuleImports,
    });
  } catch (e) {
    for (const l of listeners) l.close();
    throw new WasmuxError(`cannot instantiate '${name}': ${(e as Error).message.split('\n')[0]}`);
  }
  const memory = instance.exports.memory as WebAssembly.Memory;
  mem.attach(memory);
  wasi.initialize({ exports: { memory } } as unknown as WebAssembly.Instance);

  let error: Error | null = null;
  let finished = false;
  const closeAll = (graceful: boolean) => {
    for (const [, e] of fds.all()) {
      if (e.kind === 'listener') e.listener.close();
      else if (e.kind === 'stream') graceful ? e.stream.close() : e.stream.destroy();
      else if (e.kind === 'file') wasiFns.fd_close(e.wasiFd);
    }
  };
  const exited = new Promise<number>((resolve) => {
    setImmediate(async () => {
      let code = 0;
      try {
        await strategy.run(instance);
      } catch (e) {
        if (e instanceof GuestExit) code = e.code;
        else {
          error = e instanceof Error ? e : new Error(String(e));
          code = TRAP_EXIT_CODE;
          const line = `wasmux: guest trapped: ${error.name}: ${error.message.split('\n')[0]}\n`;
          (stderrSink ?? process.stderr).write(line);
        }
      }
      finished = true;
      closeAll(!waker.stopping);
      resolve(code);
    });
  });

  return {
    addresses,
    host: 'node',
    wait: strategy.name,
    exited,
    get error() { return error; },
    stop(code = 0) {
      if (!finished) {
        waker.stop(code);
        closeAll(false);
      }
      return exited;
    },
  };
}
