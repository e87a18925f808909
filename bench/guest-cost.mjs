// The guest's own cost per echoed message, without a real host: an echo module runs against a scripted WASI host
// whose every poll_oneoff answers K of 10 accepted connections readable with 1 KiB, and whose sock_recv/sock_send
// succeed at once, so what is timed is the Wasm code plus its calls into JavaScript (the scripted host's share is
// small and the same for every module). No sockets and no scheduling: on a shared machine it stays steady where
// the echo bench moves by tens of percent. Usage:
//   node bench/guest-cost.mjs WASM [--asyncify] [--ready K] [--turns N]
// --asyncify: the module as the Node host runs it on Node 20 and 22 (Binaryen's Asyncify), unwound and rewound at
// every poll. Prints one JSON line: ns per message and per turn, host calls per message, clock reads per turn.
// Compare two builds by running it on each, alternated, several times.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

let wasmPath = null, asyncify = false, READY = 6, TURNS = 300_000;
for (const args = process.argv.slice(2); args.length > 0;) {
  const a = args.shift();
  if (a === '--asyncify') asyncify = true;
  else if (a === '--ready') READY = Number(args.shift());
  else if (a === '--turns') TURNS = Number(args.shift());
  else if (!a.startsWith('--') && wasmPath === null) wasmPath = a;
  else wasmPath = undefined;
}
if (!wasmPath || !(READY >= 1 && READY <= 10) || !(TURNS >= 10)) {
  console.error('usage: node bench/guest-cost.mjs WASM [--asyncify] [--ready K (1-10)] [--turns N]');
  process.exit(2);
}
const CONNS = 10, SIZE = 1024, LISTENER = 3, FIRST_CONN = 4;
const WARM = Math.floor(TURNS / 5); // turns before the clock starts: accepts done, every function optimized
const UNWIND_AT = 16, UNWIND_END = 32 * 1024; // the unwind region our modules reserve (scripts/lib/unwind-region.js)
const ENV = 'LISTEN_FDS=1\0';
const AGAIN = 6, BADF = 8, SOCKET_STREAM = 6, NONBLOCK = 4;

let bytes = readFileSync(wasmPath);
if (asyncify) {
  const { asyncifyTransform } = await import(resolve('dist/host/wait/asyncify.js'));
  bytes = await asyncifyTransform(bytes);
}

class Done extends Error {}
let ex, dv;
/** A view of the guest's memory (a new one once the memory grew). */
function view() {
  if (dv.buffer !== ex.memory.buffer) dv = new DataView(ex.memory.buffer);
  return dv;
}
const count = { turns: 0, messages: 0, calls: 0, clocks: 0 };
let accepted = 0, next = 0, rewinding = false, t0 = 0n, messages0 = 0;
const pickedIn = new Int32Array(FIRST_CONN + CONNS); // turn number in which each connection is reported ready

