// poll_oneoff, replaced entirely (node:wasi's waits for *all* fds and ignores readiness). Semantics:
// exact readiness (an fd is reported only when ready), nbytes = bytes readable / write room / pending connections,
// HANGUP when the peer is gone, a bad fd reported as BADF on its own event while the others are answered in the
// same call, clocks MONOTONIC and REALTIME, relative or ABSTIME. Returns at once when any event is ready,
// otherwise waits for the next readiness change or the earliest clock.
//
// Cost: work in proportion to the changed and ready slots. An event loop passes the same subscription array on
// every call, so the parsed subscriptions are kept between calls, one cache per array address for a few arrays
// (subscription-cache.ts), and only the slots whose bytes changed are parsed again. A module that keeps the
// subscription journal (subscription-journal.ts) says which slots it wrote; for any other module the whole array
// is compared on every call (a plain byte compare, O(subscriptions) but cheap: about 14 us at 10,000). A
// subscription is examined only when it may be ready: its object raised the
// instance's ChangeHub, its fd changed in the fd table, it is new, or it was ready at the previous call (readiness
// is level-triggered: a ready fd stays ready until the guest acts on it). Every readiness rise of a stream or a
// listener raises the hub, so a subscription left out is one that is certainly not ready.
import { performance } from 'node:perf_hooks';
import {
  Clock, Errno, EventType, EVENT_ERROR, EVENT_FLAGS, EVENT_FLAG_HANGUP, EVENT_NBYTES, EVENT_SIZE, EVENT_TYPE,
  EVENT_USERDATA, SUBCLOCKFLAGS_ABSTIME, SUB_SIZE, SUB_USERDATA,
} from './wasi/abi.js';
import type { GuestMemory } from './wasi/guest-memory.js';
import type { FdTable } from './fd-table.js';
import { nowNsNumber, type Waker } from './wait/waker.js';
import { profile } from './wait/profile.js';
import { SubscriptionCaches, type ClockSub, type FdSub, type SubscriptionCache } from './subscription-cache.js';
import { JournalReader } from './subscription-journal.js';

/** Subscriptions above this count are INVAL: bounds the host-side work of one call. */
const MAX_SUBSCRIPTIONS = 65536;
/** After this many polls answered without waiting, the next one yields to Node's event loop once,
 *  so that sockets not in the ready set still get their I/O callbacks run (no starvation). */
const MAX_IMMEDIATE = 32;

/** Fills the deadline (ns) or errno of every clock slot for one call (relative clocks count from `start`);
 *  returns the earliest deadline, or Infinity when no clock can fire. */
function clockDeadlines(cache: SubscriptionCache, start: number): number {
  let earliest = Infinity;
  for (const i of cache.clocks) {
    const s = cache.subs[i] as ClockSub;
    const abs = (s.flags & SUBCLOCKFLAGS_ABSTIME) !== 0;
    s.errno = 0;
    if ((s.flags & ~SUBCLOCKFLAGS_ABSTIME) !== 0 || s.id > Clock.THREAD_CPUTIME) s.errno = Errno.INVAL;
    else if (!abs) s.deadline = start + s.timeout;
    else if (s.id === Clock.REALTIME) s.deadline = start + (s.timeout - Date.now() * 1e6);
    else if (s.id === Clock.MONOTONIC) s.deadline = s.timeout;
    else s.errno = Errno.NOTSUP; // absolute CPU-time clocks: no way to wait for them
    if (s.errno === 0 && s.deadline < earliest) earliest = s.deadline;
  }
  return earliest;
}

/** What a ready subscription reports: its event's error, nbytes and hangup. */
type Ready = { error: number; nbytes: number; hangup: boolean };

/** The one Ready that readiness() fills (scan writes it out before the next call): no allocation per event. */
const READY: Ready = { error: 0, nbytes: 0, hangup: false };

function ready(error: number, nbytes: number, hangup: boolean): Ready {
  READY.error = error;
  READY.nbytes = nbytes;
  READY.hangup = hangup;
  return READY;
}

/** Readiness of one fd subscription, or null when not ready. Stdio and files are always ready (see docs/host.md). */
function readiness(s: FdSub): Ready | null {
  const e = s.entry;
  if (!e) return ready(Errno.BADF, 0, false);
  if (e.kind === 'stdio' || e.kind === 'file') return ready(0, 0, false);
  if (e.kind === 'listener') {
    // a listener is never writable
    return s.tag === EventType.FD_READ && e.listener.backlog > 0 ? ready(0, e.listener.backlog, false) : null;
  }
  const st = e.stream;
  // A failed outgoing connect: its errno on the event (read and write alike) until a sock_* call takes it.
  if (st.connectError !== 0) return ready(st.connectError, 0, true);
  if (s.tag === EventType.FD_READ ? !st.readable : !st.writable) return null;
  return ready(0, s.tag === EventType.FD_READ ? st.available : st.writeRoom, st.hangup);
}

/** True when this machine stores words little-endian, as Wasm memory does: events may then be written a word at
 *  a time through a Uint32Array. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Writes event number `n` at `outPtr` for subscription slot `i`; userdata is copied byte for byte. */
