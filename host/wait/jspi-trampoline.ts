// A blocking import under JSPI that costs a plain call when it answers at once.
//
// A WebAssembly.Suspending import suspends the guest on every call, even when it returns a plain number (the
// engine resumes it a microtask later): about 0.11-0.17 us per call on Node 24 and 26, four to five times a plain
// import call (bench/suspend-cost.mjs). Most calls of a busy server answer at once (a sock_recv with data there,
// a sock_send the kernel takes), so that suspension is most of what the host costs per call.
//
// The trampoline is a tiny Wasm module per import: its export `c` calls the import as a plain JS function (`h.f`),
// which answers the errno, or MUST_WAIT after setting the promise aside; only then does `c` call `h.s`, the
// Suspending import, which hands that promise to the engine. The guest imports `c` itself (a Wasm function), so no
// JS frame stands between the guest's stack and the suspension, which JSPI requires.
import { withArity, type BlockingImport, type Pace } from './strategy.js';

type SuspendingCtor = new (fn: () => unknown) => unknown;

/** What `h.f` answers when the import gave a promise: never an errno (those are 0..76). */
const MUST_WAIT = -1;

/** The most parameters a trampoline passes on (the widest blocking import takes 6). */
const MAX_ARITY = 6;

const I32 = 0x7f;

/** A section: its id, its size (one LEB byte: every section here is under 128 bytes) and its bytes. */
function section(id: number, body: number[]): number[] {
  if (body.length >= 0x80) throw new Error(`jspi trampoline: section ${id} is ${body.length} bytes (one-byte size only)`);
  return [id, body.length, ...body];
}

/** A name as Wasm encodes it (length, then the bytes; ASCII only here). */
const name = (s: string): number[] => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

/** The binary of the trampoline for imports of `arity` i32 parameters returning an i32 errno. */
export function trampolineBytes(arity: number): Uint8Array {
  if (!Number.isInteger(arity) || arity < 0 || arity > MAX_ARITY) {
    throw new Error(`jspi trampoline: ${arity} parameters (blocking imports take 0 to ${MAX_ARITY})`);
  }
  const params = new Array<number>(arity).fill(I32);
  const types = section(1, [2, 0x60, arity, ...params, 1, I32, 0x60, 0, 1, I32]);
  const imports = section(2, [2, ...name('h'), ...name('f'), 0, 0, ...name('h'), ...name('s'), 0, 1]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...name('c'), 0, 2]);
  const local = arity; // the one extra local, after the parameters: what h.f answered
  const code = [
    ...params.flatMap((_, i) => [0x20, i]), // local.get i
    0x10, 0, // call h.f
    0x22, local, // local.tee
    0x41, 0x7f, // i32.const -1 (MUST_WAIT)
    0x46, // i32.eq
    0x04, I32, // if (result i32)
    0x10, 1, //   call h.s: suspends on the promise set aside
    0x05, // else
    0x20, local, //   local.get: the errno answered at once
    0x0b, // end
    0x0b, // end of the function
  ];
  const body = [1, 1, I32, ...code]; // one run of locals: 1 x i32
  const codeSection = section(10, [1, body.length, ...body]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...funcs, ...exports, ...codeSection]);
}

/** Compiled trampolines by arity: compiled once per process, instantiated once per import. */
const compiled = new Map<number, WebAssembly.Module>();

/**
 * `fn` as a Wasm function of fn.length i32 parameters that returns what `fn` answers at once with the cost of a
 * plain import call, and suspends the caller (through `Suspending`) only on a promise; with `pace`, each answer
 * passes through it first (in this one wrapper, not one of its own). A guest that imports it with another
 * signature fails to link (WebAssembly.LinkError); the caller then falls back to plain Suspending imports.
 */
export function suspendingOnlyToWait(fn: BlockingImport, Suspending: SuspendingCtor, pace?: Pace): Function {
  const arity = fn.length;
  let module = compiled.get(arity);
  if (!module) {
    module = new WebAssembly.Module(trampolineBytes(arity));
    compiled.set(arity, module);
  }
  // One import's calls never overlap: the guest is suspended until the promise set aside here settles.
  let promise: Promise<number> | null = null;
  const take = (): Promise<number> | null => {
    const p = promise;
    promise = null;
    return p;
  };
  // Declares exactly `arity` parameters, so Wasm calls it directly (no generic call path).
  const f = withArity(arity, (a, b, c, d, e, g) => {
    const answer = fn(a, b, c, d, e, g);
    const r = pace ? pace.pace(answer) : answer;
    if (typeof r === 'number') return r;
    promise = r;
    return MUST_WAIT;
  });
  const instance = new WebAssembly.Instance(module, { h: { f, s: new Suspending(take) } });
  return instance.exports.c as Function;
}
