// Exports the kv example's RESP parser to the unit tests as plain-number functions, so that what it
// holds and scans can be checked byte by byte against the simulated host (no sockets involved).
import { InputBudget, RespParser, Step } from "../../assembly/examples/lib/resp-parser";

let budget = new InputBudget(1 << 30);
const parsers = new Array<RespParser>();
const scratch = new Uint8Array(1 << 16);

/** A new budget of `limit` bytes and no parsers. */
export function reset(limit: i64): void { budget = new InputBudget(limit); parsers.length = 0; }
/** A new parser with a per-connection limit; returns its index. */
export function open(clientLimit: i64): i32 { parsers.push(new RespParser(budget, clientLimit)); return parsers.length - 1; }
/** Where the test writes bytes before feed(). */
export function scratchPtr(): usize { return scratch.dataStart; }
/** Feeds `len` scratch bytes to parser `p`; false when refused (see errorLength). */
export function feed(p: i32, len: i32): bool { return parsers[p].feed(scratch.dataStart, len); }
/** Runs next() once: 0 NEED_MORE, 1 READY, 2 SKIP, 3 STOP. */
export function next(p: i32): i32 { return <i32>parsers[p].next(); }
export function argCount(p: i32): i32 { return parsers[p].args.length; }
export function argLength(p: i32, i: i32): i32 { return parsers[p].args[i].length; }
/** Sum of the bytes of argument `i` (a cheap check that the content arrived intact). */
export function argSum(p: i32, i: i32): i64 {
  const a = parsers[p].args[i];
  let s: i64 = 0;
  for (let k = 0; k < a.length; k++) s += unchecked(a[k]);
  return s;
}
export function scanned(p: i32): i64 { return parsers[p].scanned; }
export function held(p: i32): i64 { return parsers[p].held; }
export function budgetHeld(): i64 { return budget.held; }
export function release(p: i32): void { parsers[p].release(); }
/** The error text's first character code and length (the tests match the text through errorAt). */
export function errorLength(p: i32): i32 { return parsers[p].error.length; }
export function errorAt(p: i32, i: i32): i32 { return parsers[p].error.charCodeAt(i); }
export const STEP_READY: i32 = Step.READY;