function writeEvent(mem: GuestMemory, cache: SubscriptionCache, outPtr: number, n: number, i: number, type: number, r: Ready): void {
  const e = outPtr + n * EVENT_SIZE;
  const from = i * SUB_SIZE + SUB_USERDATA;
  if (LITTLE_ENDIAN && (outPtr & 3) === 0) {
    // Whole words: userdata, then error (u16) | type (u8) | padding, padding, nbytes (u64), flags (u16) | padding.
    const w = mem.words;
    const raw32 = cache.raw32;
    const at = e >>> 2;
    const f = from >>> 2;
    w[at] = raw32[f];
    w[at + 1] = raw32[f + 1];
    w[at + 2] = r.error | (type << 16);
    w[at + 3] = 0;
    w[at + 4] = r.nbytes >>> 0;
    w[at + 5] = Math.floor(r.nbytes / 0x1_0000_0000);
    w[at + 6] = r.hangup ? EVENT_FLAG_HANGUP : 0;
    w[at + 7] = 0;
    return;
  }
  const u8 = mem.u8;
  const raw = cache.raw;
  for (let b = 0; b < 8; b++) u8[e + EVENT_USERDATA + b] = raw[from + b];
  const dv = mem.dv;
  dv.setUint16(e + EVENT_ERROR, r.error, true);
  dv.setUint16(e + EVENT_TYPE, type, true); // type u8 + padding
  dv.setUint32(e + EVENT_TYPE + 2, 0, true);
  dv.setUint32(e + EVENT_NBYTES, r.nbytes >>> 0, true);
  dv.setUint32(e + EVENT_NBYTES + 4, Math.floor(r.nbytes / 0x1_0000_0000), true);
  dv.setUint32(e + EVENT_FLAGS, r.hangup ? EVENT_FLAG_HANGUP : 0, true); // flags u16 + padding
  dv.setUint32(e + EVENT_FLAGS + 4, 0, true);
}

const CLOCK_FIRED: Ready = { error: 0, nbytes: 0, hangup: false };

/** One pass over the slots that may be ready: writes their events in subscription order, returns how many. */
function scan(mem: GuestMemory, caches: SubscriptionCaches, cache: SubscriptionCache, outPtr: number): number {
  caches.absorbChanges();
  const now = cache.clocks.size > 0 ? nowNsNumber() : 0;
  let n = 0;
  const k = cache.candidates();
  const order = cache.order;
  for (let c = 0; c < k; c++) {
    const i = order[c];
    const s = cache.subs[i];
    if (s.tag === 0) {
      if (s.errno !== 0) writeEvent(mem, cache, outPtr, n++, i, 0, ready(s.errno, 0, false));
      else if (now >= s.deadline) writeEvent(mem, cache, outPtr, n++, i, 0, CLOCK_FIRED);
      continue;
    }
    const r = readiness(s);
    if (!r) continue; // not ready and unchanged since: left out until its object raises the hub
    writeEvent(mem, cache, outPtr, n++, i, s.tag, r);
    cache.hot.add(i); // level-triggered: ready stays ready until the guest acts, so look again next call
  }
  return n;
}

/** Writes the event count and answers SUCCESS. */
function answer(mem: GuestMemory, neventsPtr: number, n: number): number {
  mem.setU32(neventsPtr, n);
  if (profile) profile.pollAnswer(n);
  return Errno.SUCCESS;
}

/** Creates the poll_oneoff import (before wrapping by the wait strategy). */
export function makePollOneoff(mem: GuestMemory, fds: FdTable, waker: Waker, journaled = false) {
  const caches = new SubscriptionCaches(fds, waker.hub);
  const journal = journaled ? new JournalReader(mem) : null;
  let immediate = 0;

  return function poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number | Promise<number> {
    nsubs >>>= 0;
    if (nsubs === 0 || nsubs > MAX_SUBSCRIPTIONS) return Errno.INVAL;
    if (!mem.ok(inPtr, nsubs * SUB_SIZE) || !mem.ok(outPtr, nsubs * EVENT_SIZE) || !mem.ok(neventsPtr, 4)) {
      return Errno.FAULT;
    }
    const t0 = profile ? profile.pollStart() : 0;
    inPtr >>>= 0;
    const cache = caches.at(inPtr);
    const listed = journal !== null && cache.heldFor === inPtr ? journal.read(inPtr) : -1;
    if (!cache.update(inPtr, mem.bytes(inPtr, nsubs * SUB_SIZE), nsubs, listed >= 0 ? journal!.slots : null, listed)) {
      return Errno.INVAL;
    }
    if (journal !== null) journal.acknowledge(inPtr);
    outPtr >>>= 0;
    const earliest = cache.clocks.size > 0 ? clockDeadlines(cache, nowNsNumber()) : Infinity;

    let n = scan(mem, caches, cache, outPtr);
    if (profile) profile.pollWork(t0);
    if (n > 0 && ++immediate < MAX_IMMEDIATE) return answer(mem, neventsPtr, n);

    // Wait for the next change in the instance or the earliest clock, then look again. A far clock wakes the
    // wait early (timers are clamped, see Waker) and is simply looked at again: it re-arms until it is due.
    const yieldOnly = n > 0; // only here to let the event loop run once
    immediate = 0;
    if (profile) profile.waitBegin();
    return waker.waitFor(earliest === Infinity ? null : earliest, yieldOnly, () => {
      profile?.waitEnd();
      const t1 = profile ? performance.now() : 0;
      n = scan(mem, caches, cache, outPtr);
      if (profile) profile.pollWork(t1);
      if (n > 0) return answer(mem, neventsPtr, n);
      if (profile) profile.waitBegin();
      return -1; // nothing yet: wait again
    });
  };
}
