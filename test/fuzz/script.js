// Draws one batch's call script from (seed, batch): which import each call makes, with which arguments, and the
// memory writes before it; encodes it for the guest's interpreter (binary, at SCRIPT_BASE). Calls are numbered
// from 0 within the batch; a failure names the seed, the batch and the call.
import { Prng } from './prng.js';
import { ArgGen } from './args.js';
import { CALL_SIZE, MAX_ARGS, OP, makeLayout, SCRIPT_BASE } from './layout.js';
import { validPtr, NS_PER_MS, U64_MAX } from './values.js';

/** How often an import is drawn relative to the others (1 when not listed). */
const WEIGHTS = {
  sock_accept: 3, sock_recv: 4, sock_send: 4, sock_shutdown: 2, poll_oneoff: 4, fd_read: 3, fd_write: 3, fd_close: 2,
  fd_renumber: 2, fd_fdstat_set_flags: 2, path_open: 2, sock_open: 2, sock_connect: 2,
  proc_exit: 0, // only as the last call of a batch: it ends the guest
};
/** A long poll every PROBE_EVERY calls: the child measures its CPU time while the guest waits in it. */
export const PROBE_EVERY = 4000;
export const PROBE_MS = 400;

/** Little-endian byte writer that grows as needed. */
class Writer {
  constructor() {
    this.buf = new Uint8Array(1 << 16);
    this.dv = new DataView(this.buf.buffer);
    this.n = 0;
  }
  ensure(k) {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u32(v) { this.ensure(4); this.dv.setUint32(this.n, v >>> 0, true); this.n += 4; }
  u64(v) { this.ensure(8); this.dv.setBigUint64(this.n, v, true); this.n += 8; }
  bytes(b) { this.ensure(b.length + 8); this.buf.set(b, this.n); this.n += Math.ceil(b.length / 8) * 8; }
}

/** Encodes the memory writes of a call (byte writes and 4-byte slot copies) and the call record. */
function encodeCall(w, index, c, probe) {
  for (const x of c.writes) {
    if (x.bytes) {
      w.u32(OP.WRITE); w.u32(x.dst); w.u32(x.bytes.length); w.u32(0);
      w.bytes(x.bytes);
    } else {
      w.u32(OP.COPY32); w.u32(x.dst); w.u32(x.src); w.u32(0);
    }
  }
  w.u32(OP.CALL); w.u32(index); w.u32(c.mask); w.u32(probe ? 1 : 0);
  for (let i = 0; i < MAX_ARGS; i++) w.u64(c.args[i] ?? 0n);
}

/** The long poll: clocks that overflow a 32-bit millisecond timer (and u64::MAX) next to one PROBE_MS clock. */
function probeCall(rng, memSize) {
  const subs = validPtr(rng, memSize, 4 * 48);
  const bytes = new Uint8Array(4 * 48);
  const dv = new DataView(bytes.buffer);
  /** @type {[bigint, number][]} timeout and flags of each clock */
  const clocks = [[U64_MAX, 0], [2n ** 31n * NS_PER_MS + NS_PER_MS, 0], [U64_MAX, 1], [BigInt(PROBE_MS) * NS_PER_MS, 0]];
  clocks.forEach(([timeout, fl], i) => {
    dv.setBigUint64(i * 48, BigInt(i), true);
    dv.setUint32(i * 48 + 16, 1, true); // monotonic
    dv.setBigUint64(i * 48 + 24, timeout, true);
    dv.setUint16(i * 48 + 40, fl, true);
  });
  const events = validPtr(rng, memSize, 4 * 32);
  const nevents = validPtr(rng, memSize, 4);
  return { args: [subs, events, 4, nevents].map(BigInt), mask: 0, writes: [{ dst: subs, bytes }] };
}

/**
 * One batch of `calls` calls in a guest laid out for `capacity` calls (the same module serves every batch of a
 * campaign): `imports` as from resolveImports, `env` as ArgGen wants it (memSize is filled in here).
 * Returns {layout, script (bytes), calls: [{name, module, args, mask, probe}]}.
 */
export function generateBatch({ seed, batch, calls, capacity = calls, imports, env, deny = [] }) {
  const rng = new Prng(seed, batch);
  const layout = makeLayout(capacity);
  const gen = new ArgGen(rng, { ...env, memSize: layout.memSize });
  const usable = imports.filter((im) => !deny.includes(im.name));
  const weights = usable.map((im) => WEIGHTS[im.name] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const pickImport = () => {
    let r = rng.below(total);
    for (let i = 0; i < usable.length; i++) {
      r -= weights[i];
      if (r < 0) return usable[i];
    }
    return usable[usable.length - 1];
  };
  const w = new Writer();
  const list = [];
  const budget = layout.scriptLimit - SCRIPT_BASE - 2 * CALL_SIZE;
  const exit = usable.find((im) => im.name === 'proc_exit');
  const poll = usable.find((im) => im.name === 'poll_oneoff');
  const last = exit && rng.chance(0.5) ? calls - 1 : calls;
  // Every batch begins with each import once (in a seeded order), so that even a short batch calls them all.
  const first = usable.filter((im) => im !== exit);
  for (let i = first.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [first[i], first[j]] = [first[j], first[i]];
  }
  for (let i = 0; i < last && w.n < budget - 16384; i++) {
    const probe = poll && i >= first.length && i % PROBE_EVERY === Math.min(PROBE_EVERY, calls) >> 1;
    const im = probe ? poll : i < first.length ? first[i] : pickImport();
    const c = probe ? probeCall(rng, layout.memSize) : gen.call(im.kinds, im.name);
    encodeCall(w, imports.indexOf(im), c, probe);
    list.push({ name: im.name, module: im.module, args: c.args, mask: c.mask, probe });
  }
  if (last < calls) {
    const c = gen.call(exit.kinds);
    encodeCall(w, imports.indexOf(exit), c, false);
    list.push({ name: exit.name, module: exit.module, args: c.args, mask: c.mask, probe: false });
  }
  w.u32(OP.END); w.u32(0); w.u32(0); w.u32(0);
  return { layout, script: w.buf.slice(0, w.n), calls: list };
}

/** One line describing a call, for failure reports: name(args), slot reads shown as *0xADDR. */
export function describeCall(c) {
  const args = c.args.map((v, i) => ((c.mask >> i) & 1 ? `*0x${v.toString(16)}` : v > 0xffffn ? `0x${v.toString(16)}` : String(v)));
  return `${c.module === 'wasix_32v1' ? 'wasix.' : ''}${c.name}(${args.join(', ')})${c.probe ? ' [long-poll probe]' : ''}`;
}
