// wasmux bench guest: the cost of one select call as the number of registered fds grows.
//
// Two ways to run it:
// - In-process with fake imports (bench/driver/core.ts): the bench instantiates this module with a
//   poll_oneoff that answers one ready event at once, calls _start (which sees no BENCH_MODE and
//   returns), then calls the exports below and times them from JS: the guest's own work only.
// - On a real host (BENCH_MODE=real, listener on fd 3): accepts BENCH_MAXN connections (the first
//   one accepted has one unread byte waiting, so exactly one fd is ready), then for every N in
//   BENCH_NS registers the first N streams with a fresh Selector and times select(0) calls with the
//   monotonic clock. Prints one JSON line per N on stdout, then "done"; its `full_polls` counts the timed
//   calls' host polls over all N fds (about one per call when the selector did not take to its hot set).
//   WASMUX_WAKE_MS sets the selectors' wake-up bound (0: every select polls every fd), as it does for an
//   EventLoop.
import { Selector, EVENT_READ, select, Listener, Stream, getenv, monotonicNs, logLine } from "../../assembly/index";

// ---- fake-import mode: exports timed from JS ----
let selector: Selector<i32> | null = null;
let readers: Array<u32> = [];
const empty: Array<u32> = [];

/** Registers `n` fds (1000 ... 1000+n-1) for READ with a fresh Selector. */
export function selectorSetup(n: i32): void {
  const s = new Selector<i32>();
  for (let i = 0; i < n; i++) s.register(<u32>(1000 + i), EVENT_READ, i);
  selector = s;
}

/** Runs `k` Selector.select(0) calls; returns the number of ready keys seen in total. */
export function selectorRun(k: i32): i32 {
  const s = selector!;
  let seen = 0;
  for (let i = 0; i < k; i++) seen += s.select(0).length;
  return seen;
}

/** Prepares the fd list of the list-based select() (rebuilds its set from the lists on every call). */
export function selectSetup(n: i32): void {
  const r = new Array<u32>(n);
  for (let i = 0; i < n; i++) unchecked(r[i] = <u32>(1000 + i));
  readers = r;
}

/** Runs `k` select(readers, [], [], 0) calls; returns the number of ready readers seen in total. */
export function selectRun(k: i32): i32 {
  let seen = 0;
  for (let i = 0; i < k; i++) seen += select(readers, empty, empty, 0).readers.length;
  return seen;
}

// ---- real-host mode ----
function parseList(s: string): Array<i32> {
  const parts = s.split(",");
  const out = new Array<i32>();
  for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) out.push(I32.parseInt(parts[i]));
  return out;
}

/** Selects made before timing: enough for the poll policy's first decision (16 x 8 = 128) and a second one. */
const WARM_UP_SELECTS = 300;
/** ... but at most this long (ns), whatever a full poll costs. */
const WARM_UP_MAX_NS: u64 = 10_000_000_000;

function runReal(): void {
  const ns = parseList(getenv("BENCH_NS") || "1,10,100,1000");
  let maxN = 0;
  for (let i = 0; i < ns.length; i++) maxN = max(maxN, ns[i]);
  const budgetNs: u64 = <u64>I64.parseInt(getenv("BENCH_BUDGET_MS") || "300") * 1_000_000;
  const listener = new Listener(3);

  // Accept every connection, waiting on the listener with a Selector.
  const streams = new Array<Stream>();
  const waitSel = new Selector<i32>();
  waitSel.register(3, EVENT_READ, 0);
  while (streams.length < maxN) {
    const s = listener.accept();
    if (s != null) { streams.push(s); continue; }
    waitSel.select(1000);
  }
  logLine("select-cost: accepted " + streams.length.toString());

  for (let j = 0; j < ns.length; j++) {
    const n = ns[j];
    const sel = new Selector<i32>();
    const wake = getenv("WASMUX_WAKE_MS");
    if (wake != null) sel.wakeBoundMs = I64.parseInt(wake);
    for (let i = 0; i < n; i++) sel.register(streams[i].fd, EVENT_READ, i);
    // Wait until the ready fd shows up (its byte may still be on the way), then warm up until the selector's
    // poll policy has decided its mode: it measures one select in 16 over a window of 8, so at 10,000 fds on
    // wasmtime (a few ms per full poll) that takes most of a second, longer than the timed budget itself.
    let ready = 0;
    for (let tries = 0; tries < 100 && ready == 0; tries++) ready = sel.select(100).length;
    const warmEnd = monotonicNs() + WARM_UP_MAX_NS;
    for (let i = 0; i < WARM_UP_SELECTS && monotonicNs() < warmEnd; i++) sel.select(0);
    const fullBefore = sel.fullPolls;
    let calls = 0;
    let seen: i64 = 0;
    const t0 = monotonicNs();
    let t = t0;
    while (calls < 10 || (t - t0 < budgetNs && calls < 1_000_000)) {
      for (let b = 0; b < 10; b++) seen += sel.select(0).length;
      calls += 10;
      t = monotonicNs();
    }
    const per = <f64>(t - t0) / <f64>calls;
    console.log("{\"n\":" + n.toString() + ",\"calls\":" + calls.toString() + ",\"ns_per_call\":" + per.toString() +
      ",\"ready_per_call\":" + (<f64>seen / <f64>calls).toString() +
      ",\"full_polls\":" + (sel.fullPolls - fullBefore).toString() + "}");
    sel.close();
  }
  console.log("done");
}

const mode = getenv("BENCH_MODE");
if (mode != null && mode == "real") runReal();
