// How the guest waits. A blocking import is written once, as a function that answers an errno at once or
// returns a Promise of the errno when it has to wait (it finishes its own work, including writing results into
// guest memory, before the promise resolves). A strategy turns such functions into real Wasm imports whose
// caller is suspended without blocking Node's event loop.

import type { Waker } from './waker.js';

/** A blocking WASI import: an errno now, or a promise of it. */
export type BlockingImport = (...args: any[]) => number | Promise<number>;

/** One way of suspending the guest: JSPI (Node >= 24) or Binaryen Asyncify (any Node). */
export interface WaitStrategy {
  readonly name: 'jspi' | 'asyncify';
  /** Compiles the module, transformed if the strategy needs it. */
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
  /** Turns a blocking import into a Wasm import function. */
  wrap(fn: BlockingImport): unknown;
  /** Runs `_start` of the instance to completion; rejects with what the guest threw (GuestExit or a trap). */
  run(instance: WebAssembly.Instance): Promise<void>;
}

/** Names of the wasi_snapshot_preview1 imports that may block: these are wrapped by the strategy (and
 *  instrumented by Asyncify). */
const BLOCKING_IMPORTS = ['poll_oneoff', 'sock_accept', 'sock_recv', 'sock_send', 'fd_read', 'fd_write'];

/** The wasix_32v1 imports that may block (a blocking connect, a DNS lookup). */
const WASIX_BLOCKING_IMPORTS = ['sock_connect', 'resolve'];

/** Every blocking import as MODULE.NAME (Asyncify's import list). */
export const BLOCKING_IMPORT_PATHS = [
  ...BLOCKING_IMPORTS.map((n) => `wasi_snapshot_preview1.${n}`),
  ...WASIX_BLOCKING_IMPORTS.map((n) => `wasix_32v1.${n}`),
];

/** The strategy with every blocking import paced by `waker` (see Waker.pace): a guest that never has to wait
 *  still lets Node's event loop run every few milliseconds. */
export function paced(strategy: WaitStrategy, waker: Waker): WaitStrategy {
  // Fixed arity (the widest blocking import takes 6) instead of rest arguments: no array per call.
  const pacedImport = (fn: BlockingImport): BlockingImport =>
    (a, b, c, d, e, f) => waker.pace(fn(a, b, c, d, e, f));
  return { ...strategy, wrap: (fn: BlockingImport) => strategy.wrap(pacedImport(fn)) };
}

/** True when this Node has the standard JSPI API (Node >= 24). */
export function jspiAvailable(): boolean {
  const W = WebAssembly as unknown as { Suspending?: unknown; promising?: unknown };
  return typeof W.Suspending === 'function' && typeof W.promising === 'function';
}

/** The strategy a guest gets when none is asked for: JSPI where the engine has it unflagged (Node 24.20+, 26),
 *  else Asyncify (Node 20 and 22: no WebAssembly.Suspending, not even behind a flag). */
export function defaultWaitStrategy(): 'jspi' | 'asyncify' {
  return jspiAvailable() ? 'jspi' : 'asyncify';
}
