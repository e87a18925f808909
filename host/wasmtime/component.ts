// The component path of the wasmtime runner. wasmtime 47 removed preview1 sockets (wasi-common), so a
// current wasmtime runs the WASI 0.2 component build of the same program (build/component/NAME.wasm from
// npm run build:components), which creates its listeners itself over wasi:sockets.
import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WasmuxError } from '../errors.js';
import type { ModuleSource } from '../runners/module-source.js';
import { FIRST_VERSION_WITHOUT_SOCKETS, WASMTIME_PIN, type Wasmtime } from './locate.js';

/**
 * The network wasmtime grants a component: TCP, everything the OS allows (its CLI has no per-address rule
 * narrower than inherit-network), but no UDP and no name lookup, which the servers do not use.
 */
export const COMPONENT_NETWORK_FLAGS = ['-S', 'inherit-network', '-S', 'udp=n', '-S', 'allow-ip-name-lookup=n'];
/** The same with name lookup, for a program the user let connect anywhere (--allow-connect any). */
export const COMPONENT_CONNECT_ANY_FLAGS = ['-S', 'inherit-network', '-S', 'udp=n', '-S', 'allow-ip-name-lookup=y'];

/** True when this wasmtime can only run servers as components (47 and later). */
export function runsComponents(w: Wasmtime): boolean {
  return w.major >= FIRST_VERSION_WITHOUT_SOCKETS;
}

/** True when the bytes are a component (the binary format's layer field is 1), not a core module. */
export function isComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d &&
    bytes[6] === 1 && bytes[7] === 0;
}

/**
 * True when a core module imports the WASIX socket calls (outgoing connections). Its component build makes
 * them over wasi:sockets, but under the wasmtime CLI only with -S inherit-network, which allows every
 * address: nothing there can hold it to the --allow-connect rules the Node host enforces.
 */
function makesConnections(bytes: Uint8Array): boolean {
  // A component names every wasi:sockets function its core module uses (and only those).
  if (isComponent(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('[method]tcp-socket.start-connect');
  if (!WebAssembly.validate(bytes)) return false;
  return WebAssembly.Module.imports(new WebAssembly.Module(bytes)).some((i) => i.module.startsWith('wasix'));
}

/**
 * True when wasmtime 47 or later is to run `src` as the core module it is: a preview1 module that is given no
 * listener, makes no outgoing connection and has no component build beside it. Such a wasmtime still runs
 * preview1 modules (over its WASI 0.2 implementation); only their socket calls have nothing to act on, so a
 * program that needs no socket runs as on wasmtime 36. A component build is still preferred when there is one:
 * only it keeps exit statuses 126-255.
 */
export function runsAsCore(src: ModuleSource, listeners: number): boolean {
  if (listeners !== 0 || isComponent(src.bytes) || makesConnections(src.bytes)) return false;
  return src.path === null || !existsSync(componentPathFor(src.path));
}

/** The file of a core module's component build: component/NAME.wasm beside it. */
export function componentPathFor(modulePath: string): string {
  return join(dirname(modulePath), 'component', basename(modulePath));
}

/**
 * The component wasmtime `w` is to run for `src`: src itself when it is one, else its component build.
 * Rejects with one line saying what is missing and how to get it.
 */
export function componentFor(src: ModuleSource, w: Wasmtime, connectAny = false): string {
  const why = `wasmtime ${w.version} runs wasmux servers only as WASI 0.2 components (preview1 sockets were removed in ${FIRST_VERSION_WITHOUT_SOCKETS})`;
  if (makesConnections(src.bytes) && !connectAny) {
    // Its component build can connect, but the CLI cannot confine it to address rules: only an explicit 'any'.
    throw new WasmuxError(`'${src.name}' makes outgoing connections, and wasmtime ${w.version} cannot limit them to addresses (its -S inherit-network grants every address); run it with --host node and --allow-connect rules, or grant every address with --allow-connect any`);
  }
  if (isComponent(src.bytes)) {
    if (src.path === null) throw new WasmuxError(`${why}; pass the component as a file path`);
    return src.path;
  }
  if (src.path === null) throw new WasmuxError(`${why}; pass the module as a file path so that its component build can be found`);
  const path = componentPathFor(src.path);
  if (!existsSync(path)) {
    throw new WasmuxError(`${why}, and ${path} is missing: build it with npm run setup:components && npm run build:components, or install wasmtime ${WASMTIME_PIN} with npm run setup:wasmtime`);
  }
  return path;
}

/**
 * wasmtime's command line for a component. Its listeners cannot be handed in: the addresses go in
 * WASMUX_LISTEN, where the backend binds them, in order, as fds 3, 4, ... (LISTEN_FDS says how many).
 */
export function componentArgs(opts: { listen: string[]; env: Record<string, string>; dirs: string[]; module: string; args: string[]; connectAny?: boolean }): string[] {
  const argv = ['run', ...(opts.connectAny ? COMPONENT_CONNECT_ANY_FLAGS : COMPONENT_NETWORK_FLAGS)];
  argv.push('--env', `LISTEN_FDS=${opts.listen.length}`, '--env', `WASMUX_LISTEN=${opts.listen.join(',')}`);
  for (const [k, v] of Object.entries(opts.env)) argv.push('--env', `${k}=${v}`);
  for (const d of opts.dirs) argv.push('--dir', d);
  argv.push(opts.module, ...opts.args);
  return argv;
}

/**
 * The reason in the component's own bind-failure line ("wasmux: failed to bind ADDR: WHY", written by
 * assembly/wasi-p2/listen.ts), or null when there is none.
 */
export function componentBindFailure(stderr: string): string | null {
  return /^wasmux: failed to bind \S+: (.+)$/m.exec(stderr)?.[1] ?? null;
}
