// The Node runner: loads and checks the module, opens the listeners, builds the fd table and the imports,
// and runs the guest's _start with the chosen wait strategy.
import { realpathSync } from 'node:fs';
import type { ListenAddress } from '../address.js';
import { WasmuxError } from '../errors.js';
import { TRAP_EXIT_CODE, type BoundAddress, type Running } from '../options.js';
import { FdTable } from '../fd-table.js';
import { TcpListener } from '../sockets/tcp-listener.js';
import { GuestMemory } from '../wasi/guest-memory.js';
import { makeImports } from '../wasi/table.js';
import { makeWasixImports, WASIX_FUNCTIONS } from '../wasix/imports.js';
import { ConnectPolicy } from '../policy.js';
import { asyncifyStrategy } from '../wait/asyncify.js';
import { GuestExit } from '../wait/exit.js';
import { jspiStrategy } from '../wait/jspi.js';
import { defaultWaitStrategy, jspiAvailable, paced, type WaitStrategy } from '../wait/strategy.js';
import { Waker } from '../wait/waker.js';
import { declaresSubscriptionJournal } from '../subscription-journal.js';
import type { CheckedOptions } from '../validate-options.js';
import { loadWasi } from './load-wasi.js';
import { checkDirs, inspectCommand, loadModule, type ModuleSource } from './module-source.js';

/** Picks the wait strategy from the option, WASMUX_WAIT, or what this Node supports. */
function chooseStrategy(wait: string | undefined): WaitStrategy {
  const name = wait ?? (process.env.WASMUX_WAIT || undefined) ?? defaultWaitStrategy();
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

/** Loads, checks and compiles the module for the chosen wait strategy. */
async function prepareModule(options: CheckedOptions, strategy: WaitStrategy): Promise<{ module: WebAssembly.Module; name: string }> {
  const src = await loadModule(options.module, options.maxModuleSize);
  checkModule(src);
  try {
    return { module: await strategy.compile(src.bytes), name: src.name };
  } catch (e) {
    throw new WasmuxError(`cannot prepare '${src.name}' for ${strategy.name}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * The guest's fd table: 0-2 stdio (host entries, never the process's fds), the listeners, the dir preopens
 * (uvwasi numbers them 3.. in the same order; each is the root its paths are confined to), then opened fds.
 */
function buildFdTable(listeners: TcpListener[], dirs: { hostPath: string }[]): { fds: FdTable; addresses: BoundAddress[] } {
  const fds = new FdTable();
  for (const which of [0, 1, 2] as const) fds.add({ kind: 'stdio', which });
  const addresses: BoundAddress[] = listeners.map((l) => ({ host: l.host, port: l.port, fd: fds.add({ kind: 'listener', listener: l }) }));
  dirs.forEach((d, i) => {
    const root = realpathSync.native(d.hostPath);
    fds.add({ kind: 'file', wasiFd: 3 + i, root, hostPath: root });
  });
  return { fds, addresses };
}

/** Closes every socket and preopen the guest still holds; graceful lets queued output drain first. */
function closeAll(fds: FdTable, wasiFns: Record<string, (...a: any[]) => any>, graceful: boolean): void {
  for (const [, e] of fds.all()) {
    if (e.kind === 'listener') e.listener.close();
    else if (e.kind === 'stream') graceful ? e.stream.close() : e.stream.destroy();
    else if (e.kind === 'file') wasiFns.fd_close(e.wasiFd);
  }
}

/**
 * Instantiates `module` with the imports `build` makes for `strategy`; when they fail to link and the strategy has
 * a variant whose imports link to any signature (JSPI without trampolines), once more with that variant. A guest
 * that declares a blocking import with an unusual signature still runs, only without the fast path.
 */
async function instantiate(
  module: WebAssembly.Module, strategy: WaitStrategy, build: (s: WaitStrategy) => WebAssembly.Imports,
): Promise<WebAssembly.Instance> {
  try {
    return await WebAssembly.instantiate(module, build(strategy));
  } catch (e) {
    const plain = strategy.withoutTrampolines;
    if (!(e instanceof WebAssembly.LinkError) || !plain) throw e;
    return WebAssembly.instantiate(module, build(plain()));
  }
}

/** Starts a guest on the Node host with checked options; rejects with WasmuxError on an unusable module or a failed bind. */
export async function startNode(options: CheckedOptions): Promise<Running> {
  const dirs = await checkDirs(options.dirs);
  const preopens: Record<string, string> = Object.fromEntries(dirs.map((d) => [d.guestPath, d.hostPath]));
  const policy = await ConnectPolicy.create(options.allowConnect); // names looked up once
  const strategy = chooseStrategy(options.wait);
  const { module, name } = await prepareModule(options, strategy);
  const listeners = await openListeners(options.addresses, options.listen);
  const { stdout: stdoutSink, stderr: stderrSink } = options;
  const { fds, addresses } = buildFdTable(listeners, dirs);

  // node:wasi serves only file calls on the preopens (see wasi/table.ts); argv and environment are the host's.
  const guestEnv = { ...options.env, LISTEN_FDS: String(listeners.length) };
  const WASI = loadWasi();
  const wasi = new WASI({ version: 'preview1', preopens, returnOnExit: true });
  const mem = new GuestMemory();
  const waker = new Waker();
  for (const l of listeners) l.attach(waker.hub);
  const wasiFns = (wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, (...a: any[]) => any> }).wasi_snapshot_preview1;
  const journaled = declaresSubscriptionJournal(module);
  const importsFor = (s: WaitStrategy): WebAssembly.Imports => ({
    wasi_snapshot_preview1: makeImports({
      mem, fds, waker, strategy: s, journaled, wasi: wasiFns,
      stdout: stdoutSink ?? 1, stderr: stderrSink ?? 2,
      args: [name, ...options.args], env: Object.entries(guestEnv).map(([k, v]) => `${k}=${v}`),
    }) as WebAssembly.ModuleImports,
    wasix_32v1: makeWasixImports({ mem, fds, waker, strategy: s, policy, stderr: stderrSink ?? process.stderr }) as WebAssembly.ModuleImports,
  });
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiate(module, paced(strategy, waker), importsFor);
  } catch (e) {
    for (const l of listeners) l.close();
    throw new WasmuxError(`cannot instantiate '${name}': ${(e as Error).message.split('\n')[0]}`);
  }
  const memory = instance.exports.memory as WebAssembly.Memory;
  mem.attach(memory);
  wasi.initialize({ exports: { memory } } as unknown as WebAssembly.Instance);

  let error: Error | null = null;
  let finished = false;
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
      closeAll(fds, wasiFns, !waker.stopping);
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
        closeAll(fds, wasiFns, false);
      }
      return exited;
    },
  };
}
