// How the guest waits. A blocking import is written once, as a function that answers an errno at once or
// returns a Promise of the errno when it has to wait (it finishes its own work, including writing results into
// guest memory, before the promise resolves). A strategy turns such functions into real Wasm imports whose
// caller is suspended without blocking Node's event loop.

import type { Waker } from './waker.js';

/** A blocking WASI import: an errno now, or a promise of it. */
export type BlockingImport = (...args: any[]) => number | Promise<number>;

/** What a strategy passes every answer of a blocking import through (Waker.pace). */
export type Pace = { pace(r: number | Promise<number>): number | Promise<number> };

/** One way of suspending the guest: JSPI (Node >= 24) or Binaryen Asyncify (any Node). */
export interface WaitStrategy {
  readonly name: 'jspi' | 'asyncify';
  /** Compiles the module, transformed if the strategy needs it. */
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
  /** Turns a blocking import into a Wasm import function; with `pace`, each answer passes through it (paced()). */
  wrap(fn: BlockingImport, pace?: Pace): unknown;
  /** Runs `_start` of the instance to completion; rejects with what the guest threw (GuestExit or a trap). */
  run(instance: WebAssembly.Instance): Promise<void>;
  /** The same strategy with imports any signature links to, when this one's imports are typed (JSPI's
   *  trampolines take i32 parameters): the runner retries with it when the guest fails to link. */
  withoutTrampolines?: () => WaitStrategy;
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

/** A call of up to six arguments (the widest blocking import takes 6). */
export type Call6<R> = (a: any, b: any, c: any, d: any, e: any, f: any) => R;

/**
 * A function that declares exactly `arity` parameters and passes them to `call`. Wasm calls a JS import fastest
 * when the function declares as many parameters as the import's signature has (V8 then calls it directly; a
 * mismatch, e.g. rest parameters, goes through a generic call path: about twice the cost of a direct one, and
 * rest parameters add an array per call). Wrappers keep the arity of what they wrap (Function.length), so a
 * blocking import must declare every parameter it takes (no default or rest parameters: those would be cut off).
 */
export function withArity<R>(arity: number, call: Call6<R>): (...args: any[]) => R {
  switch (arity) {
    case 0: return () => call(undefined, undefined, undefined, undefined, undefined, undefined);
    case 1: return (a) => call(a, undefined, undefined, undefined, undefined, undefined);
    case 2: return (a, b) => call(a, b, undefined, undefined, undefined, undefined);
    case 3: return (a, b, c) => call(a, b, c, undefined, undefined, undefined);
    case 4: return (a, b, c, d) => call(a, b, c, d, undefined, undefined);
    case 5: return (a, b, c, d, e) => call(a, b, c, d, e, undefined);
    case 6: return (a, b, c, d, e, f) => call(a, b, c, d, e, f);
    default: throw new Error(`withArity: ${arity} parameters (blocking imports take at most 6)`);
  }
}

/** The strategy with every blocking import paced by `waker` (see Waker.pace): a guest that never has to wait
 *  still lets Node's event loop run every few milliseconds. */
export function paced(strategy: WaitStrategy, waker: Waker): WaitStrategy {
  // The strategy applies it inside its own wrapper: one wrapper less per guest call.
  const without = strategy.withoutTrampolines;
  return {
    ...strategy,
    wrap: (fn: BlockingImport) => strategy.wrap(fn, waker),
    withoutTrampolines: without ? () => paced(without(), waker) : undefined,
  };
}

/** `fn` with every answer passed through `pace` (same arity), or `fn` itself without one. */
export function pacedImport(fn: BlockingImport, pace: Pace | undefined): BlockingImport {
  return pace ? withArity(fn.length, (a, b, c, d, e, f) => pace.pace(fn(a, b, c, d, e, f))) : fn;
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
