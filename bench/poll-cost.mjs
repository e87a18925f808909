// Cost of the Node host's poll_oneoff alone, without a guest: N fd_read subscriptions on fake streams plus one
// relative clock; before each call K streams become readable (and fall back after it). Usage:
// node bench/poll-cost.mjs [DIST] [N] [K] [ITERS] [HOT] [JOURNAL] (DIST: a dist/ directory, default ./dist; run two
// DISTs to compare builds). HOT > 0 alternates like a selector using its hot set: HOT calls over a second array of
// the K streams that rise (plus the clock), then one call over all N. JOURNAL=1 polls as a module that keeps the
// subscription journal: each array has its header, and every call rewrites the clock slot and lists it, as the
// core does (a DIST without the journal ignores it and compares the whole array). Prints the mean time of the
// calls answered at once (the 1-in-32 call that yields, and the first calls, are left out).
import { resolve } from 'node:path';

const [distArg = 'dist', N = '100', K = '8', iters = '200000', HOT = '0', JOURNAL = '0'] = process.argv.slice(2);
const dist = resolve(distArg);
const { makePollOneoff } = await import(`${dist}/host/poll.js`);
const { Watchable } = await import(`${dist}/host/sockets/watchable.js`);
const { Waker } = await import(`${dist}/host/wait/waker.js`);
const { GuestMemory } = await import(`${dist}/host/wasi/guest-memory.js`);
const { FdTable } = await import(`${dist}/host/fd-table.js`);
const n = Number(N), k = Number(K), it = Number(iters), hot = Number(HOT), journaled = JOURNAL === '1';
class FakeStream extends Watchable {
  constructor(hub) { super(); this.attach(hub); this.readable = false; this.available = 0; this.hangup = false; this.connectError = 0; this.writable = true; this.writeRoom = 1000; }
  rise() { this.readable = true; this.available = 1024; this.changed(); }
  fall() { this.readable = false; this.available = 0; }
}
const memory = new WebAssembly.Memory({ initial: 16 });
const mem = new GuestMemory(); mem.attach(memory);
const fds = new FdTable();
const waker = new Waker();
const streams = [];
for (let i = 0; i < 3; i++) fds.add({ kind: 'stdio', which: i });
for (let i = 0; i < n; i++) { const s = new FakeStream(waker.hub); streams.push(s); fds.add({ kind: 'stream', stream: s }); }
const poll = makePollOneoff(mem, fds, waker, journaled);
const dv = new DataView(memory.buffer);
// Each array follows a 48-byte journal header (unused without JOURNAL).
const IN = 48, OUT = IN + 48 * (n + 1) + 64, NE = OUT + 32 * (n + 1) + 64, HIN = NE + 64 + 48;
const MAGIC = 0x4a584d57; // JOURNAL_MAGIC, written out: an older DIST has no subscription-journal module to import
/** Rewrites the clock slot (slot `at` of the array at `addr`) and lists it in the array's journal, as the core does. */
function touchClock(addr, at) {
  dv.setBigUint64(addr + at * 48 + 24, 10_000_000_000n, true);
  dv.setUint32(addr - 48, MAGIC, true);
  dv.setUint32(addr - 48 + 4, 1, true);
  dv.setUint32(addr - 48 + 8, at, true);
}
for (let i = 0; i < n; i++) { const p = IN + i * 48; dv.setBigUint64(p, BigInt(i), true); dv.setUint8(p + 8, 1); dv.setUint32(p + 16, 3 + i, true); }
{ const p = IN + n * 48; dv.setBigUint64(p, 999n, true); dv.setUint8(p + 8, 0); dv.setUint32(p + 16, 1, true); dv.setBigUint64(p + 24, 10_000_000_000n, true); }
// The hot array: the first k streams and the same clock (those are the ones that rise when hot > 0).
for (let i = 0; i <= k; i++) new Uint8Array(memory.buffer).copyWithin(HIN + i * 48, IN + (i < k ? i : n) * 48, IN + ((i < k ? i : n) + 1) * 48);
/** Calls left out of the mean: the first parses every slot, and the JIT warms up. */
const WARM_UP = Math.min(100, it / 10);
let events = 0, j = 0, syncT = 0, syncN = 0, fullT = 0, fullN = 0;
for (let c = 0; c < it; c++) {
  for (let q = 0; q < k; q++) streams[hot > 0 ? q : (j++) % n].rise();
  const a = performance.now();
  const full = hot === 0 || c % (hot + 1) === hot;
  if (journaled) { if (full) touchClock(IN, n); else touchClock(HIN, k); }
  let r = full ? poll(IN, OUT, n + 1, NE) : poll(HIN, OUT, k + 1, NE);
  if (typeof r === 'number' && c >= WARM_UP) {
    const t = performance.now() - a;
    syncT += t; syncN++;
    if (full) { fullT += t; fullN++; }
  } else if (typeof r !== 'number') r = await r;
  events += dv.getUint32(NE, true);
  for (const s of streams) if (s.readable) s.fall();
}
console.log(`${dist.split('/').slice(-2).join('/')} N=${n} K=${k}${hot ? ` HOT=${hot}` : ''}${journaled ? ' journal' : ''}: ${(syncT * 1000 / syncN).toFixed(2)} us per answered-at-once call, ${(events / it).toFixed(1)} events/call${hot ? `; the calls over all N: ${(fullT * 1000 / fullN).toFixed(2)} us` : ''}`);
process.exit(0);