const wasi = {
  clock_time_get(_id, _precision, out) { count.clocks++; view().setBigUint64(out, process.hrtime.bigint(), true); return 0; },
  proc_exit(code) { throw new Done(`exit ${code}`); },
  fd_write(_fd, iovs, n, nwritten) { return gatherLength(iovs, n, nwritten); },
  poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
    if (rewinding) { rewinding = false; ex.asyncify_stop_rewind(); return 0; }
    if (count.turns === WARM) { t0 = process.hrtime.bigint(); messages0 = count.messages; }
    if (count.turns++ >= TURNS) throw new Done('turns');
    count.calls++;
    const d = view();
    const accepting = accepted < CONNS;
    if (!accepting) for (let j = 0; j < READY; j++) pickedIn[FIRST_CONN + ((next + j) % CONNS)] = count.turns;
    next = (next + READY) % CONNS;
    let n = 0;
    for (let i = 0; i < nsubs; i++) {
      const s = inPtr + 48 * i, tag = d.getUint8(s + 8);
      if (tag === 0) continue; // the clock never fires: something is always ready
      const fd = d.getUint32(s + 16, true);
      const ready = tag === 2 || (accepting ? fd === LISTENER : pickedIn[fd] === count.turns);
      if (!ready) continue;
      const e = outPtr + 32 * n++;
      d.setUint32(e, d.getUint32(s, true), true); d.setUint32(e + 4, d.getUint32(s + 4, true), true);
      d.setUint16(e + 8, 0, true); d.setUint8(e + 10, tag);
      d.setUint32(e + 16, tag === 1 ? SIZE : 65536, true); d.setUint32(e + 20, 0, true); d.setUint16(e + 24, 0, true);
    }
    d.setUint32(neventsPtr, n, true);
    if (asyncify && count.turns > 1) { // suspend, as the host does when it has to wait (about once per turn)
      d.setUint32(UNWIND_AT, UNWIND_AT + 8, true);
      d.setUint32(UNWIND_AT + 4, UNWIND_END, true);
      ex.asyncify_start_unwind(UNWIND_AT);
    }
    return 0;
  },
  fd_fdstat_get(fd, out) {
    if (fd < LISTENER || fd >= FIRST_CONN + accepted) return BADF;
    const d = view();
    d.setUint8(out, SOCKET_STREAM); d.setUint16(out + 2, fd >= FIRST_CONN ? NONBLOCK : 0, true);
    d.setBigUint64(out + 8, 0xffffffffn, true); d.setBigUint64(out + 16, 0xffffffffn, true);
    return 0;
  },
  sock_shutdown() { return 0; },
  sock_send(_fd, iovs, n, _flags, nsent) { count.calls++; return gatherLength(iovs, n, nsent); },
  sock_recv(_fd, iovs, _n, _flags, nread, roflags) {
    count.calls++; count.messages++;
    const d = view();
    d.setUint32(nread, Math.min(d.getUint32(iovs + 4, true), SIZE), true);
    d.setUint16(roflags, 0, true);
    return 0;
  },
  fd_close() { return 0; },
  environ_sizes_get(countPtr, sizePtr) { const d = view(); d.setUint32(countPtr, 1, true); d.setUint32(sizePtr, ENV.length, true); return 0; },
  environ_get(ptrs, buf) {
    const d = view();
    d.setUint32(ptrs, buf, true);
    for (let i = 0; i < ENV.length; i++) d.setUint8(buf + i, ENV.charCodeAt(i));
    return 0;
  },
  sock_accept(_fd, _flags, out) {
    if (accepted >= CONNS) return AGAIN;
    view().setUint32(out, FIRST_CONN + accepted++, true);
    return 0;
  },
};

/** Writes the iovecs' total length to `outPtr` (a send or write that takes everything). */
function gatherLength(iovs, n, outPtr) {
  const d = view();
  let total = 0;
  for (let i = 0; i < n; i++) total += d.getUint32(iovs + 8 * i + 4, true);
  d.setUint32(outPtr, total, true);
  return 0;
}

const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { wasi_snapshot_preview1: wasi });
ex = instance.exports;
dv = new DataView(ex.memory.buffer);
try {
  for (;;) {
    ex._start();
    if (!asyncify || ex.asyncify_get_state() !== 1) break;
    ex.asyncify_stop_unwind();
    rewinding = true;
    ex.asyncify_start_rewind(UNWIND_AT);
  }
} catch (e) {
  if (!(e instanceof Done)) throw e;
}
const ns = Number(process.hrtime.bigint() - t0);
const messages = count.messages - messages0;
console.log(JSON.stringify({
  wasm: wasmPath, asyncify, ready: READY,
  ns_per_message: +(ns / messages).toFixed(1),
  ns_per_turn: +(ns / (TURNS - WARM)).toFixed(1),
  host_calls_per_message: +(count.calls / count.messages).toFixed(3),
  clock_reads_per_turn: +(count.clocks / count.turns).toFixed(3),
}));
